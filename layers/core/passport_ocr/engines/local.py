"""The offline engine: the numpy MRZ locator plus two line recognisers run by onnxruntime.

No text-detection network on the MRZ path: imaging.locate finds the zone geometrically, this
module cuts each line out of the full-resolution input and reads it. The project's OCR-B
network (ocrb_net) reads first; PP-OCR's multilingual recogniser, trained on other data
entirely, gives the second opinion and reads the repaired crops. Hypotheses come out
likeliest and cheapest first: per zone (best zone first; a zone seen at low detail is first
located again in a crop of the input) the orientation the first line reads confidently in
(probed the way round the filler runs suggest), then the other one, then the second
network's reading, then repaired crops (stretched to the full MRZ length, flattened and
binarised, wider characters; only the lines in doubt when the pipeline says which); after
the zones of the first working size, a finer pass for documents small in the frame. Asked
for other documents (OTHER_DOCUMENTS), it reads the zones apart from those read that score
nearly as high as the best one, then those located in the strips of the image beside the
documents read.
"""

from __future__ import annotations

import threading
from typing import Iterator

import numpy as np
from PIL import Image

from ..errors import NoMrzFound
from ..imaging import geometry
from ..imaging.apart import zones_apart
from ..imaging.locate import (
    FAINT_INK_CONTRAST,
    MIN_INK_CONTRAST,
    WORK_SIZES,
    LineBox,
    MrzZone,
    locate_zones,
    overlap,
    refine_zone,
)
from ..imaging.morphology import close
from ..ocr_types import OcrLine
from ..settings import Settings
from .base import OTHER_DOCUMENTS, MrzGeometry, MrzReading
from .ocrb_net import OcrbNet
from .recognizer import INPUT_HEIGHT, MrzRecognizer, chars_to_line, ctc_decode

# Room around a line blob, in line heights: the blob is the characters' ink, the recogniser
# wants some paper around it (as in the text lines it was trained on).
CROP_MARGIN_Y = 0.25
CROP_MARGIN_X = 0.35
# The recogniser emits one CTC frame per 8 px of input; a run like '<<<<' needs a blank frame
# between equal characters, so each character gets ~2.1 frames (16 px per character dropped
# repeats on the real samples). More costs time linearly.
PX_PER_CHAR = 17.0
# A first line read with less mean confidence is probably upside down: read it turned first.
CONFIDENT_READING = 0.9
# Zones whose ink leans this far right (filler_balance) are probed upside down first.
UPSIDE_DOWN_BALANCE = 0.03
# Readings below this (or without '<') are not an MRZ: no costlier variants are tried.
MRZ_LIKE_CONFIDENCE = 0.75
FILLER_RUN = "<<<<"
# MRZ print covers well over this share of a line crop, paper more than this too.
INK_PERCENTILE = 5
# A finer pass runs on inputs at least this much larger than the last working size: a
# 1200-px photo whose MRZ is 4 px high at 800 px has it at 6 px at full size.
FINER_PASS_MIN_GAIN = 1.25
# A zone this MRZ-like relative to the best one may be a second document (_other_documents).
OTHER_DOCUMENT_MIN_SCORE = 0.15
MRZ_LINE_LENGTHS = ((30, 3), (36, 2), (44, 2))  # characters, lines: TD1; TD2 / MRV-B; TD3 / MRV-A


