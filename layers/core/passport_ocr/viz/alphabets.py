"""Which letters a document's printed text can hold, from its issuing country; readings kept to them.

The MRZ decoder only considers A-Z0-9<; the visual zone has no such bound, and the
recogniser's dictionary holds every accented Latin letter, so a blurred accent can come out
as a letter no language of the page uses ('MÜDÜRLÜČÜ' on a Turkish page: Turkish has Ğ, not
Č). The issuing country tells which languages are printed: its national language(s), and
English and French (ICAO 9303 part 3 labels; many states print foreign place names in
French spellings). Letters beyond A-Z in those languages form the page's alphabet.

A country missing from the table gets no alphabet (None): nothing is restricted.

`restrict_line` treats the alphabet as a decoding prior, the way the MRZ decoder is bound to
its character set: a letter outside it is replaced by the recogniser's best runner-up inside
it, and a national letter offered as a close runner-up wins over its base letter. It is a
prior, not a rule (a place of birth abroad can be printed in its own spelling: 'KRAKÓW' on a
Nigerian page): a foreign letter read surely stays, one read unsurely with no such runner-up
stays with a confidence that says it is doubtful.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..ocr_types import OcrChar, OcrLine

# Letters beyond A-Z, uppercase (lowercase forms are derived), per language (ISO 639-1).
LANGUAGE_LETTERS: dict[str, str] = {
    "en": "",
    "fr": "ÀÂÆÇÉÈÊËÎÏÔŒÙÛÜŸ",
    "de": "ÄÖÜẞ",
    "es": "ÁÉÍÑÓÚÜ",
    "pt": "ÁÂÃÀÇÉÊÍÓÔÕÚÜ",
    "it": "ÀÈÉÌÍÎÒÓÙÚ",
    "ca": "ÀÇÉÈÍÏÒÓÚÜĿ",
    "gl": "ÁÉÍÑÓÚÜ",
    "eu": "ÑÜ",
    "nl": "ÁÉÈËÏÓÖÜĲ",
    "lb": "ÄËÉÖÜ",
    "ga": "ÁÉÍÓÚ",
    "cy": "ÂÊÎÔÛŴŶÀÁÈÉÏ",
    "mt": "ĊĠĦŻÀÈÌÒÙ",
    "sv": "ÅÄÖÉ",
    "no": "ÆØÅÉÈÊÓÒÔ",
    "da": "ÆØÅÉ",
    "fi": "ÅÄÖŠŽ",
    "is": "ÁÐÉÍÓÚÝÞÆÖ",
    "se": "ÁČĐŊŠŦŽ",  # Northern Sami
    "mi": "ĀĒĪŌŪ",  # Māori
    "fo": "ÁÐÍÓÚÝÆØ",
    "et": "ÄÕÖÜŠŽ",
    "lv": "ĀČĒĢĪĶĻŅŠŪŽ",
    "lt": "ĄČĘĖĮŠŲŪŽ",
    "pl": "ĄĆĘŁŃÓŚŹŻ",
    "cs": "ÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ",
    "sk": "ÁÄČĎÉÍĹĽŇÓÔŔŠŤÚÝŽ",
    "hu": "ÁÉÍÓÖŐÚÜŰ",
    "sl": "ČŠŽ",
    "hr": "ČĆĐŠŽ",  # also Bosnian, Montenegrin and Serbian in Latin script
    "ro": "ĂÂÎȘȚŞŢ",  # the cedilla forms are still common in print
    "sq": "ÇË",
    "tr": "ÇĞİÖŞÜÂÎÛ",
    "az": "ÇƏĞİÖŞÜ",
    "tk": "ÄÇŇÖŞÜÝŽ",
    "uz": "ʻ",
    "ku": "ÇÊÎŞÛ",
    "ms": "",
    "id": "",
    "tl": "Ñ",
    "sw": "",
    "ha": "ƁƊƘƳ",
    "yo": "ẸỌṢ",
    "af": "ÊËÉÈÎÏÔÛ",
    "vi": "",  # built below: its letters combine vowels with tone marks
}

# Vietnamese: 12 vowel letters each with five tone marks (or none), plus Đ.
_VI_VOWELS = "AĂÂEÊIOÔƠUƯY"
_VI_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # grave, acute, hook, tilde, dot below
LANGUAGE_LETTERS["vi"] = "Đ" + "".join(
    letter
    for letter in (unicodedata.normalize("NFC", vowel + tone) for vowel in _VI_VOWELS for tone in _VI_TONES)
    if not letter.isascii()
)

# Languages printed on every document besides the national ones.
ALWAYS: tuple[str, ...] = ("en", "fr")

# ICAO 9303 country code (as in the MRZ) -> national languages written in Latin script.
# States whose national script is not Latin print their visual zone in English and French
# (and a transliteration in plain letters): an empty tuple.
COUNTRY_LANGUAGES: dict[str, tuple[str, ...]] = {
    # Europe
    "D": ("de",), "AUT": ("de",), "CHE": ("de", "fr", "it"), "LIE": ("de",), "LUX": ("lb", "de", "fr"),
    "FRA": ("fr",), "MCO": ("fr",), "BEL": ("fr", "nl", "de"), "NLD": ("nl",),
    "ESP": ("es", "ca", "gl", "eu"), "AND": ("ca",), "PRT": ("pt",), "ITA": ("it",), "SMR": ("it",), "VAT": ("it",),
    "GBR": (), "GBD": (), "GBN": (), "GBO": (), "GBP": (), "GBS": (), "IRL": ("ga",), "MLT": ("mt",),
    # Sami place names in the north of Norway, Sweden and Finland.
    "ISL": ("is",), "NOR": ("no", "se"), "SWE": ("sv", "se"), "DNK": ("da", "fo"), "FIN": ("fi", "sv", "se"),
    "EST": ("et",), "LVA": ("lv",), "LTU": ("lt",), "POL": ("pl",),
    # One state until 1993 (places of birth in the other); Slovakia's Hungarian minority.
    "CZE": ("cs", "sk"), "SVK": ("sk", "cs", "hu"),
    "HUN": ("hu",), "SVN": ("sl",), "HRV": ("hr",), "BIH": ("hr",), "MNE": ("hr",), "SRB": ("hr",),
    "ROU": ("ro",), "MDA": ("ro",), "ALB": ("sq",), "RKS": ("sq", "hr"), "XKX": ("sq", "hr"),
    "TUR": ("tr",), "CYP": ("tr",), "AZE": ("az",), "TKM": ("tk",), "UZB": ("uz",),
    "GRC": (), "BGR": (), "MKD": (), "UKR": (), "BLR": (), "RUS": (), "GEO": (), "ARM": (), "KAZ": (),
    # Americas
    "USA": ("es",), "CAN": (), "MEX": ("es",), "BRA": ("pt",), "ARG": ("es",), "CHL": ("es",), "COL": ("es",),
    "PER": ("es",), "VEN": ("es",), "ECU": ("es",), "BOL": ("es",), "PRY": ("es",), "URY": ("es",),
    "CRI": ("es",), "PAN": ("es",), "GTM": ("es",), "HND": ("es",), "SLV": ("es",), "NIC": ("es",),
    "CUB": ("es",), "DOM": ("es",), "HTI": (), "JAM": (), "TTO": (), "BHS": (), "BRB": (),
    # Africa
    "NGA": ("ha", "yo"), "GHA": (), "KEN": ("sw",), "TZA": ("sw",), "UGA": ("sw",), "ZAF": ("af",),
    "MAR": (), "DZA": (), "TUN": (), "EGY": (), "SEN": (), "CIV": (), "CMR": (), "COD": (), "AGO": ("pt",),
    "MOZ": ("pt",), "CPV": ("pt",), "GNB": ("pt",), "STP": ("pt",), "GNQ": ("es",), "ETH": (), "RWA": (),
    # Asia and Oceania
    "VNM": ("vi",), "PHL": ("tl",), "MYS": ("ms",), "IDN": ("id",), "BRN": ("ms",), "SGP": ("ms",),
    "TLS": ("pt",), "CHN": (), "HKG": (), "MAC": ("pt",), "TWN": (), "JPN": (), "KOR": (), "IND": (), "PAK": (),
    "BGD": (), "LKA": (), "NPL": (), "THA": (), "KHM": (), "LAO": (), "MMR": (), "MNG": (), "IRQ": ("ku",),
    "IRN": (), "ISR": (), "SAU": (), "ARE": (), "QAT": (), "KWT": (), "JOR": (), "LBN": (), "AUS": (), "NZL": ("mi",),
}


@dataclass(frozen=True)
class PageAlphabet:
    """The letters beyond A-Z (both cases) a page can print, and those of them its national
    languages use (the rest are English and French)."""

    letters: frozenset[str]
    national: frozenset[str]


def _letters(languages: tuple[str, ...]) -> frozenset[str]:
    letters: set[str] = set()
    for language in languages:
        for upper in LANGUAGE_LETTERS[language]:
            letters.add(upper)
            letters.update(c for c in upper.lower() if c.isalpha() and not c.isascii())
    if "İ" in letters:
        letters.add("ı")  # Turkish and Azerbaijani dotless lowercase i
    return frozenset(letters)


@lru_cache(maxsize=256)
def page_alphabet(country: str | None) -> PageAlphabet | None:
    """The alphabet of the issuing country's pages, or None when the country is unknown
    (then any letter is possible)."""
    code = (country or "").strip("<")
    if code not in COUNTRY_LANGUAGES:
        return None
    national = COUNTRY_LANGUAGES[code]
    return PageAlphabet(_letters(national + ALWAYS), _letters(national))


def fits(char: str, alphabet: PageAlphabet | None) -> bool:
    """Whether `char` can be printed on a page of `alphabet`: anything but a letter beyond
    A-Z outside it (digits, punctuation and plain letters always can)."""
    return alphabet is None or char.isascii() or not char.isalpha() or char in alphabet.letters


# How likely a letter outside the page's alphabet is to be printed there (a place of birth
# abroad in its own spelling) rather than a misread accent ('MÜDÜRLÜČÜ' for 'MÜDÜRLÜĞÜ'),
# as odds against a letter of the alphabet: the recogniser's probability for such a letter
# is weighed down by this much. A foreign letter read surely (0.99) stays; one read at 0.8
# gives way to a runner-up of the alphabet, or is kept with a confidence that flags it.
FOREIGN_LETTER_ODDS = 0.05
# The recogniser, trained on text of many languages, reads a blurred national letter as its
# base letter far more often than the reverse ('KOLN' for 'KÖLN', 'WROCLAW' for 'WROCŁAW'):
# a national letter of the page (beyond A-Z, not English or French) weighs this much more.
# A runner-up with half the top reading's probability wins; one far behind stays a
# runner-up, but lowers the confidence of the top reading.
NATIONAL_LETTER_WEIGHT = 2.0


def _weight(letter: str, probability: float, alphabet: PageAlphabet) -> float:
    if not fits(letter, alphabet):
        return probability * FOREIGN_LETTER_ODDS
    return probability * NATIONAL_LETTER_WEIGHT if letter in alphabet.national else probability


def restrict_char(char: OcrChar, alphabet: PageAlphabet | None) -> OcrChar:
    """The likeliest of `char` and its runners-up, the recogniser's probabilities weighed by
    the page's alphabet (Bayes: FOREIGN_LETTER_ODDS, NATIONAL_LETTER_WEIGHT); `char` itself
    when the alphabet has nothing to say (a fitting reading with no national runner-up).

    The confidence is the chosen letter's share of the weighed probability, the classes the
    recogniser did not list counting as plain letters (any could be the printed one), and
    never more than the recogniser's own for a reading kept: honest, and low when the
    recogniser offered nothing better or the runner-up is close. The case is the reading's:
    the recogniser tells a capital from a small letter by size better than it tells accents
    apart.
    """
    if alphabet is None or (
        fits(char.char, alphabet) and not any(alt in alphabet.national for alt, _ in char.alternatives)
    ):
        return char
    readings = [(char.char, char.confidence), *char.alternatives]
    unlisted = max(0.0, 1.0 - sum(p for _, p in readings))
    total = sum(_weight(letter, p, alphabet) for letter, p in readings) + unlisted
    letters = [item for item in readings if item[0].isalpha()]
    if not letters:
        return char
    best, probability = max(letters, key=lambda item: _weight(*item, alphabet))
    share = _weight(best, probability, alphabet) / total
    if best == char.char:
        return OcrChar(char.char, min(char.confidence, share), char.alternatives)
    letter = best.upper() if char.char.isupper() else best.lower()
    if len(letter) != 1 or not fits(letter, alphabet):
        letter = best  # 'ß' has no one-letter capital, 'İ' no one-letter small form
    return OcrChar(letter, share, [item for item in readings if item[0] != best])


def restrict_line(line: OcrLine, alphabet: PageAlphabet | None) -> OcrLine:
    """`line` with every letter weighed by `alphabet` (the line itself when nothing changes,
    or when its characters do not spell its text: an engine without per-character evidence)."""
    if alphabet is None or "".join(c.char for c in line.chars).strip() != line.text:
        return line
    chars = [restrict_char(c, alphabet) for c in line.chars]
    if all(new is old for new, old in zip(chars, line.chars)):
        return line
    text = "".join(c.char for c in chars).strip()
    return OcrLine(text=text, chars=chars, box=line.box, confidence=line.confidence)
