"""Printed-text line recognition with the PP-OCRv6 recogniser, Latin alphabet only.

The MRZ engine decodes the same model restricted to A-Z0-9<; the visual zone needs
lowercase, accents and punctuation, so this module has its own CTC decoding on top of the
same onnxruntime session (engines.recognizer.RecognitionModel). Restricting the decode to
Latin script stops the model's CJK classes from winning on blurry Latin glyphs.

Accents are where the model is weakest: it reads a mark it is unsure of as the plain letter
with high confidence, and the letters its dictionary lacks (Vietnamese ones with two marks or
a dot below) as blank frames. The decoding keeps the evidence the alphabet prior
(viz.alphabets) needs: the letters of the same base with other marks, however unlikely; the
letters the model cannot output (OcrLine.unreadable); and gaps where it gave a letter up.
Line crops are not the cause: the marks are inside the detector's boxes, and more room above
the line (0.15 of its height, page or plain paper) reads fewer lines right, not more.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from ..ocr_types import OcrChar, OcrLine
from ..engines.recognizer import RecognitionModel
from .alphabets import ALL_LETTERS, LIGATURES, PageAlphabet, base_letter, unreadable_bases
from .models import model_path
from .marks import MarkReader, letter_marks
from .spot import FrameColumns, LabelSpotter
from .thorn import is_thorn

REC_HEIGHT = 48  # the model's fixed input height
MAX_BATCH = 8
# A batch runs at the width of its widest line, and the network's cost is proportional to
# width while one more run costs well under a millisecond: only lines this close in width
# share a run (padding used to add 40-160% to a page's recognition cost). None at all: the
# padding also changes what the model reads, so a line's text would depend on which lines
# happen to share its run (with lines read in waves, on which boxes are skipped).
MAX_PAD_FRACTION = 0.0
# A glyph of another script decodes to a Latin symbol with almost no probability.
MIN_CHAR_CONFIDENCE = 0.15
# A letter the recogniser dropped (letter_gaps): its neighbours at least this many times the
# line's median character pitch apart, and a letter given at least this probability in the
# blank frames between them. In 5,400 gaps between the characters of 561 value and name lines
# read right, a letter other than the neighbours reached 0.01 in 10 (4 of them in gaps this
# wide); the letters dropped from Vietnamese lines reached 0.013-0.26 in gaps of 1.5-2.4
# pitches ('Cn Tho' for 'Cần Thơ', 'VIT NAM' for 'VIỆT NAM'), 6 of 7 found.
DROPPED_GAP_PITCHES = 1.5
DROPPED_LETTER_MIN_PROBABILITY = 0.01
# The confidence left to the neighbours of such a gap: 6 of the 10 gaps found held a letter.
DROPPED_LETTER_CONFIDENCE = 0.4
# Letters of the same base with other marks are listed down to this probability (the first
# runners-up only above 0.01): on 561 value and name lines, letters read right gave their
# national variants under 0.0011 nine times in ten, those read with a mark lost 0.02 at the
# median (alphabets.doubt_marks weighs them).
MARK_VARIANT_MIN_PROBABILITY = 0.001
# Printed passport text: Latin letters (Latin-1, Latin Extended A/B and Additional, e.g.
# Vietnamese), digits, punctuation, and the few symbols found in labels ('N°', '№').
_EXTRA_SYMBOLS = set("°№ºª")


def is_latin_symbol(symbol: str) -> bool:
    return all(ord(c) < 0x250 or 0x1E00 <= ord(c) < 0x1F00 or c in _EXTRA_SYMBOLS for c in symbol)


@dataclass(frozen=True)
class LetterTable:
    """For each decoding class: its base letter ('' for a non-letter) and the classes of the
    same base and case with other marks ('G' -> 'Ğ', 'Ġ', 'Ģ'...)."""

    bases: list[str]
    variants: list[tuple[int, ...]]


def letter_table(symbols: list[str]) -> LetterTable:
    bases = [base_letter(s) if len(s) == 1 and s.isalpha() else "" for s in symbols]
    by_base_and_case: dict[tuple[str, bool], list[int]] = {}
    for cls, (symbol, base) in enumerate(zip(symbols, bases)):
        if base:
            by_base_and_case.setdefault((base, symbol.isupper()), []).append(cls)
    variants = [
        tuple(v for v in by_base_and_case.get((base, symbol.isupper()), []) if v != cls) if base else ()
        for cls, (symbol, base) in enumerate(zip(symbols, bases))
    ]
    return LetterTable(bases, variants)


@dataclass(frozen=True)
class _Run:
    """One character of the greedy CTC decoding and the frames its class holds."""

    char: OcrChar
    cls: int
    first: int
    last: int


def _greedy_runs(
    probabilities: np.ndarray, symbols: list[str], table: LetterTable, alternatives: int = 2
) -> list[_Run]:
    """Greedy CTC decoding of one (time, classes) probability matrix; class 0 is the blank.

    A character's confidence and first runners-up are those of its run's first frame. A
    letter also lists the letters of its base with other marks that its run (and a frame
    either side) gives at least MARK_VARIANT_MIN_PROBABILITY: what the alphabet prior needs
    to weigh its marks ('G' 0.985 with 'Ğ' 0.011, beyond the first two runners-up).
    """
    best = probabilities.argmax(axis=1)
    spans: list[tuple[int, int, int]] = []  # class, first frame, last frame
    previous = -1
    for t, cls in enumerate(best):
        cls = int(cls)
        if cls != 0 and cls == previous:
            spans[-1] = (cls, spans[-1][1], t)
        elif cls != 0:
            spans.append((cls, t, t))
        previous = cls
    runs = []
    for cls, first, last in spans:
        row = probabilities[first]
        runners = [int(r) for r in np.argsort(row)[::-1][1 : 1 + alternatives]]
        listed = {symbols[r]: float(row[r]) for r in runners if r != 0 and row[r] > 0.01}
        variants = table.variants[cls]
        if variants:
            peaks = probabilities[max(0, first - 1) : last + 2, list(variants)].max(axis=0)
            for variant, p in zip(variants, peaks):
                if p >= MARK_VARIANT_MIN_PROBABILITY and symbols[variant] not in listed:
                    listed[symbols[variant]] = float(p)
        alts = sorted(listed.items(), key=lambda item: -item[1])
        runs.append(_Run(OcrChar(symbols[cls], float(row[cls]), alts), cls, first, last))
    return runs


def decode_line(probabilities: np.ndarray, symbols: list[str], table: LetterTable) -> list[OcrChar]:
    """The characters of one line: the greedy decoding without glyphs of other scripts, the
    neighbours of a letter the recogniser left out (letter_gaps) doubted."""
    return [char for char, _ in decode_line_at(probabilities, symbols, table)]


def decode_line_at(probabilities: np.ndarray, symbols: list[str], table: LetterTable) -> list[tuple[OcrChar, float]]:
    """decode_line's characters, each with the frame its run is centred on."""
    runs = _greedy_runs(probabilities, symbols, table)
    doubted = {i + side for i in letter_gaps(probabilities, runs, table) for side in (0, 1)}
    chars = []
    for index, run in enumerate(runs):
        centre = (run.first + run.last + 1) / 2
        # Drop glyphs of other scripts (the Chinese or Cyrillic half of a label).
        if run.char.confidence < MIN_CHAR_CONFIDENCE:
            continue
        if index in doubted and run.char.confidence > DROPPED_LETTER_CONFIDENCE:
            chars.append((replace(run.char, confidence=DROPPED_LETTER_CONFIDENCE), centre))
        else:
            chars.append((run.char, centre))
    return chars