def crop_line(
    image: Image.Image,
    zone: MrzZone,
    line: LineBox,
    px_per_char: float = PX_PER_CHAR,
    x_range: tuple[float, float] | None = None,
) -> np.ndarray:
    """The line cut from the input image, deskewed, INPUT_HEIGHT high, `px_per_char` per character.

    `x_range` (working coordinates) overrides the line's own horizontal extent.
    """
    pad_y = CROP_MARGIN_Y * line.height
    pad_x = CROP_MARGIN_X * line.height
    left, right = x_range if x_range else (line.x0, line.x1)
    x0, y0 = left - pad_x, line.y0 - pad_y
    box_w, box_h = right - left + 2 * pad_x, line.height + 2 * pad_y
    pitch = line.pitch or 0.85 * line.height
    out_w = max(8, round(box_w / pitch * px_per_char))
    out_h = INPUT_HEIGHT
    # Output pixel -> level line box -> (sloping) line in the working image -> input point;
    # warp wants input -> output.
    out_to_work = geometry.translation(x0, y0) @ np.diag([box_w / out_w, box_h / out_h, 1.0])
    if line.slope_deg:
        centre_x, centre_y = (left + right) / 2, (line.y0 + line.y1) / 2
        out_to_work = (
            geometry.translation(centre_x, centre_y)
            @ geometry.rotation(-line.slope_deg)
            @ geometry.translation(-centre_x, -centre_y)
            @ out_to_work
        )
    input_to_out = np.linalg.inv(out_to_work) @ zone.to_work
    source = image
    shrink = box_h / zone.scale / out_h  # input pixels per output pixel
    if shrink >= 3:
        # Bilinear warping samples, it does not average: reduce first so fine print doesn't alias.
        factor = int(shrink // 1.5)
        source = image.reduce(factor)
        input_to_out = input_to_out @ geometry.scaling(factor)
    fill = (255, 255, 255) if source.mode == "RGB" else 255
    return np.asarray(geometry.warp(source, input_to_out, (out_w, out_h), fill=fill))


def zone_range(zone: MrzZone) -> tuple[float, float]:
    return min(l.x0 for l in zone.lines), max(l.x1 for l in zone.lines)


def full_length_range(zone: MrzZone) -> tuple[float, float]:
    """The zone's horizontal extent, stretched to the nearest MRZ line length it falls short of.

    MRZ lines of one document are equally long (30, 36 or 44 characters): glare, a fold or a
    finger can hide the end of a line from the locator but not from this.
    """
    left, right = zone_range(zone)
    pitch = float(np.median([l.pitch or 0.85 * l.height for l in zone.lines]))
    count = (right - left) / pitch
    # TD1 has three lines of 30; TD2, TD3 and visas two of 36 or 44.
    lengths = [n for n, lines in MRZ_LINE_LENGTHS if lines == len(zone.lines)] or [n for n, _ in MRZ_LINE_LENGTHS]
    target = next((n for n in lengths if n >= count - 1), count)
    missing = max(0.0, target - count) * pitch
    # Which end is hidden is unknown: read a little paper on both sides rather than guess.
    return left - missing, right + missing


def clean_ink(crop: np.ndarray) -> np.ndarray:
    """A line crop as black ink on white: uneven light and light security print removed.

    Divides by the local paper brightness (a wide grey closing) so glare and shadows
    flatten, then cuts halfway between the ink and the paper: security patterns printed
    lighter than that vanish. (Otsu would split paper from pattern when the pattern is dense.)
    """
    grey = crop.mean(axis=2) if crop.ndim == 3 else crop.astype(np.float64)
    paper = close(grey.astype(np.uint8), INPUT_HEIGHT, INPUT_HEIGHT // 2).astype(np.float64)
    flat = np.clip(grey / np.maximum(paper, 1.0) * 255.0, 0, 255)
    ink_level, paper_level = np.percentile(flat, [INK_PERCENTILE, 100 - INK_PERCENTILE])
    clean = np.where(flat <= (ink_level + paper_level) / 2, 0, 255).astype(np.uint8)
    return np.repeat(clean[:, :, None], 3, axis=2)


def zone_geometry(zone: MrzZone, flipped: bool) -> MrzGeometry:
    corners = zone.corners_in_input()
    if flipped:
        corners = corners[2:] + corners[:2]
    angle = (zone.angle_deg + (180.0 if flipped else 0.0)) % 360.0
    return MrzGeometry(corners=corners, angle_deg=angle, char_height_px=zone.char_height_input)


def mean_confidence(lines: list[OcrLine]) -> float:
    chars = [c.confidence for line in lines for c in line.chars]
    return float(np.mean(chars)) if chars else 0.0


def looks_like_mrz(lines: list[OcrLine]) -> bool:
    """Cheap test that a reading is worth more effort: filler characters and a confident read."""
    return sum(line.text.count("<") for line in lines) >= 2 and mean_confidence(lines) >= MRZ_LIKE_CONFIDENCE


def has_filler_run(lines: list[OcrLine]) -> bool:
    """Whether a reading shows a run of fillers: MRZ padding, seen even where noise makes the
    letters around it unsure (ordinary print has no '<<<<')."""
    return any(FILLER_RUN in line.text for line in lines)


def upright_crops(crops: list[np.ndarray], flipped: bool) -> list[np.ndarray]:
    """A zone's line crops (as found, top to bottom) in the document's reading order, each
    turned half round when the zone is upside down."""
    if not flipped:
        return list(crops)
    return [np.ascontiguousarray(crop[::-1, ::-1]) for crop in reversed(crops)]


def filler_balance(crops: list[np.ndarray]) -> float:
    """(ink in the left third - ink in the right third) / both, over a zone's line crops.

    MRZ fields are written from the left and padded with thin '<' fillers on the right (names,
    optional data, the personal number), so an upright zone carries its ink on the left:
    above 0 on every page and specimen measured, below -0.03 on 55 of 61 upside-down ones.
    """
    left = right = 0.0
    for crop in crops:
        ink = 255.0 - clean_ink(crop)[:, :, 0]
        third = ink.shape[1] // 3
        left += float(ink[:, :third].sum())
        right += float(ink[:, -third:].sum())
    return (left - right) / max(left + right, 1.0)


def looks_upside_down(crops: list[np.ndarray]) -> bool:
    """Whether a zone's crops carry their ink on the right: the zone is probably turned half round."""
    return filler_balance(crops) < -UPSIDE_DOWN_BALANCE


class LocalEngine:
    name = "local"
    finds_other_documents = True
    _shared: "LocalEngine | None" = None
    _shared_lock = threading.Lock()

    def __init__(self, recognizer, px_per_char: float = PX_PER_CHAR, fallback=None):
        """`recognizer` reads every zone first; `fallback`, a second network, reads a zone's
        crops again when the first reading leaves something in doubt, and reads the repaired
        crops. Each is anything with `frame_probs(crops)` (OcrbNet, MrzRecognizer)."""
        self.recognizer = recognizer
        self.fallback = fallback
        self.px_per_char = px_per_char

    @classmethod
    def shared(cls, settings: Settings) -> "LocalEngine":
        """One engine per process: the onnxruntime sessions are the expensive part.

        The project's OCR-B network reads first: it is several times cheaper than PP-OCR's
        recogniser and misreads fewer characters on rough print. PP-OCR's, a network trained
        on other data entirely, is the second opinion: it errs elsewhere, and the check
        digits and the vote weigh the two readings."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls(
                    OcrbNet.shared(threads=settings.ocr_threads),
                    fallback=MrzRecognizer(settings.model_dir, threads=settings.ocr_threads),
                )
            return cls._shared

    def mrz_candidates(self, image: Image.Image) -> Iterator[MrzReading]:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        located: list[MrzZone] = []  # the zones of the working size being read
        read: list[MrzZone] = []  # every zone read so far, as located and as refined
        hypotheses = self._hypotheses(image, located, read)
        looking_for_others = False
        sent = None
        while True:
            try:
                reading = hypotheses.send(sent)
            except StopIteration:
                return
            sent = yield reading
            if sent == OTHER_DOCUMENTS:
                # Asked once to switch, and again with each later request.
                if not looking_for_others:
                    hypotheses.close()
                    hypotheses = self._other_documents(image, located, read)
                    looking_for_others = True
                sent = None

    def _other_documents(self, image: Image.Image, located: list[MrzZone], read: list[MrzZone]) -> Iterator[MrzReading]:
        """Readings of the zones that could be another document's MRZ: several lines, nearly as
        MRZ-like as the best zone, and apart from every zone already read. Print on a data
        page scores 0.10 of its MRZ at most (the 209 bench and real pages), a second document
        0.22 of the first at least (the real specimens in pairs, one a small photo beside a
        card scan; the score grows with the print's size). Then the zones located in the
        strips beyond the reach of the documents read (imaging.apart): a faint or tilted
        document beside a crisp one is not located over the whole image."""
        if not located:
            return
        strongest = max(zone.score for zone in located)
        strong = [z for z in located if len(z.lines) > 1 and z.score >= OTHER_DOCUMENT_MIN_SCORE * strongest]
        yield from self._readings_apart(image, strong, read)
        # A second document the located zones missed: looked for beside the ones read.
        found = [zone.corners_in_input() for zone in read if len(zone.lines) > 1]
        yield from self._readings_apart(image, zones_apart(image, found, MIN_INK_CONTRAST), read)

    def _readings_apart(self, image: Image.Image, zones, read: list[MrzZone]) -> Iterator[MrzReading]:
        """The readings of each of `zones` that overlaps no zone read so far (each one read is
        added to `read`)."""
        for zone in zones:
            corners = zone.corners_in_input()
            if any(overlap(corners, seen.corners_in_input()) > 0 for seen in read):
                continue
            read.append(zone)
            yield from self._zone_readings(image, refine_zone(image, zone) or zone)

    def _hypotheses(self, image: Image.Image, located: list[MrzZone], read: list[MrzZone]) -> Iterator[MrzReading]:
        """Every hypothesis of the image in turn (see the module docstring); `located` and
        `read` are kept up to date for _other_documents."""
        found_any = False
        previous_size = None
        for work_size in WORK_SIZES:
            if previous_size is not None:
                if max(image.size) <= previous_size * FINER_PASS_MIN_GAIN:
                    break  # a finer pass would see nothing the last one did not
                # At most the input's own size: upsampling adds no detail, only cost.
                work_size = min(work_size, max(image.size))
            previous_size = work_size
            try:
                zones = locate_zones(image, work_size=work_size)
            except NoMrzFound:
                continue
            found_any = True
            yield from self._located_readings(image, zones, located, read)
        if not found_any:
            # Print fainter than paper texture usually is (a faded or washed-out scan): one more
            # look at the first working size, only when nothing was found at all.
            try:
                zones = locate_zones(image, work_size=WORK_SIZES[0], min_contrast=FAINT_INK_CONTRAST)
            except NoMrzFound:
                raise NoMrzFound("nothing shaped like a machine-readable zone in the image") from None
            yield from self._located_readings(image, zones, located, read, FAINT_INK_CONTRAST)

    def _located_readings(
        self, image: Image.Image, zones: list[MrzZone], located: list[MrzZone], read: list[MrzZone],
        min_contrast: int = MIN_INK_CONTRAST,
    ) -> Iterator[MrzReading]:
        """The hypotheses of the zones of one working size, each located again first when seen
        at low detail."""
        located[:] = zones
        for zone in zones:
            read.append(zone)
            refined = refine_zone(image, zone, min_contrast=min_contrast)
            if refined is not None:
                read.append(refined)
                yield from self._zone_readings(image, refined)
            yield from self._zone_readings(image, zone)

    def _crops(self, image: Image.Image, zone: MrzZone, x_range, px_per_char: float | None = None) -> list[np.ndarray]:
        return [crop_line(image, zone, line, px_per_char or self.px_per_char, x_range) for line in zone.lines]

    def _read(self, zone: MrzZone, crops: list[np.ndarray], flipped: bool, note: str, reader=None) -> MrzReading:
        """Recognise a zone's line crops (as found, top to bottom), upright or turned half round."""
        return self._reading(zone, self._recognise(upright_crops(crops, flipped), reader), flipped, note)

    def _reading(self, zone: MrzZone, lines: list[OcrLine], flipped: bool, note: str) -> MrzReading:
        """A hypothesis of `zone`: its lines in reading order, where it lies, how it was read."""
        turned = (zone.angle_deg + (180 if flipped else 0)) % 360
        return MrzReading(lines=lines, geometry=zone_geometry(zone, flipped), notes=[f"{note}, turned {turned:.1f} deg"])

    def _recognise(self, crops: list[np.ndarray], reader=None) -> list[OcrLine]:
        return [chars_to_line(ctc_decode(p)) for p in (reader or self.recognizer).frame_probs(crops)]

    def _reread(
        self, zone: MrzZone, crops: list[np.ndarray], flipped: bool, base: MrzReading,
        doubted: frozenset[int] | None, note: str, reader=None,
    ) -> MrzReading:
        """The zone read again from other crops: only the document lines in `doubted` when
        given (the others are kept from `base`, a reading of the same zone), else all."""
        if doubted is None or len(base.lines) != len(crops) or not doubted <= set(range(len(crops))):
            return self._read(zone, crops, flipped, note, reader)
        wanted = sorted(doubted)
        ordered = upright_crops(crops, flipped)
        lines = list(base.lines)
        for i, line in zip(wanted, self._recognise([ordered[i] for i in wanted], reader)):
            lines[i] = line
        numbers = ", ".join(str(i + 1) for i in wanted)
        return self._reading(zone, lines, flipped, f"{note}, line {numbers} only")

    def _read_all(
        self, zone: MrzZone, crops: list[np.ndarray], flipped: bool, probe: MrzReading | None, note: str
    ) -> MrzReading:
        """Every line of the zone read one way round; `probe`, the document's first line
        already read that way, is not read again."""
        if probe is None:
            return self._read(zone, crops, flipped, note)
        rest = crops[:-1] if flipped else crops[1:]
        if not rest:
            return probe
        reading = self._read(zone, rest, flipped, note)
        reading.lines = probe.lines + reading.lines
        return reading

    def _zone_readings(self, image: Image.Image, zone: MrzZone) -> Iterator[MrzReading]:
        """Hypotheses for one zone: as found or turned (likelier first), then repaired crops."""
        # MRZ lines start and end together: one line's blob missing its first character (a
        # smudge, perspective) still gets cut from where its neighbours begin.
        crops = self._crops(image, zone, zone_range(zone))
        note = f"zone score {zone.score:.0f}"
        # One line tells the orientation: reading the others the wrong way round would be
        # waste. The document's first line is probed the way the filler runs suggest.
        probe_flipped = looks_upside_down(crops)
        probe = self._read(zone, crops[-1:] if probe_flipped else crops[:1], probe_flipped, note)
        probe_confident = mean_confidence(probe.lines) >= CONFIDENT_READING
        first = probe_flipped if probe_confident else not probe_flipped
        readings: list[tuple[bool, MrzReading]] = []
        doubted: frozenset[int] | None = None  # sent by the pipeline (Engine.mrz_candidates)
        for flipped in (first, not first):
            if readings and not looks_like_mrz(readings[0][1].lines):
                # Confident print that is no MRZ, or neither way round reads like one: next
                # zone. A zone whose filler runs say it is upside down is read that way round
                # whatever its probe gave: the names line probed reads worst on rough print.
                # So is a probe that shows a run of fillers, however unsure its letters.
                if probe_confident or not (probe_flipped or looks_like_mrz(probe.lines) or has_filler_run(probe.lines)):
                    return
            if readings and mean_confidence(readings[0][1].lines) >= CONFIDENT_READING:
                # Read one way round with confidence, and like an MRZ: the other way round it
                # would be garbage. The repaired crops below are worth more.
                break
            reading = self._read_all(zone, crops, flipped, probe if flipped == probe_flipped else None, note)
            readings.append((flipped, reading))
            doubted = (yield reading) or doubted
        flipped, best = max(readings, key=lambda pair: mean_confidence(pair[1].lines))
        if not looks_like_mrz(best.lines):
            return
        # The OCR-B network learnt from crops as found and stretched, not from binarised or
        # widened ones (it drops characters there): those are the fallback's.
        second_opinion = [self.fallback] if self.fallback is not None else []
        repairer = self.fallback
        for reader in second_opinion:
            reading = self._reread(zone, crops, flipped, best, doubted, note + ", second network", reader)
            doubted = (yield reading) or doubted
        stretched = full_length_range(zone)
        stretched_crops = self._crops(image, zone, stretched)
        if any(longer.shape[1] > crop.shape[1] * 1.05 for longer, crop in zip(stretched_crops, crops)):
            for reader in [None] + second_opinion:
                reading = self._reread(zone, stretched_crops, flipped, best, doubted, note + ", stretched to full MRZ length", reader)
                doubted = (yield reading) or doubted
        binarised = [clean_ink(c) for c in stretched_crops]
        reading = self._reread(zone, binarised, flipped, best, doubted, note + ", flattened and binarised", repairer)
        doubted = (yield reading) or doubted
        # A wider crop gives crowded characters (many '<' in a row) more CTC frames.
        wide = self._crops(image, zone, stretched, 1.4 * self.px_per_char)
        yield self._reread(zone, wide, flipped, best, doubted, note + ", wider characters", repairer)