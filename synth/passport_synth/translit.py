"""Latin names to MRZ characters, per ICAO 9303 part 3 (transliteration of national characters).

The printed zone keeps the national spelling; only the MRZ is reduced to A-Z and '<'.
"""

from __future__ import annotations

import unicodedata

# Characters whose ICAO transliteration is not simply "drop the accent".
_MULTI_LETTER = {
    "Æ": "AE",
    "Ø": "OE",
    "Å": "AA",
    "ß": "SS",
    "Œ": "OE",
    "Þ": "TH",
    "Ĳ": "IJ",
    "Ð": "D",
    "Đ": "D",
    "Ł": "L",
    "Ħ": "H",
}
# German-style umlauts: ICAO recommends AE/OE/UE; some states (e.g. Turkey, Hungary) drop the dots.
_UMLAUTS = {"Ä": "AE", "Ö": "OE", "Ü": "UE"}
# Characters that separate name parts become a filler; these vanish altogether.
_DROPPED = {"'", "’", "‘", ".", ","}


def to_mrz(name: str, expand_umlauts: bool = True) -> str:
    """One printed name (words separated by spaces or hyphens) in MRZ letters, words spaced."""
    out = []
    for char in name.upper():
        if char in _DROPPED:
            continue
        if char in (" ", "-"):
            out.append(" ")
        elif expand_umlauts and char in _UMLAUTS:
            out.append(_UMLAUTS[char])
        elif char in _MULTI_LETTER:
            out.append(_MULTI_LETTER[char])
        elif "A" <= char <= "Z":
            out.append(char)
        else:
            base = unicodedata.normalize("NFD", char)[0]
            if not ("A" <= base <= "Z"):
                raise ValueError(f"no MRZ transliteration for {char!r} in {name!r}")
            out.append(base)
    return " ".join("".join(out).split())
