"""ICAO 9303 check digits: weights 7-3-1 over character values, modulo 10."""

from __future__ import annotations

WEIGHTS = (7, 3, 1)


def char_value(char: str) -> int:
    """'<' counts 0, digits themselves, A=10 .. Z=35. Anything else is not MRZ text."""
    if char == "<":
        return 0
    if "0" <= char <= "9":
        return ord(char) - ord("0")
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    raise ValueError(f"not an MRZ character: {char!r}")


def weighted_sum(text: str) -> int:
    return sum(char_value(c) * WEIGHTS[i % 3] for i, c in enumerate(text))


def check_digit(text: str) -> str:
    """The check digit ICAO 9303 prints after `text`."""
    return str(weighted_sum(text) % 10)


def is_mrz_char(char: str) -> bool:
    return char == "<" or "0" <= char <= "9" or "A" <= char <= "Z"
