"""One MRZ block corrected: field-type maps, country table, misread fillers, check-digit search."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..record import Correction, MrzCheck, Warning
from .align import Block
from .cells import FILLER_RUNNER_UP, Cell, filler_odds
from .checks import effective_checks, evaluate
from .correct import apply_field_types, apply_search, fix_country_code, search
from .countries import is_known_country
from .formats import CheckSpec, FieldSpec, Layout, position_kinds
from .names import repair_fillers


@dataclass
class Reading:
    """Working state while one block is corrected and turned into fields."""

    layout: Layout
    lines: list[list[Cell]]
    corrections: list[Correction] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    doubtful: set[str] = field(default_factory=set)  # fields a heuristic repair left in doubt

    def text(self, spec: FieldSpec) -> str:
        return "".join(c.char for c in self.lines[spec.line][spec.start : spec.end])

    def warn(self, code: str, message: str, field_name: str | None, severity: str = "error") -> None:
        if not any(w.code == code and w.field == field_name for w in self.warnings):
            self.warnings.append(Warning(code, message, field_name, severity))

    def set_char(self, line: int, pos: int, char: str, reason: str) -> None:
        old = self.lines[line][pos]
        if old.char == char:
            return
        self.corrections.append(Correction(line, pos, old.char, char, reason))
        self.lines[line][pos] = replace(old, char=char, confidence=min(old.confidence, 0.7))


    def texts(self) -> list[str]:
        return ["".join(c.char for c in cells) for cells in self.lines]


@dataclass
class Corrected:
    """A block after correction: the reading, each check with its outcome, and the positions
    where two readings satisfied every check about equally well."""

    reading: Reading
    checked: list[tuple[CheckSpec, MrzCheck]]
    ambiguous: set[tuple[int, int]]


def _repair_misread_fillers(reading: Reading) -> None:
    """'<' read as 'K' in the name and the alphanumeric fields (no check digit can tell)."""
    layout = reading.layout
    for spec in layout.fields:
        if spec.kind not in ("name", "alnum") or spec.name == "document_number":
            continue
        text = reading.text(spec)
        own_check = layout.check(spec.check) if spec.check else None
        printed = reading.lines[own_check.line][own_check.position].char if own_check else None
        if own_check and own_check.filler_allowed and printed == "<" and set(text) <= {"<", "K"}:
            # The check digit says the field is all fillers.
            for offset, char in enumerate(text):
                reading.set_char(spec.line, spec.start + offset, "<", "filler")
            continue
        repair = repair_fillers(text)
        for offset in repair.changed:
            reading.set_char(spec.line, spec.start + offset, "<", "filler")
        if repair.doubtful:
            reading.doubtful.add(spec.name)
        if spec.kind == "name":
            _clear_padding_after_the_names(reading, spec)
            _drop_filler_runs_at_name_end(reading, spec)
    code = layout.field("document_code")
    second = reading.lines[code.line][code.start + 1]
    if second.char == "K":
        # No document code has 'K' second: it is the filler of 'P<', 'I<', ...
        reading.set_char(code.line, code.start + 1, "<", "filler")
    elif second.char != "<" and any(a == "<" for a, _ in second.alternatives):
        # 'PC' where the recogniser also saw 'P<': a blurred filler reads as 'C'. On passports
        # and visas a second letter is the exception ('PD', 'PS' for diplomatic and service
        # passports): any '<' runner-up makes it doubtful, and a filler look-alike the
        # recogniser also saw as '<' is taken for the filler. ID cards and other documents
        # use second letters routinely ('ID', 'IR', 'AC'): only a strong '<' runner-up counts.
        first = reading.lines[code.line][code.start].char
        seen_as_filler = filler_odds(second) >= FILLER_RUNNER_UP
        message = f"{second.char!r} after the document type may be a misread '<' filler"
        passport_or_visa = first in "PV"
        if passport_or_visa and second.char in FILLER_LOOKALIKES and seen_as_filler:
            reading.set_char(code.line, code.start + 1, "<", "filler")
            message = f"read {second.char!r} after the document type, taken for a blurred '<' filler"
        if passport_or_visa or seen_as_filler:
            reading.warn("low_confidence", message, "document_code")
    number = reading.text(layout.field("document_number"))
    if number.rstrip("<").endswith("K"):
        reading.warn(
            "ambiguous_character",
            "the document number ends in 'K', which may be a misread '<' filler (no check digit can tell)",
            "document_number",
        )


# Letters a blurred '<' is read as.
FILLER_LOOKALIKES = frozenset("CEKLX")
# The share of fillers the padding after the names keeps when some were misread as letters.
PADDING_MIN_FILLER_SHARE = 0.7


def _clear_padding_after_the_names(reading: Reading, spec: FieldSpec) -> None:
    """Letters in the padding after the given names are misread fillers ('GAEL<<<<<<C<CK<').

    ICAO 9303 separates name parts by one '<' and the surname from the given names by two,
    so three fillers in a row after the given names begin can only be padding: from there
    to the end of the field every character is '<'. Characters the recogniser also saw as
    '<' (and 'C', 'K' with any '<' runner-up) are cleared; anything else stays.
    """
    text = reading.text(spec)
    separator = text.find("<<")
    if separator < 0:
        return
    padding = text.find("<<<", separator + 2)
    if padding < 0:
        return
    tail = text[padding:]
    if tail.count("<") < PADDING_MIN_FILLER_SHARE * len(tail):
        return  # more letters than a misread padding has: a shifted line, not padding
    cells = reading.lines[spec.line]
    for offset in range(padding, len(text)):
        cell = cells[spec.start + offset]
        if cell.char == "<":
            continue
        odds = filler_odds(cell)
        if odds >= FILLER_RUNNER_UP or (cell.char in "CK" and odds > 0):
            reading.set_char(spec.line, spec.start + offset, "<", "filler")


def _drop_filler_runs_at_name_end(reading: Reading, spec: FieldSpec) -> None:
    """A run of characters after the name's last '<<', followed only by fillers, in which the
    recogniser had '<' as a runner-up for every character, is the filler run read as letters
    ('MEI<HUA<<<<CCC<<'): blurred fillers look like 'C' and 'K'."""
    cells = reading.lines[spec.line][spec.start : spec.end]
    while True:
        text = "".join(c.char for c in cells).rstrip("<")
        run_start = len(text)
        while run_start > 0 and text[run_start - 1] != "<":
            run_start -= 1
        if run_start < 2 or text[run_start - 2 : run_start] != "<<" or run_start == len(text):
            return
        run = cells[run_start : len(text)]
        if not all(c.char == "K" or filler_odds(c) >= FILLER_RUNNER_UP for c in run):
            return
        for offset in range(run_start, len(text)):
            reading.set_char(spec.line, spec.start + offset, "<", "filler")
        cells = reading.lines[spec.line][spec.start : spec.end]


def _keep_unknown_code_as_read(reading: Reading, block: Block, spec: FieldSpec) -> None:
    """A country code that no correction made a known one stays as the recogniser read it.

    Digits read in a code field are mapped to letters first ('1' to 'I'), as look-alikes of
    a code's letters; when that makes no code of the table either, the mapping had nothing to
    go on: no check digit covers a code. Some issuers print numbers there (an old Romanian
    card's nationality is '132'), and a reader must flag an unknown code, not rewrite it.
    """
    if is_known_country(reading.text(spec).rstrip("<")):
        return
    positions = {(spec.line, p) for p in range(spec.start, spec.end)}
    mapped = [c for c in reading.corrections if (c.line, c.position) in positions and c.reason == "field_type"]
    if not mapped:
        return
    for correction in mapped:
        reading.lines[correction.line][correction.position] = block.lines[correction.line][correction.position]
    reading.corrections = [c for c in reading.corrections if c not in mapped]


def correct_block(block: Block) -> Corrected:
    layout = block.layout
    kinds = position_kinds(layout)
    reading = Reading(layout, [list(cells) for cells in block.lines], list(block.corrections))
    reading.corrections += apply_field_types(reading.lines, layout, kinds)
    for spec in layout.fields:
        if spec.kind == "country":
            reading.corrections += fix_country_code(reading.lines, spec.line, spec.start, spec.length)
            _keep_unknown_code_as_read(reading, block, spec)
    _repair_misread_fillers(reading)
    checks = effective_checks(layout, reading.texts())
    outcome = search(reading.lines, layout, checks, kinds)
    reading.corrections += apply_search(reading.lines, outcome)
    texts = reading.texts()
    # The search may have changed where an overflowing document number ends.
    checks = effective_checks(layout, texts)
    return Corrected(reading, [(c, evaluate(c, texts)) for c in checks], outcome.ambiguous_positions)
