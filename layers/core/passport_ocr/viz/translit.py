"""Printed names in MRZ letters (ICAO 9303 part 3, transliteration of Latin national characters).

Several national characters have two accepted MRZ spellings (Ü -> UE or U); `mrz_spellings`
returns every spelling so that a printed name can be compared with the MRZ it should match.

Names are compared word by word (`spells`, `completed_name`), and a printed vowel may stand
for the MRZ's vowel and 'E' whatever mark it was read with: the recogniser reads a blurred
'Ö' as 'Ó' or 'O' far more often than a page prints another name ('BJÓRN' is 'BJOERN').
"""

from __future__ import annotations

import itertools
import re
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


# The MRZ's 'E' after a vowel, which the German-style umlauts add (Ä -> AE, Ö -> OE, Ü -> UE).
_UMLAUT_E = re.compile(r"(?<=[AOU])E")
_WORD_SEPARATORS = re.compile("[" + re.escape("".join(sorted(SEPARATORS))) + "]+")


def _printed_words(printed: str) -> list[str]:
    kept = "".join(char for char in printed if char not in DROPPED)
    return [word for word in _WORD_SEPARATORS.split(kept) if word]


def _word_spells(mrz_word: str, printed_word: str) -> bool:
    """Whether one printed word is `mrz_word` in MRZ letters, its marks read or misread."""
    spellings = mrz_spellings(printed_word)
    if mrz_word in spellings:
        return True
    plain = _UMLAUT_E.sub("", mrz_word)
    return any(_UMLAUT_E.sub("", spelling) == plain for spelling in spellings)


def spells(mrz_name: str, printed: str) -> bool:
    """Whether `printed` is the MRZ name `mrz_name` (words separated by spaces) in MRZ letters."""
    mrz_words, printed_words = mrz_name.split(), _printed_words(printed)
    return bool(mrz_words) and len(mrz_words) == len(printed_words) and all(map(_word_spells, mrz_words, printed_words))


def completed_name(mrz_name: str, printed: str) -> str | None:
    """The MRZ name an issuer cut (`mrz_name`) completed from its printed form, or None when
    `printed` does not go on from it. The words the MRZ holds whole keep its spelling (the
    printed marks may be misread); a word it cut, and the words it dropped, are spelt from
    the print (ICAO's spelling first). Issuers cut a name at its end or word by word."""
    mrz_words, printed_words = mrz_name.split(), _printed_words(printed)
    if not mrz_words or len(printed_words) < len(mrz_words):
        return None
    completed = []
    for mrz_word, printed_word in zip(mrz_words, printed_words):
        if _word_spells(mrz_word, printed_word):
            completed.append(mrz_word)
            continue
        longer = [s for s in mrz_spellings(printed_word) if s.startswith(mrz_word) and len(s) > len(mrz_word)]
        if not longer:
            return None
        completed.append(longer[0])
    completed += [mrz_spellings(word)[0] for word in printed_words[len(mrz_words):] if mrz_spellings(word)[0]]
    name = " ".join(completed)
    return name if len(name.replace(" ", "")) > len(mrz_name.replace(" ", "")) else None
