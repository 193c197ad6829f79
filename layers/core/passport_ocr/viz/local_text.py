"""The page's printed text for the offline engine: locate the data page from the MRZ,
detect text lines on a downscaled copy, recognise them at full resolution.

Proposed engine method (the pipeline calls `engine.page_text(image, geometry, doc_format)`
when the engine has it); the local engine can delegate to `LocalPageText.page_text`.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..engines.base import MrzGeometry
from ..ocr_types import OcrLine
from . import DegenerateGeometry
from .detect import TextBox, TextDetector, detector_model, prepare_detector_input
from .keystone import fit_keystone
from .line_split import split_lines, trim_to_line
from .alphabets import page_alphabet
from .label_search import LABEL_ONLY_FIELDS, label_candidates, label_strip, merge_labels, unlabelled_values
from .labels import cut_word_fields, find_labels, starts_with_label
from .read import read_printed_fields
from .recognize import TextRecognizer, read_thorns
from .second_reading import SecondReader
from .word_gaps import doubt_missing_spaces, word_gaps
from .value_boxes import (
    WANTED_FIELDS, could_be_value_of, possible_labels, ready_boxes, unwanted_value, whole_text_value, worth_reading_whole,
)

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in upright page pixels

# How far the data page extends above the MRZ's top edge, in MRZ widths, per format: the
# MRZ spans almost the whole width of the document, so its width gives the page's scale.
# (TD3 page 125 x 88 mm with a 2-line MRZ; TD2 card 105 x 74; TD1 85.6 x 54 with 3 lines.)
PAGE_HEIGHT_ABOVE_MRZ: dict[str, float] = {"TD3": 0.72, "MRVA": 0.72, "TD2": 0.66, "MRVB": 0.66, "TD1": 0.52}
PAGE_MARGIN_X = 0.08  # beyond the MRZ's left and right ends, in MRZ widths
# upright_page keeps this many MRZ character heights of the gap above the MRZ.
GAP_BELOW_CHARS = 0.25


@dataclass(frozen=True)
class PageTextParams:
    # The upright page is rendered so that one MRZ character is this many pixels high:
    # printed text (usually 0.6-1x an MRZ character) then lands near the recogniser's 48 px.
    page_char_px: float = 40.0
    max_upscale: float = 3.0
    # The detector sees the page scaled so one MRZ character is this many pixels: enough for
    # DB to separate lines, small enough to keep detection cheap.
    detect_char_px: float = 14.0
    # ID cards print their labels smaller next to the MRZ (about 0.3-0.45 of an MRZ character
    # on TD1, 0.4-0.6 on TD2, against 0.55-0.8 on passport pages): at 14 px the detector loses
    # them. Card pages are small, so seeing them larger costs little.
    detect_char_px_by_format: tuple[tuple[str, float], ...] = (("TD1", 20.0), ("TD2", 17.0))
    # Recognition cost grows with line width. A first pass reads each line's left part only
    # (at most this many line heights, cut between words): enough to recognise a label by its
    # first language. Lines that turn out not to be labels are read whole, up to
    # `max_line_aspect`.
    first_pass_aspect: float = 5.0
    max_line_aspect: float = 25.0
    # Lines are narrowed to this fraction of their width before recognition (cost is
    # proportional to width; printed glyphs stay readable down to ~0.75).
    squeeze: float = 1.0
    # Boxes less than this high (in MRZ character heights) are specks, taller ones photos or titles.
    min_line_height: float = 0.35
    max_line_height: float = 2.4
    # Boxes taller than this (in MRZ character heights) may be two lines the detector joined
    # (a label touching its value on a rough page: line_split). A line of values is 1.4-1.6
    # high, up to 1.8 with marks: split_lines leaves such a line whole.
    min_split_height: float = 1.7
    # A box of one line too tall for it is cut down to the line (line_split.trim_to_line)
    # when the line's letters are at most this high (in MRZ character heights): values print
    # 0.7-1.0 high; a taller run of ink is two lines printed close ('09 PAS VYDAL/AUTHORITY'
    # on 'PRAHA' on a held-out Czech page, read 'PSVL AUINT' when cut so).
    max_letter_height: float = 1.2
    # When a wanted place or authority is not found, the strips above unlabelled values are
    # detected again at this scale (label_search.py): labels print at 0.3-0.6 of an MRZ
    # character, 9-18 px here, where the detector finds them whole.
    label_detect_char_px: float = 30.0
    # Leave unread the boxes under bare labels of fields the VIZ stage does not use
    # (value_boxes.WANTED_FIELDS): values the MRZ already gives (number, nationality, sex...).
    skip_unwanted_values: bool = True


def _char_height(geometry: MrzGeometry) -> float:
    if geometry.char_height_px > 0:
        return geometry.char_height_px
    (tl_x, tl_y), (tr_x, tr_y) = geometry.corners[0], geometry.corners[1]
    return math.hypot(tr_x - tl_x, tr_y - tl_y) / 44 * 1.4  # OCR-B is ~0.7 as wide as high


def upright_page(
    image: Image.Image, geometry: MrzGeometry, doc_format: str, char_px: float, max_upscale: float,
    levelling: np.ndarray | None = None,
) -> tuple[Image.Image, float]:
    """The data page above the MRZ, deskewed and scaled; returns (page, scale). `levelling`
    (keystone.Keystone.matrix of a first upright page) maps the page to return onto that
    first page's pixels: the photo's residual perspective is taken out in the same warp."""
    (tl_x, tl_y), (tr_x, tr_y) = geometry.corners[0], geometry.corners[1]
    mrz_width = math.hypot(tr_x - tl_x, tr_y - tl_y)
    if mrz_width < 1:
        raise DegenerateGeometry("the MRZ geometry has no width")
    # Unit vectors along the MRZ lines (u) and down the page (v), in input pixels.
    ux, uy = (tr_x - tl_x) / mrz_width, (tr_y - tl_y) / mrz_width
    vx, vy = -uy, ux
    char_height = _char_height(geometry)
    scale = min(max_upscale, char_px / char_height)
    above = PAGE_HEIGHT_ABOVE_MRZ.get(doc_format, 0.72) * mrz_width
    margin = PAGE_MARGIN_X * mrz_width
    # Keep a little of the gap above the MRZ but not the MRZ itself.
    below = GAP_BELOW_CHARS * char_height
    out_w = int(round((mrz_width + 2 * margin) * scale))
    out_h = int(round((above + below) * scale))
    origin_x = tl_x - margin * ux - above * vx
    origin_y = tl_y - margin * uy - above * vy
    # Output (x, y) to input pixels, as PIL's AFFINE and PERSPECTIVE transforms take it.
    page_to_input = np.array([[ux / scale, vx / scale, origin_x], [uy / scale, vy / scale, origin_y], [0.0, 0.0, 1.0]])
    # (convert() copies even an RGB image: a whole 12 MP photo, for a page of a tenth of it.)
    source = image if image.mode == "RGB" else image.convert("RGB")
    if levelling is None:
        method, coefficients = Image.AFFINE, tuple(page_to_input[:2].ravel())
    else:
        combined = page_to_input @ levelling
        method, coefficients = Image.PERSPECTIVE, tuple((combined / combined[2, 2]).ravel()[:8])
    page = source.transform((out_w, out_h), method, coefficients, resample=Image.BILINEAR, fillcolor=(255, 255, 255))
    return page, scale


class StageClock:
    """CPU seconds (time.process_time) spent in each stage of one page, for the benchmark:
    wall time on a shared machine says little about what a page costs."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.process_time()

    def lap(self, stage: str) -> None:
        """Charge the CPU time since the previous lap (or the start) to `stage`."""
        now = time.process_time()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


