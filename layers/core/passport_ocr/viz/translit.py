"""Printed names in MRZ letters (ICAO 9303 part 3, transliteration of Latin national characters).

Several national characters have two accepted MRZ spellings (Ü -> UE or U); `mrz_spellings`
returns every spelling so that a printed name can be compared with the MRZ it should match.
"""

from __future__ import annotations

import itertools
import unicodedata

# Characters that are not simply their base letter without the accent.
MULTI_LETTER: dict[str, tuple[str, ...]] = {
    "Æ": ("AE",), "Ø": ("OE",), "Å": ("AA", "A"), "ß": ("SS",), "ẞ": ("SS",), "Œ": ("OE",), "Þ": ("TH",),
    "Ĳ": ("IJ",), "Ð": ("D",), "Đ": ("D",), "Ł": ("L",), "Ħ": ("H",), "Ŋ": ("N",), "Ŀ": ("L",),
    # German-style umlauts: ICAO recommends AE/OE/UE, many states print the plain vowel.
    "Ä": ("AE", "A"), "Ö": ("OE", "O"), "Ü": ("UE", "U"),
}
# Separators inside names become the MRZ filler (a space in the record); these just vanish.
DROPPED = set("'’‘`.,")
SEPARATORS = set(" -‐–/")
_MAX_SPELLINGS = 16


def _letter_options(char: str) -> tuple[str, ...]:
    if char in MULTI_LETTER:
        return MULTI_LETTER[char]
    if "A" <= char <= "Z":
        return (char,)
    base = unicodedata.normalize("NFD", char)[0]
    return (base,) if "A" <= base <= "Z" else ("",)


def mrz_spellings(printed: str) -> list[str]:
    """The MRZ spellings of a printed name, words separated by single spaces, ICAO's first."""
    options: list[tuple[str, ...]] = []
    for char in printed.upper() if "ß" not in printed else printed.replace("ß", "ẞ").upper():
        if char in DROPPED:
            continue
        options.append((" ",) if char in SEPARATORS else _letter_options(char))
    spellings = []
    for combination in itertools.islice(itertools.product(*options), _MAX_SPELLINGS):
        spelling = " ".join("".join(combination).split())
        if spelling not in spellings:
            spellings.append(spelling)
    return spellings


def extends(mrz_name: str, spelling: str) -> bool:
    """Whether an MRZ name is a cut-down `spelling`: a plain prefix, or each word a prefix of the
    corresponding word (issuers shorten long names word by word down to initials)."""
    if not mrz_name or len(spelling.replace(" ", "")) <= len(mrz_name.replace(" ", "")):
        return False
    if spelling.startswith(mrz_name):
        return True
    mrz_words, printed_words = mrz_name.split(), spelling.split()
    return len(mrz_words) <= len(printed_words) and all(p.startswith(m) for m, p in zip(mrz_words, printed_words))