def letter_gaps(probabilities: np.ndarray, runs: list[_Run], table: LetterTable) -> list[int]:
    """Indices of the runs after which the recogniser saw a letter but gave up on it.

    A letter missing from the dictionary ('ầ' in 'Cần') comes out as blank frames where a
    letter should be: a gap of about two characters' pitch between its neighbours, in which a
    letter of the dictionary gets a little probability ('â': 0.013, the blank 0.98). That
    letter is not put in the text (the recogniser did not read it, and some such gaps hold
    only the tail of a wide glyph: 'Udlæendinge'); its neighbours are doubted instead, so
    'Cn Tho' comes back flagged rather than sure.
    """
    if len(runs) < 3:
        return []
    pitch = statistics.median(after.first - before.first for before, after in zip(runs, runs[1:]))
    gaps = []
    for index, (before, after) in enumerate(zip(runs, runs[1:])):
        if after.first - before.first < DROPPED_GAP_PITCHES * pitch:
            continue
        frames = probabilities[before.last + 1 : after.first]
        # The model says "nothing I can name" (blank), not "a glyph of another script".
        frames = frames[frames[:, 0] >= 0.5]
        if len(frames) == 0:
            continue
        # Not the neighbours, in any case or with any mark: their own frames' tails.
        neighbours = {table.bases[before.cls], table.bases[after.cls]}
        peaks = frames.max(axis=0)
        for cls in np.argsort(peaks)[::-1][:8]:
            if table.bases[cls] and table.bases[cls] not in neighbours:
                if peaks[cls] >= DROPPED_LETTER_MIN_PROBABILITY:
                    gaps.append(index)
                break
    return gaps