class LocalPageText:
    """Detector + Latin recogniser sessions, created once per process."""

    _shared: "LocalPageText | None" = None
    _lock = threading.Lock()
    # The line network's second reading of unsure value lines (viz.second_reading); None
    # for a reader built without it (tests with fake recognisers).
    second_reader: SecondReader | None = None

    def __init__(self, threads: int = 1, model_dir: str | None = None, params: PageTextParams = PageTextParams()):
        from .models import model_path

        self.detector = TextDetector(detector_model(model_dir), threads)
        self.recognizer = TextRecognizer(model_path("rec", model_dir), threads)
        self.second_reader = SecondReader(threads)
        self.params = params
        # CPU seconds per stage of the last page read (StageClock), for the benchmark.
        self.last_stage_cpu: dict[str, float] = {}

    @classmethod
    def shared(cls, threads: int = 1, model_dir: str | None = None) -> "LocalPageText":
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls(threads, model_dir)
            return cls._shared

    def page_text(
        self, image: Image.Image, geometry: MrzGeometry, doc_format: str = "TD3", wanted: frozenset[str] = WANTED_FIELDS,
        country: str | None = None,
    ) -> list[OcrLine]:
        """Text lines of the data page, boxes in the upright page's pixels, top to bottom;
        values under labels of fields not in `wanted` are left unread. The marks of the
        letters of the lines that are no labels are read for the alphabet of `country` (the
        issuing state)."""
        params = self.params
        clock = StageClock()
        self.last_stage_cpu = clock.seconds
        page, scale = upright_page(image, geometry, doc_format, params.page_char_px, params.max_upscale)
        clock.lap("warp")
        page_char = _char_height(geometry) * scale  # one MRZ character's height on the page
        detect_side = self._detect_side(page, page_char, doc_format)
        boxes = self.detector.detect(page, max_side=detect_side)
        clock.lap("detect")
        keystone = fit_keystone(boxes, page_char, page.height - GAP_BELOW_CHARS * page_char, page.width / 2)
        if keystone is not None:
            page, _ = upright_page(
                image, geometry, doc_format, params.page_char_px, params.max_upscale, keystone.matrix()
            )
            boxes = self.detector.detect(page, max_side=detect_side)
            clock.lap("level")
        full_boxes = [
            (x0, y0, min(x1, x0 + params.max_line_aspect * (y1 - y0)), y1)
            for x0, y0, x1, y1 in self._line_boxes(page, boxes, page_char)
            if params.min_line_height * page_char <= y1 - y0 <= params.max_line_height * page_char
        ]
        first_boxes = [_first_part(page, box, params.first_pass_aspect) for box in full_boxes]
        lines = self._read_wanted(page, full_boxes, first_boxes, wanted)
        clock.lap("read_first")
        # A line cut short that does not start with a label is a value (an authority's name,
        # say) or a label misread: read it whole. Reading it again, rather than only its
        # rest, keeps words cut at a narrow gap intact.
        again = [
            i for i, full in enumerate(full_boxes)
            if i in lines and lines[i].box[2] < full[2] and not starts_with_label(lines[i].text)
            and worth_reading_whole(i, full_boxes, lines, wanted)
        ]
        self._read_whole(page, again, full_boxes, lines)
        clock.lap("read_whole")
        found = [lines[i] for i in sorted(lines) if lines[i].text]
        if _missing(found, wanted):
            unread = [box for i, box in enumerate(full_boxes) if i not in lines]
            before = {id(line) for line in found}
            found = self._search_labels(page, page_char, found, unread, wanted)
            new_labels = [line for line in found if id(line) not in before]
            found = self._read_under_new_labels(page, new_labels, found, full_boxes, lines)
            if _missing(found, wanted):
                # Still no label names them: read.py may place them by the field order
                # (viz.order), which needs the values whole ('WOJEWODA' is not the authority
                # 'WOJEWODA MAZOWIECKI').
                kept = {id(line) for line in found}
                cut = [
                    i for i, line in lines.items()
                    if id(line) in kept and line.box[2] < full_boxes[i][2] and not _reads_as_label(line.text)
                ]
                found = self._reread_whole(page, cut, found, full_boxes, lines)
        clock.lap("label_search")
        values = [line for line in found if line.box is not None and not _reads_as_label(line.text)]
        value_crops = [_crop(page, line.box) for line in values]
        alphabet = page_alphabet(country)
        if self.second_reader is not None and self.second_reader.available:
            self.second_reader.reread(value_crops, values, alphabet)
        clock.lap("second_reading")
        self.recognizer.read_marks(value_crops, values, alphabet, params.squeeze)
        read_thorns(value_crops, values, alphabet, params.squeeze)
        doubt_missing_spaces(value_crops, values)
        clock.lap("marks")
        return found

    def _line_boxes(self, page: Image.Image, boxes: list[TextBox], page_char: float) -> list[Box]:
        """The detector's boxes, top to bottom, with a box of two lines that touched (taller
        than a line of values, not than two) cut into its lines, and a box of one line with
        paper around it too tall for a line cut down to the line (line_split)."""
        params = self.params
        tallest = params.max_line_height * page_char
        out: list[Box] = []
        for x0, y0, x1, y1, _score, _slope in boxes:
            if params.min_split_height * page_char < y1 - y0 <= 2 * tallest:
                grey = np.asarray(page.crop((int(x0), int(y0), int(math.ceil(x1)), int(math.ceil(y1)))).convert("L"), dtype=np.float32)
                parts = split_lines(grey, params.min_line_height * page_char, tallest)
                if parts:
                    out.extend((x0, int(y0) + top, x1, int(y0) + bottom) for top, bottom in parts)
                    continue
                if y1 - y0 > tallest:
                    line = trim_to_line(
                        grey, params.min_line_height * page_char, tallest, params.max_letter_height * page_char
                    )
                    if line is not None:
                        out.append((x0, int(y0) + line[0], x1, int(y0) + line[1]))
                        continue
            out.append((x0, y0, x1, y1))
        return sorted(out, key=lambda b: (b[1], b[0]))

    def _read_under_new_labels(
        self, page: Image.Image, labels: list[OcrLine], found: list[OcrLine], full_boxes: list[Box], lines: dict[int, OcrLine]
    ) -> list[OcrLine]:
        """`found` with the lines read only in part under `labels` (found by the label search)
        read whole: with no label above them they looked like nothing worth reading whole,
        and a value under a label read in part would be given cut ('DEPARTMENT' for
        'DEPARTMENT OF STATE')."""
        kept = {id(line) for line in found}
        again = [
            i for i, line in lines.items()
            if id(line) in kept and line.box[2] < full_boxes[i][2]
            and any(label.box is not None and could_be_value_of(label.box, full_boxes[i]) for label in labels)
        ]
        return self._reread_whole(page, again, found, full_boxes, lines)

    def _reread_whole(
        self, page: Image.Image, indices: list[int], found: list[OcrLine], full_boxes: list[Box], lines: dict[int, OcrLine]
    ) -> list[OcrLine]:
        """`found` with the lines of boxes `indices` (read in part) read whole in their place."""
        if not indices:
            return found
        cut = {id(lines[i]): i for i in indices}
        self._read_whole(page, indices, full_boxes, lines)
        return [lines[cut[id(line)]] if id(line) in cut else line for line in found]

    def _read_whole(self, page: Image.Image, indices: list[int], full_boxes: list[Box], lines: dict[int, OcrLine]) -> None:
        """Read the boxes `indices` whole, in place of their first parts in `lines`."""
        crops = [_crop(page, full_boxes[i]) for i in indices]
        for i, line in zip(indices, self.recognizer.read(crops, self.params.squeeze)):
            line.box = full_boxes[i]
            lines[i] = line

    def _search_labels(
        self, page: Image.Image, page_char: float, lines: list[OcrLine], unread: list[Box], wanted: frozenset[str]
    ) -> list[OcrLine]:
        """`lines` with the labels found by detecting the strips above unlabelled values at a
        label's scale (label_search.py), until no wanted place or authority is missing;
        `unread` are the boxes detected but left unread."""
        params = self.params
        # Bottom up: a place of birth and an authority follow the names, nationality and
        # dates on ICAO data pages, so they are found after fewer strips (the order only
        # changes the cost: every strip is searched while one is missing).
        for value in sorted(unlabelled_values(lines), key=lambda box: -box[1]):
            strip = label_strip(value, page.size)
            if strip is None:
                continue
            crop = _crop(page, strip)
            side = int(max(crop.size) * params.label_detect_char_px / page_char)
            found = [
                ((strip[0] + x0, strip[1] + y0, strip[0] + min(x1, x0 + params.max_line_aspect * (y1 - y0)), strip[1] + y1), value)
                for x0, y0, x1, y1, _score, _slope in self.detector.detect(crop, max_side=max(32, side))
            ]
            # A line the page's detection found where the label would be, misread ('Ahery!'),
            # is a candidate too: read again, it is spotted (viz.spot), and the strip's finer
            # detection can miss a faint label the coarse one found.
            found += [(line.box, value) for line in lines if line.box is not None and could_be_value_of(line.box, value)]
            boxes = label_candidates(found, lines, unread)
            if not boxes:
                continue
            labels = self.recognizer.read([_crop(page, box) for box in boxes], params.squeeze, spot_labels=True)
            for line, box in zip(labels, boxes):
                line.box = box
            lines = merge_labels(lines, labels)
            if not _missing(lines, wanted):
                break
        return lines

    def _detect_side(self, page: Image.Image, page_char: float, doc_format: str) -> int:
        """The longest side of the detector's input for `page` (MRZ characters `page_char` high)."""
        detect_char_px = dict(self.params.detect_char_px_by_format).get(doc_format, self.params.detect_char_px)
        return int(max(page.size) * detect_char_px / page_char)

    def detector_input(self, image: Image.Image, geometry: MrzGeometry, doc_format: str = "TD3") -> np.ndarray:
        """The detector's input tensor for the page, as `page_text` makes it (to calibrate a
        quantized detector on)."""
        page, scale = upright_page(image, geometry, doc_format, self.params.page_char_px, self.params.max_upscale)
        side = self._detect_side(page, _char_height(geometry) * scale, doc_format)
        return prepare_detector_input(page, side)[0]

    def _read_wanted(
        self, page: Image.Image, full_boxes: list[Box], first_boxes: list[Box], wanted: frozenset[str]
    ) -> dict[int, OcrLine]:
        """First parts of the boxes, read top to bottom in waves, without the values of
        unwanted labels; keyed by box index."""
        lines: dict[int, OcrLine] = {}
        decided: set[int] = set()
        labels_of = possible_labels(full_boxes)
        while len(decided) < len(full_boxes):
            ready = ready_boxes(labels_of, decided)
            decided.update(ready)
            if self.params.skip_unwanted_values:
                ready = [i for i in ready if not unwanted_value(i, full_boxes, lines, wanted)]
            # A name, place or authority under its label is read whole at once, not in part first.
            boxes = [full_boxes[i] if whole_text_value(i, full_boxes, lines, wanted) else first_boxes[i] for i in ready]
            for i, box, line in zip(ready, boxes, self.recognizer.read([_crop(page, box) for box in boxes], self.params.squeeze)):
                line.box = box
                lines[i] = line
        return lines


