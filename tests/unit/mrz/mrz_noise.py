"""Realistic OCR noise on true MRZ lines, seeded: what the corrector is tested against.

Modelled on what OCR engines do to the OCR-B MRZ: look-alike letter/digit swaps (O/0, I/1,
B/8, S/5, Z/2, G/6, A/4), digit/digit misreads (8/3, 5/6, 1/7), '<' read as 'K' (a whole
line's fillers, or a single one), other filler glyphs ('«', '‹', '(', ...), fillers dropped
or added inside runs, stray spaces, a line split in two, and junk lines from the rest of the
page. Corrupted characters get a lower confidence and, half the time, the true character as
the recogniser's runner-up, like engines with per-character evidence.
Not injected: 'D'/'Q'/'U' read as '0' in names (no map could tell which letter it was).
"""

from __future__ import annotations

import random

from passport_ocr.ocr_types import OcrChar, OcrLine

LOOKALIKES = {
    "O": "0", "0": "O", "I": "1", "1": "I", "B": "8", "8": "B", "S": "5", "5": "S",
    "Z": "2", "2": "Z", "G": "6", "6": "G", "A": "4", "4": "A",
}
DIGIT_MISREADS = {"8": "3", "3": "8", "5": "6", "6": "5", "1": "7", "7": "1", "0": "8"}
FILLER_GLYPHS = "«‹(["
JUNK = ["PASSPORT", "PASSEPORT / REISEPASS", "Surname / Nom", "12 AUG 74", "REPUBLIC OF UTOPIA", "Type P"]


def _char(truth_char: str, read: str, rng: random.Random) -> OcrChar:
    if read == truth_char:
        return OcrChar(read, rng.uniform(0.9, 0.999))
    alternatives = [(truth_char, rng.uniform(0.2, 0.45))] if rng.random() < 0.5 and truth_char != " " else []
    return OcrChar(read, rng.uniform(0.45, 0.8), alternatives)


def _evidence_char(truth_char: str, read: str, rng: random.Random) -> OcrChar:
    """Like the local engine: the runners-up account for the probability the read char
    lacks (it lists everything above 1%), and a misread has the truth among them."""
    if read == truth_char:
        confidence = rng.uniform(0.85, 0.999)
        rest = 1.0 - confidence
        other = LOOKALIKES.get(read) or ("C" if read == "<" else "<")
        return OcrChar(read, confidence, [(other, rest)] if rest >= 0.01 else [])
    confidence = rng.uniform(0.45, 0.8)
    rest = 1.0 - confidence
    truth_share = rng.uniform(0.6, 0.95) if truth_char != " " else 0.0
    alternatives = [(truth_char, rest * truth_share)] if truth_share else []
    spare = rest * (1 - truth_share)
    if spare >= 0.01:
        alternatives.append((rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<".replace(read, "")), spare))
    alternatives.sort(key=lambda ap: -ap[1])
    return OcrChar(read, confidence, alternatives)


def corrupt_line(truth: str, rng: random.Random, rate: float) -> list[tuple[str, str]]:
    """(true char, read char) pairs; a read char of '' is a dropped filler."""
    k_line = rng.random() < 0.12
    glyph_line = rng.choice(FILLER_GLYPHS) if rng.random() < 0.1 else None
    pairs = []
    for char in truth:
        read = char
        roll = rng.random()
        if char == "<":
            if k_line and rng.random() < 0.9:
                read = "K"
            elif roll < rate * 0.5:
                read = "K"
            elif glyph_line:
                read = glyph_line
        elif roll < rate and char in LOOKALIKES:
            read = LOOKALIKES[char]
        elif roll < rate * 1.3 and char in DIGIT_MISREADS:
            read = DIGIT_MISREADS[char]
        pairs.append((char, read))
    if rng.random() < 0.25:
        runs = [i for i in range(1, len(pairs)) if truth[i] == "<" and truth[i - 1] == "<"]
        if runs:
            at = rng.choice(runs)
            if rng.random() < 0.5:
                pairs[at] = ("<", "")  # a filler the OCR did not see
            else:
                pairs.insert(at, ("<", pairs[at][1] or "<"))  # a filler it saw twice
    return pairs


def _ocr_line(pairs: list[tuple[str, str]], rng: random.Random, evidence: bool = False) -> OcrLine:
    chars = [(_evidence_char if evidence else _char)(t, r, rng) for t, r in pairs if r]
    if rng.random() < 0.1 and len(chars) > 10:
        chars.insert(rng.randrange(5, len(chars) - 5), OcrChar(" ", 0.6))
    text = "".join(c.char for c in chars)
    if not evidence and rng.random() < 0.4:  # an engine without per-character evidence
        return OcrLine.plain(text, confidence=0.9)
    return OcrLine(text=text, chars=chars, confidence=sum(c.confidence for c in chars) / len(chars))


def corrupt(mrz: list[str], seed: int, rate: float = 0.03, evidence: bool = False) -> list[OcrLine]:
    """The OCR lines of a page whose true MRZ is `mrz`; with `evidence`, every line comes
    from an engine that reports complete runners-up (the local engine)."""
    rng = random.Random(seed)
    lines = []
    if rng.random() < 0.5:
        lines += [OcrLine.plain(rng.choice(JUNK)) for _ in range(rng.randint(1, 3))]
    for truth in mrz:
        line = _ocr_line(corrupt_line(truth, rng, rate), rng, evidence)
        if rng.random() < 0.05:
            cut = rng.randrange(10, len(line.text) - 10)
            lines.append(OcrLine(line.text[:cut], line.chars[:cut], confidence=line.confidence))
            lines.append(OcrLine(line.text[cut:], line.chars[cut:], confidence=line.confidence))
        else:
            lines.append(line)
    if rng.random() < 0.3:
        lines.append(OcrLine.plain(rng.choice(JUNK)))
    return lines
