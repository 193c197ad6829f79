"""Which characters OCR confuses in the OCR-B font of the MRZ, as data."""

from __future__ import annotations

# Glyphs recognisers return for the '<' filler (guillemets, CJK brackets, brackets).
FILLER_GLYPHS = frozenset("<«‹く〈《≪＜(［[{")

# In a digit-only position these letters can only be misread digits.
LETTER_TO_DIGIT = {
    "O": "0", "Q": "0", "D": "0", "U": "0",
    "I": "1", "L": "1", "T": "1",
    "Z": "2", "S": "5", "B": "8", "G": "6", "A": "4",
}

# In a letter-only position these digits can only be misread letters.
DIGIT_TO_LETTER = {
    "0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B",
}

# Pairs the corrector may swap in alphanumeric positions when a check digit fails. Only
# pairs whose check-digit values differ by something other than a multiple of 10: swaps
# such as 'G'/'6', 'U'/'0', 'L'/'1' or 'K'/'<' cannot change any check digit, so no check
# could ever confirm them.
ALNUM_CONFUSIONS = {
    "0": "OQD", "O": "0", "Q": "0", "D": "0",
    "1": "I", "I": "1",
    "8": "B", "B": "8",
    "5": "S", "S": "5",
    "2": "Z", "Z": "2",
    "4": "A", "A": "4",
}

# Pairs the recogniser cannot tell apart in OCR-B: it reads the letter O as the digit 0 (and
# I as 1) about as readily as the digit itself, and gives the other one no probability, so
# its runner-up list says nothing about them. In alphanumeric positions each is as likely as
# the other until a check digit decides (a single swap always changes the check digit).
BLIND_PAIRS = {"0": "O", "O": "0", "1": "I", "I": "1"}

# Look-alike letter/digit twins, the check-invisible 'G'/'6' included: for asking whether a
# reading's look-alike would satisfy the checks as well (mrz.review).
LOOKALIKE_TWINS = {**ALNUM_CONFUSIONS, "6": "G", "G": "6"}

# Digits OCR-B recognisers confuse with each other (tried at a higher cost).
DIGIT_CONFUSIONS = {
    "0": "896", "1": "7", "2": "7", "3": "895", "4": "1", "5": "63", "6": "580",
    "7": "12", "8": "3690", "9": "830",
}

# Letters that can stand for another letter in a country code (used only with the
# country table as referee).
LETTER_CONFUSIONS = {
    "O": "DQ", "D": "O", "Q": "O", "I": "L", "L": "I", "K": "<", "<": "K",
    "M": "N", "N": "M", "E": "F", "F": "E", "C": "G", "G": "C", "U": "V", "V": "U",
}