def _missing(lines: list[OcrLine], wanted: frozenset[str]) -> set[str]:
    """The wanted places and authorities read.py finds no value for in `lines` (as the VIZ
    stage will read them, less the MRZ, which only settles names and dates)."""
    return (LABEL_ONLY_FIELDS & wanted) - set(read_printed_fields(lines, {}))


def _reads_as_label(text: str) -> bool:
    """Whether a line read in part reads as a label, whole or cut inside its word ('/ Autho')."""
    return starts_with_label(text) or bool(find_labels(text)) or bool(cut_word_fields(text))


def _first_part(page: Image.Image, box: Box, aspect: float) -> Box:
    """The box cut at the last gap between words within `aspect` heights of its start (the
    whole box when it is short or has no such gap). Only the strip searched is made grey."""
    x0, y0, x1, y1 = box
    height = y1 - y0
    if x1 - x0 <= (aspect + 1.0) * height:
        return box
    search_x0, search_x1 = int(x0 + 1.5 * height), int(x0 + aspect * height)
    strip = np.asarray(page.crop((search_x0, int(y0), search_x1, int(math.ceil(y1)))).convert("L"), dtype=np.float32)
    wide = word_gaps(strip)
    if not wide:
        return box  # no gap between words, or no contrast to find one in
    gap_start, gap_end = wide[-1]
    return (x0, y0, float(search_x0 + (gap_start + gap_end) / 2), y1)


def _crop(page: Image.Image, box: Box) -> Image.Image:
    x0, y0, x1, y1 = box
    return page.crop((int(x0), int(y0), int(math.ceil(x1)), int(math.ceil(y1))))


__all__ = ["LocalPageText", "PageTextParams", "StageClock", "upright_page"]
