"""Which letters a document's printed text can hold, from its issuing country; readings kept to them.

The MRZ decoder only considers A-Z0-9<; the visual zone has no such bound, and the
recogniser's dictionary holds almost every accented Latin letter, so a blurred accent can
come out as a letter no language of the page uses ('MÜDÜRLÜČÜ' on a Turkish page: Turkish has Ğ, not
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

The recogniser is also far surer of marks than it is right about them (a plain 'G' for 'Ğ'
at 0.985), and it cannot output the Vietnamese letters with two marks or a dot below at all
(its dictionary lacks them): `doubt_marks` lowers the confidence of a letter the page could
print with other marks, so a field whose accent may be wrong is flagged rather than given
as sure.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
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

# Languages whose letters a state's pages print too, beyond its own: names and places of
# birth cross the borders of the Nordic Passport Union ('TROMSØ' as the place of birth on a
# Swedish passport, a Danish holder named 'ÅSA'). They get no national preference
# (restrict_line), only a place among the letters the marks are read for.
_NORDIC = ("sv", "no", "da", "fi", "is")
NEIGHBOUR_LANGUAGES: dict[str, tuple[str, ...]] = {code: _NORDIC for code in ("SWE", "NOR", "DNK", "FIN", "ISL")}


@dataclass(frozen=True)
class PageAlphabet:
    """The letters beyond A-Z (both cases) a page can print, and those of them its national
    languages use (the rest are English and French)."""

    letters: frozenset[str]
    national: frozenset[str]
    # Letter pairs that may be one letter of the national languages read as two ('AE', 'ae'
    # for 'Æ' on a Danish page): doubt_split_ligatures.
    split_ligatures: frozenset[str] = frozenset()


def _letters(languages: tuple[str, ...]) -> frozenset[str]:
    letters: set[str] = set()
    for language in languages:
        for upper in LANGUAGE_LETTERS[language]:
            letters.add(upper)
            letters.update(c for c in upper.lower() if c.isalpha() and not c.isascii())
    if "İ" in letters:
        letters.add("ı")  # Turkish and Azerbaijani dotless lowercase i
    return frozenset(letters)


# Every letter of the table, both cases: what a page of an unknown country may print.
ALL_LETTERS = _letters(tuple(LANGUAGE_LETTERS))


# Letters the recogniser may read as the two letters they join: 'UDLÆNDINGE' came out as
# 'UDLAENDINGE' at full confidence on generated Danish pages (given wrong, unflagged), as
# 'UDLENDINGE' on others. Each letter's pair, and the languages that write the letter as one
# of their alphabet's: not French, which has 'Æ' in a few borrowed words and 'AE' in names
# ('RAPHAEL').
SPLIT_LIGATURES = {"Æ": ("AE", ("da", "no", "is", "fo"))}
# Each ligature of both cases and its pair ('æ' -> 'ae').
LIGATURES = {case(ligature): case(pair) for ligature, (pair, _) in SPLIT_LIGATURES.items() for case in (str.upper, str.lower)}


@lru_cache(maxsize=256)
def page_alphabet(country: str | None) -> PageAlphabet | None:
    """The alphabet of the issuing country's pages, or None when the country is unknown
    (then any letter is possible)."""
    code = (country or "").strip("<")
    if code not in COUNTRY_LANGUAGES:
        return None
    national = COUNTRY_LANGUAGES[code]
    printed = national + NEIGHBOUR_LANGUAGES.get(code, ())
    ligatures = frozenset(
        spelling
        for pair, languages in SPLIT_LIGATURES.values()
        if set(languages) & set(printed)
        for spelling in (pair, pair.lower())
    )
    return PageAlphabet(_letters(printed + ALWAYS), _letters(national), ligatures)


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
# A runner-up with a tenth of the top reading's probability wins. Measured on 561 value and
# name lines of 160 generated pages: 2 -> 10 puts 18 more lines right and none wrong, the
# count is the same from 7 to 15, and 20 starts reading plain letters as national ones
# ('PAÚLO', 'Virtänen').
NATIONAL_LETTER_WEIGHT = 10.0
# The recogniser is far surer of marks than it is right about them: on the same lines,
# letters it read right had a probability of at least 0.9955 nine times in ten, letters read
# with a wrong or missing mark a median of 0.86 (0.98 at the upper quartile), and it gave
# the right letter of the same base a little probability ('G' 0.985, 'Ğ' 0.011). A letter
# the page could print with other marks keeps this many times the doubt the recogniser gives
# it: 1 - its probability, plus what it gives the letters of the same base (weighed as
# runners-up in restrict_char). Below 0.7 a place or an authority is flagged. On the 266
# place and authority lines of 160 generated pages (231 read right, 35 with a wrong mark),
# the wrong ones left unflagged and the right ones flagged are 16 and 27 without the doubt,
# 9 and 44 with 2, 7 and 48 with 3, 5 and 55 with 5, 3 and 73 with 10.
MARK_DOUBT_FACTOR = 3.0
# A marked letter read on a page that prints letters of the same base the recogniser lacks
# (Vietnamese 'Ầ', 'Ả', 'Ụ': missing from its dictionary, read as 'Â', 'Á', 'U' or dropped)
# may be one of those; on generated Vietnamese pages it was right 2 times in 21.
UNREADABLE_RIVAL_CONFIDENCE = 0.1
# Letters with no decomposition into a letter and marks: the letter they are read as when
# what sets them apart is lost (a stroke; the bowl of 'Þ' standing on its stem, read 'P' in
# 'PJÓDSKRÁ' on generated Icelandic pages; the A of 'Æ', read 'E' in 'UDLENDINGE').
_READ_AS = {"Ø": "O", "Ł": "L", "Đ": "D", "Ð": "D", "Ħ": "H", "Ŧ": "T", "Ɨ": "I", "Þ": "P", "Æ": "E"}
# Capitals drawn alike: the recogniser cannot tell them apart, so where the page prints only
# one of them, a reading of the other is a reading of it ('Đ' offered for Icelandic 'Ð').
_TWINS = {"Đ": "Ð", "Ð": "Đ"}


def base_letter(letter: str) -> str:
    """The capital letter `letter` is written on, without its marks ('ğ' -> 'G', 'Ø' -> 'O')."""
    capital = letter.upper()
    capital = _READ_AS.get(capital, capital)
    return unicodedata.normalize("NFD", capital)[:1]


@lru_cache(maxsize=64)
def unreadable_bases(alphabet: PageAlphabet | None, unreadable: frozenset[str]) -> frozenset[str]:
    """The base letters (capitals) of the letters the page prints that the recogniser
    cannot output (`unreadable`): letters it may have dropped, or read with marks it could
    not have read right ('Ụ' as 'U', 'Ấ' as 'Á' on a Vietnamese page). Only A-Z: a letter of
    its own ('ẞ') has no base another reader could give."""
    if alphabet is None:
        return frozenset()
    return frozenset(base for c in alphabet.letters & unreadable if "A" <= (base := base_letter(c)) <= "Z")


def base_confidence(char: OcrChar) -> float:
    """How sure the recogniser is of `char`'s letter whatever its marks: the probability of
    the letter read and of its runners-up of the same base ('Ú' 0.5 and 'Û' 0.45 are a sure
    'U'); a character that is no letter, its own confidence."""
    if not char.char.isalpha():
        return char.confidence
    base = base_letter(char.char)
    return min(1.0, char.confidence + sum(p for a, p in char.alternatives if a.isalpha() and base_letter(a) == base))


def _fitting_twins(char: OcrChar, alphabet: PageAlphabet | None) -> OcrChar:
    """`char` with a reading or runner-up the page cannot print replaced by its twin it can."""
    def fitting(letter: str) -> str:
        twin = _TWINS.get(letter)
        return twin if twin and not fits(letter, alphabet) and fits(twin, alphabet) else letter

    if not any(letter in _TWINS for letter, _ in [(char.char, 0), *char.alternatives]):
        return char
    return replace(char, char=fitting(char.char), alternatives=[(fitting(a), p) for a, p in char.alternatives])


def _national_weight(read: OcrChar, alphabet: PageAlphabet | None) -> float:
    """What a national letter weighs against the recogniser's reading `read`. The weight is
    what a plain reading owes the letters its mark may have been lost from, and a reading
    the page cannot print owes its runners-up; between two marked letters the page prints
    ('È' read, Spanish 'É' on a Mexican page) the recogniser has no such bias, and the
    weight would make a guess look sure."""
    marked_and_printable = not read.char.isascii() and fits(read.char, alphabet)
    return 1.0 if marked_and_printable else NATIONAL_LETTER_WEIGHT


def _weight(letter: str, probability: float, alphabet: PageAlphabet, national_weight: float) -> float:
    if not fits(letter, alphabet):
        return probability * FOREIGN_LETTER_ODDS
    return probability * national_weight if letter in alphabet.national else probability


def restrict_char(char: OcrChar, alphabet: PageAlphabet | None) -> OcrChar:
    """The likeliest of `char` and its runners-up, the recogniser's probabilities weighed by
    the page's alphabet (Bayes: FOREIGN_LETTER_ODDS, NATIONAL_LETTER_WEIGHT); `char` itself
    when the alphabet has nothing to say (a fitting reading with no national runner-up).

    The confidence is the chosen letter's share of the weighed probability, the classes the
    recogniser did not list counting as plain letters (any could be the printed one), and
    never more than the recogniser's own for a reading kept: honest, and low when the
    recogniser offered nothing better or the runner-up is close. A runner-up that wins by
    the national weight gets its share without that weight: the weight says which letter the
    recogniser likelier missed, not that it saw it ('ğ' at 0.066 is no sure 'Ğ'). The case is
    the reading's: the recogniser tells a capital from a small letter by size better than it
    tells accents apart.
    """
    if alphabet is None or (
        fits(char.char, alphabet) and not any(alt in alphabet.national for alt, _ in char.alternatives)
    ):
        return char
    readings = [(char.char, char.confidence), *char.alternatives]
    letters = [item for item in readings if item[0].isalpha()]
    if not letters:
        return char
    unlisted = max(0.0, 1.0 - sum(p for _, p in readings))

    def share(item: tuple[str, float], national_weight: float) -> float:
        total = sum(_weight(letter, p, alphabet, national_weight) for letter, p in readings) + unlisted
        return _weight(*item, alphabet, national_weight) / total

    national_weight = _national_weight(char, alphabet)
    best, probability = max(letters, key=lambda item: _weight(*item, alphabet, national_weight))
    if best == char.char:
        return OcrChar(char.char, min(char.confidence, share((best, probability), national_weight)), char.alternatives)
    letter = best.upper() if char.char.isupper() else best.lower()
    if len(letter) != 1 or not fits(letter, alphabet):
        letter = best  # 'ß' has no one-letter capital, 'İ' no one-letter small form
    return OcrChar(letter, share((best, probability), 1.0), [item for item in readings if item[0] != best])


@lru_cache(maxsize=4096)
def _rivals(letter: str, alphabet: PageAlphabet | None, unreadable: frozenset[str]) -> tuple[bool, bool]:
    """Whether the page (any language, when its alphabet is unknown) can print `letter`'s base
    with other marks, and whether one such letter is one the recogniser cannot output."""
    letters = alphabet.letters if alphabet is not None else ALL_LETTERS
    base = base_letter(letter)
    rivals = {c for c in letters if base_letter(c) == base and c.upper() != letter.upper()}
    if not letter.isascii():
        rivals.add(base)  # a mark read where there is none
    return bool(rivals), alphabet is not None and bool(rivals & unreadable)


def doubt_marks(read: OcrChar, chosen: OcrChar, alphabet: PageAlphabet | None, unreadable: frozenset[str]) -> OcrChar:
    """`chosen` (restrict_char's choice for the recogniser's `read`) with the confidence its
    marks deserve: MARK_DOUBT_FACTOR times the recogniser's doubt when it stands by its own
    reading of a letter the page can print with other marks (a letter won from a runner-up
    already has its share), and at most UNREADABLE_RIVAL_CONFIDENCE for a marked letter that
    may be one the recogniser cannot output."""
    if not chosen.char.isalpha():
        return chosen
    marks_in_doubt, unreadable_rival = _rivals(chosen.char, alphabet, unreadable)
    if not marks_in_doubt:
        return chosen
    confidence = chosen.confidence
    if chosen.char == read.char:
        base = base_letter(read.char)
        rivals = sum(
            p * _variant_weight(letter, alphabet, _national_weight(read, alphabet))
            for letter, p in read.alternatives
            if letter.isalpha() and base_letter(letter) == base and letter.isupper() == read.char.isupper()
        )
        doubt = 1.0 - read.confidence + rivals
        confidence = min(confidence, max(0.0, 1.0 - MARK_DOUBT_FACTOR * doubt))
    if unreadable_rival and not chosen.char.isascii():
        confidence = min(confidence, UNREADABLE_RIVAL_CONFIDENCE)
    if confidence == chosen.confidence:
        return chosen
    return OcrChar(chosen.char, confidence, chosen.alternatives)


# The mark network changes a letter only to a marked letter the page prints, and only when
# it is at least this sure of it (after the page's alphabet has weighed the rivals). On the
# generated pages of seed 7 it mended 11 places and authorities, and at low resolution, sure,
# took away marks that are there ('MALMO', 'REYKJAVIK') or read a breve as a caron ('Č' on
# a Turkish page): it never strips a mark, nor gives a letter foreign to the page.
MARK_CHANGE_PROBABILITY = 0.9
# Where most of the page's letters of the base are ones the recogniser cannot output
# (Vietnamese: its dictionary lacks 'Ả', 'Ẵ', 'Ụ' ...), its own reading of the marks has no
# claim (a Yoruba 'Ẹ' on a Nigerian page is not enough: 'SẸRVICE' on a heavy page), and
# such a letter is never given as sure (UNREADABLE_RIVAL_CONFIDENCE): the network's likeliest
# letter is taken from this probability, for review.
MARK_GUESS_PROBABILITY = 0.5
# ... where at least this many of them are (Vietnamese vowels: 5 to 11; the Yoruba 'Ṣ', the
# only marked 'S' of a Nigerian page, is no such letter).
MOSTLY_UNREADABLE_MIN = 3
# The network, unlike the recogniser, has no bias towards plain letters to make up for, but
# on blurred low-resolution print it can be sure of marks the page's own languages do not
# write and every page can print (French): 'SECRETARÎA', 'MÊRIDA', 'MÛNCHEN', 'ÂRHUS' for the
# national 'Í', 'É', 'Ü', 'Å' on generated pages of seeds 7 and 8. A national letter weighs
# this much more: the first two are read right with it, the last two are not.
MARK_NATIONAL_WEIGHT = 3.0
# A national marked letter the recogniser read ('Ü' on a German page: it reads such letters as
# their base far more often than the reverse) gives way only to a network this sure of another
# ('ŮSTÍ' for 'ÚSTÍ' at 0.96 on a blurred generated page; none mended on seeds 7 and 8 lost).
MARK_OVERRULE_PROBABILITY = 0.97
# A letter the network changed is never given as sure: below the review bar of the merge
# (merge.REVIEW_PRINT_BELOW), so a human confirms the accent.
MARK_CHANGE_CONFIDENCE = 0.65
# A marked letter the recogniser chose (a national runner-up: 'Á' on a Norwegian page, for
# Sami) whose marks the network all but rules out (under this probability) gives way to the
# marked letter the network prefers, however sure of it ('ÅRHUS': the network gave 'Å' 0.88,
# 'Ä' 0.11 and 'Á' nothing).
MARK_RULED_OUT_PROBABILITY = 0.02
# A plain letter left as read is doubted (its confidence at most the rest of the network's)
# when the network gives the page's marked letters of its base at least this much together.
MARK_DOUBT_PROBABILITY = 0.4
# A marked letter the recogniser read and the mark network is at least this sure of (after
# the page's alphabet has weighed the rivals) has two readings of its marks that agree: the
# recogniser's doubt about them (MARK_DOUBT_FACTOR) no longer holds ('ÉVORA', 'ARAÚJO' on
# clean pages were given at 0 and flagged for review).
MARK_CONFIRM_PROBABILITY = 0.9


def mark_letter(
    read: OcrChar, chosen: OcrChar, alphabet: PageAlphabet | None, unreadable: frozenset[str] = frozenset()
) -> OcrChar:
    """`chosen` (the alphabet's choice for the recogniser's reading `read`), or the marked
    letter of the same base, printed on the page, that the mark network (OcrChar.marks) is at
    least MARK_CHANGE_PROBABILITY sure of (a letter the page does not print weighing
    FOREIGN_LETTER_ODDS of its probability among the rivals), MARK_GUESS_PROBABILITY where
    most of the page's letters of that base are ones the recogniser cannot output; a
    letter so changed gets at most MARK_CHANGE_CONFIDENCE, and no more than the recogniser is
    sure of the base letter (its reading and the runners-up of the same base)."""
    weighed = {letter: p * _variant_weight(letter, alphabet, MARK_NATIONAL_WEIGHT) for letter, p in read.marks.items()}
    total = sum(weighed.values())
    if total <= 0:
        return chosen
    letter, weight = max(weighed.items(), key=lambda item: item[1])
    ruled_out = not chosen.char.isascii() and weighed.get(chosen.char, 1.0) / total < MARK_RULED_OUT_PROBABILITY
    guessing = _mostly_unreadable(read.char, alphabet, unreadable)
    if guessing:
        bar = MARK_GUESS_PROBABILITY
    elif alphabet is not None and read.char in alphabet.national:
        bar = MARK_OVERRULE_PROBABILITY
    else:
        bar = MARK_CHANGE_PROBABILITY
    sure = weight / total >= bar or ruled_out
    if letter == chosen.char or not sure or letter.isascii() or not fits(letter, alphabet):
        if not chosen.char.isascii():
            return chosen if guessing else _confirmed(read, chosen, letter, weight / total)
        marked = sum(w for other, w in weighed.items() if not other.isascii() and fits(other, alphabet))
        if marked / total >= MARK_DOUBT_PROBABILITY and chosen.confidence > 1.0 - marked / total:
            # The image says a mark the plain reading lacks may be there: the letter stays as
            # read, but not as sure ('TROMSO' on a Norwegian page). Marks read are never
            # doubted this way: the network misses marks that are there more often.
            return replace(chosen, confidence=1.0 - marked / total)
        return chosen
    confidence = min(MARK_CHANGE_CONFIDENCE, base_confidence(read), weight / total)
    others = [(a, p) for a, p in [(read.char, read.confidence), *read.alternatives] if a != letter]
    return OcrChar(letter, confidence, others, read.distribution, read.marks)


def _confirmed(read: OcrChar, chosen: OcrChar, likeliest: str, share: float) -> OcrChar:
    """`chosen`, a marked letter the recogniser read (`read`), as sure as the mark network
    and the recogniser agree it is when the network's `likeliest` letter is it with at least
    MARK_CONFIRM_PROBABILITY of the (weighed) `share`: the recogniser's doubt about its marks
    (doubt_marks) is then answered by a second reading of them. Not a letter taken from the
    recogniser's runners-up ('ŁÓDŻ' for 'ŁÓDŹ' at low resolution: 'Z' read, 'Ż' a runner-up
    the network also saw). The caller asks it only where the recogniser can output most of
    the page's letters of that base (not Vietnamese vowels: the network is their only
    reader)."""
    if likeliest != chosen.char or read.char != chosen.char or share < MARK_CONFIRM_PROBABILITY:
        return chosen
    confidence = min(share, base_confidence(read))
    if confidence <= chosen.confidence:
        return chosen
    return replace(chosen, confidence=confidence)


def _mostly_unreadable(letter: str, alphabet: PageAlphabet | None, unreadable: frozenset[str]) -> bool:
    """Whether most of the marked letters of `letter`'s base and case that the page prints
    are ones the recogniser cannot output (Vietnamese vowels; not the Yoruba 'Ẹ' beside the
    French 'É', 'È', 'Ê', 'Ë' a Nigerian page prints as well)."""
    if alphabet is None or not letter.isalpha():
        return False
    base = base_letter(letter)
    marked = [c for c in alphabet.letters if base_letter(c) == base and c.isupper() == letter.isupper()]
    lacking = sum(c in unreadable for c in marked)
    return lacking >= MOSTLY_UNREADABLE_MIN and 2 * lacking > len(marked)


def _variant_weight(letter: str, alphabet: PageAlphabet | None, national_weight: float) -> float:
    """How much a letter of the same base as the reading adds to the doubt about its marks:
    the weight the alphabet gives it as a runner-up in restrict_char."""
    return 1.0 if alphabet is None else _weight(letter, 1.0, alphabet, national_weight)


# Where the page's national languages write the letter, such a pair may be it: its two
# letters are left at this confidence, below every printed field's review bar
# (merge.REVIEW_PRINT_BELOW), so the value is given but reviewed.
SPLIT_LIGATURE_CONFIDENCE = 0.45


def split_ligature_firsts(chars: list[OcrChar]) -> list[int]:
    """Indices of the letters that are the first of a ligature read apart and mended after:
    the 'A' of 'AÆ' (the recogniser read 'Æ' as 'AE'; the mark network saw the 'E' is one)."""
    return [
        i for i in range(len(chars) - 1)
        if chars[i + 1].char in LIGATURES and LIGATURES[chars[i + 1].char][0] == chars[i].char
    ]


def doubt_split_ligatures(chars: list[OcrChar], alphabet: PageAlphabet | None) -> list[OcrChar]:
    """`chars` with each pair that spells a ligature the page's national languages use
    ('AE' on a Danish page) doubted down to SPLIT_LIGATURE_CONFIDENCE."""
    if alphabet is None:
        return chars
    pairs = alphabet.split_ligatures
    doubted = set()
    for i in range(len(chars) - 1):
        if chars[i].char + chars[i + 1].char in pairs:
            doubted.update((i, i + 1))
    return [
        replace(c, confidence=SPLIT_LIGATURE_CONFIDENCE) if i in doubted and c.confidence > SPLIT_LIGATURE_CONFIDENCE else c
        for i, c in enumerate(chars)
    ]


def restrict_line(line: OcrLine, alphabet: PageAlphabet | None) -> OcrLine:
    """`line` with every letter weighed by `alphabet` and its marks doubted as the recogniser's
    record deserves (doubt_marks); the line itself when nothing changes, or when its
    characters do not spell its text (an engine without per-character evidence).

    The doubt calibrates a recogniser's per-character probabilities: a line whose characters
    all carry the line's flat confidence and no runners-up (OCR.Space) has none to calibrate.
    """
    if "".join(c.char for c in line.chars).strip() != line.text:
        return line
    reads = [_fitting_twins(c, alphabet) for c in line.chars]
    chars = [restrict_char(read, alphabet) for read in reads]
    if any(c.alternatives or c.confidence != line.confidence for c in line.chars):
        chars = [doubt_marks(read, chosen, alphabet, line.unreadable) for read, chosen in zip(reads, chars)]
    # Letters whose marks were read from their image take them from there (viz.marks).
    chars = [
        mark_letter(read, chosen, alphabet, line.unreadable) if read.marks else chosen for read, chosen in zip(reads, chars)
    ]
    char_x = line.char_x
    if dropped := set(split_ligature_firsts(chars)):
        chars = [c for i, c in enumerate(chars) if i not in dropped]
        if len(char_x) == len(line.chars):
            char_x = [x for i, x in enumerate(char_x) if i not in dropped]
    chars = doubt_split_ligatures(chars, alphabet)
    if not dropped and all(new is old for new, old in zip(chars, line.chars)):
        return line
    text = "".join(c.char for c in chars).strip()
    return replace(line, text=text, chars=chars, char_x=char_x)