def prepare_line(crop: Image.Image, squeeze: float = 1.0) -> np.ndarray:
    """One line crop as a (3, 48, W) float array, BGR, scaled to [-1, 1].

    `squeeze` < 1 narrows the line: the recogniser's cost is proportional to width and it
    still reads printed Latin glyphs narrowed to ~0.7 of their width.
    """
    width, height = crop.size
    target_w = max(REC_HEIGHT // 2, int(math.ceil(squeeze * REC_HEIGHT * width / max(1, height))))
    resized = crop.convert("RGB").resize((target_w, REC_HEIGHT), Image.BILINEAR)
    array = np.asarray(resized, dtype=np.float32)[:, :, ::-1] / 255.0
    return ((array - 0.5) / 0.5).transpose(2, 0, 1)


def width_batches(widths: list[int], max_batch: int = MAX_BATCH, max_pad: float = MAX_PAD_FRACTION) -> list[list[int]]:
    """Indices of `widths` grouped into runs: narrowest first, each run at most `max_batch`
    long and no wider than (1 + max_pad) times its narrowest member."""
    batches: list[list[int]] = []
    for i in sorted(range(len(widths)), key=lambda k: widths[k]):
        current = batches[-1] if batches else None
        if current and len(current) < max_batch and widths[i] <= (1 + max_pad) * widths[current[0]]:
            current.append(i)
        else:
            batches.append([i])
    return batches


class TextRecognizer:
    """Latin decoding of the shared recognition model, and its character table."""

    def __init__(self, model_file: Path | None = None, threads: int = 1):
        self.model = RecognitionModel.shared(model_file or model_path("rec"), threads)
        dictionary = self.model.characters
        # PaddleOCR's class layout: blank, the dictionary, then space.
        symbols = ["", *dictionary, " "]
        # Decoding only looks at these classes (blank first), a few hundred of ~18,700.
        self.allowed = np.array([i for i, s in enumerate(symbols) if i == 0 or is_latin_symbol(s)])
        self.symbols = [symbols[i] for i in self.allowed]
        self.letters = letter_table(self.symbols)
        # Letters of the printed languages the dictionary lacks (Vietnamese 'Ầ', 'ụ'...).
        self.unreadable = frozenset(ALL_LETTERS - set(dictionary))
        self.columns = FrameColumns(self.symbols)
        self.spotter = LabelSpotter()
        self.mark_reader: MarkReader | None = MarkReader.shared(threads=threads)

    def read(self, crops: list[Image.Image], squeeze: float = 1.0, spot_labels: bool = False) -> list[OcrLine]:
        """Recognise line images; returns one OcrLine per crop (box left unset), same order.
        `spot_labels`: the crops are label candidates; each line's `spotted_label` is set
        (viz.spot)."""
        prepared = [prepare_line(c, squeeze) for c in crops]
        results: list[OcrLine | None] = [None] * len(prepared)
        for batch_ids in width_batches([p.shape[2] for p in prepared]):
            widest = max(prepared[i].shape[2] for i in batch_ids)
            # Padding with 0 (mid-grey after normalisation) is what the model was trained with.
            batch = np.zeros((len(batch_ids), 3, REC_HEIGHT, widest), dtype=np.float32)
            for slot, i in enumerate(batch_ids):
                batch[slot, :, :, : prepared[i].shape[2]] = prepared[i]
            output = self.model.run(batch)
            frames_per_px = output.shape[1] / widest
            for slot, i in enumerate(batch_ids):
                probabilities = output[slot][:, self.allowed]
                located = decode_line_at(probabilities, self.symbols, self.letters)
                chars = [char for char, _ in located]
                text = "".join(c.char for c in chars)
                confidence = float(np.mean([c.confidence for c in chars])) if chars else 0.0
                results[i] = OcrLine(
                    text=text.strip(), chars=chars, confidence=confidence, unreadable=self.unreadable,
                    char_x=[frame / frames_per_px / prepared[i].shape[2] for _, frame in located],
                    frames=(self.columns.log_ratios(probabilities[: int(math.ceil(prepared[i].shape[2] * frames_per_px))]),),
                )
                if spot_labels:
                    results[i].spotted_label = self.spotter.spot(results[i].frames[0])
        return [r for r in results if r is not None]

    def read_marks(
        self, crops: list[Image.Image], lines: list[OcrLine], alphabet: PageAlphabet | None, squeeze: float = 1.0
    ) -> None:
        """Read from `crops` (the images `lines` were read from, as read) the marks of each
        letter whose base the page can print with other marks (OcrChar.marks, viz.marks), in
        place; nothing when the mark network is not installed. Only letters with such rivals
        are looked at: the network costs a fraction of a millisecond a letter."""
        if self.mark_reader is None or not self.mark_reader.available:
            return
        for crop, line in zip(crops, lines):
            if len(line.char_x) != len(line.chars):
                continue
            # Small letters too where the recogniser cannot output some of their marked forms
            # (Vietnamese vowels): its own reading of their marks cannot be right then.
            unreadable = unreadable_bases(alphabet, line.unreadable)
            asked = [
                (k, rivals) for k, char in enumerate(line.chars)
                if len(rivals := _mark_rivals(char.char, alphabet, base_letter(char.char) in unreadable)) > 1
            ]
            if not asked:
                continue
            grey = (prepare_line(crop, squeeze).mean(axis=0) + 1.0) / 2.0
            centres = [(line.char_x[k] * grey.shape[1], rivals) for k, rivals in asked]
            for (k, _), marks in zip(asked, self.mark_reader.letter_probabilities(grey, centres)):
                line.chars[k] = replace(line.chars[k], marks=marks)


# The letters the recogniser reads a thorn as, and the thorn of each case. A thorn found by
# its shape is given for review: below merge.REVIEW_PRINT_BELOW.
_THORNS = {"P": "Þ", "p": "þ"}
_THORN_LETTERS = frozenset(_THORNS.values())
THORN_CONFIDENCE = 0.6


def read_thorns(
    crops: list[Image.Image], lines: list[OcrLine], alphabet: PageAlphabet | None, squeeze: float = 1.0
) -> None:
    """Where the page prints 'Þ' (viz.thorn), each 'P' or 'p' of `lines` (read from
    `crops`) that the recogniser also saw as a thorn (a runner-up) and that is shaped as
    one becomes one, in place, at most THORN_CONFIDENCE sure."""
    if alphabet is None or "Þ" not in alphabet.letters:
        return
    for crop, line in zip(crops, lines):
        # The recogniser must have seen a thorn there too: blur can take a 'P' its bar.
        asked = [
            k for k, char in enumerate(line.chars)
            if char.char in _THORNS and any(alternative in _THORN_LETTERS for alternative, _ in char.alternatives)
        ]
        if not asked or len(line.char_x) != len(line.chars):
            continue
        grey = (prepare_line(crop, squeeze).mean(axis=0) + 1.0) / 2.0
        thorns = [k for k in asked if is_thorn(grey, line.char_x[k] * grey.shape[1])]
        for k in thorns:
            read = line.chars[k]
            line.chars[k] = OcrChar(_THORNS[read.char], min(THORN_CONFIDENCE, read.confidence), [(read.char, read.confidence)])
        if thorns:
            line.text = "".join(c.char for c in line.chars).strip()


@lru_cache(maxsize=4096)
def _mark_rivals(letter: str, alphabet: PageAlphabet | None, small_too: bool = False) -> tuple[str, ...]:
    """The letters of `letter`'s base and case that the page can print (any, when its
    alphabet is unknown) and the mark network tells apart, the plain letter first; () for a
    character that is no such capital (or, `small_too`, small letter)."""
    # Capitals only, unless asked: passports print their values in capitals, and in small
    # letters the network takes the dot of 'i' and the bar of 't' for marks. A ligature only
    # where the page's own languages write it ('Æ' in Danish, not in French, whose letters
    # every page prints): the network took the 'E' of a blurred "'S-GRAVENHAGE" for one.
    if not letter.isalpha() or not (letter.isupper() or small_too) or letter_marks(letter) is None:
        return ()
    if letter.islower() and base_letter(letter) in "IJ":
        return ()  # their dot is no mark, but the network reads one above them ('Hảỉ Phòng')
    base = base_letter(letter)
    plain = base if letter.isupper() else base.lower()
    letters = alphabet.letters if alphabet is not None else ALL_LETTERS
    same = sorted(
        c for c in letters | {letter}
        if base_letter(c) == base and c.isupper() == letter.isupper() and letter_marks(c) is not None
        and (c not in LIGATURES or (alphabet is not None and LIGATURES[c] in alphabet.split_ligatures))
    )
    return tuple(dict.fromkeys([plain, *same]))
