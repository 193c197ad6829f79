"""Printed field labels of the visual zone, as data, and fuzzy matching of OCR'd text to them.

Labels are matched word by word: each OCR word is first snapped to the closest word of the
label vocabulary (character-bigram similarity, so 'issuel' -> 'issue', 'Geburtstaq' ->
'geburtstag'), then label phrases are found as exact runs of snapped words. Short words
('of', 'de') must be read exactly: they are too short for similarity to mean anything.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from dataclasses import dataclass
from functools import lru_cache

# field -> label phrases in the languages seen on passports and ID cards. Phrases are
# written lowercase without accents (matching strips them from the OCR text too).
# Fields that are not read here (type, code, signature...) are listed so that their labels
# are recognised as labels and never taken as a neighbour's value.
LABELS: dict[str, tuple[str, ...]] = {
    "date_of_issue": (
        "date of issue", "issue date", "issued on", "date issued", "date of issuance",
        "date de delivrance", "delivre le", "ausstellungsdatum", "ausgestellt am", "datum der ausstellung",
        "fecha de expedicion", "fecha de emision", "data di rilascio", "data de emissao", "data de emisao",
        "data de expedicao", "datum van afgifte", "afgiftedatum", "data wydania", "datum vydani",
        "datum izdavanja", "utfardandedatum", "utstedelsesdato", "udstedelsesdato", "myontamispaiva",
        "kiadas datuma", "data eliberarii", "verilis tarihi", "date of iss",
    ),
    "date_of_expiry": (
        "date of expiry", "expiry date", "date of expiration", "expiration date", "valid until",
        "date d expiration", "date d expiry", "expiration", "gultig bis", "ablaufdatum",
        "fecha de caducidad", "fecha de vencimiento", "valido hasta", "data di scadenza", "scadenza",
        "valido ate", "data de validade", "geldig tot", "vervaldatum", "data waznosci", "platnost do",
        "giltig till", "gyldig til", "voimassa", "ervenyes", "data expirarii", "valide jusqu au",
    ),
    "date_of_birth": (
        "date of birth", "birth date", "born", "date de naissance", "ne le", "nee le",
        "geburtsdatum", "geburtstag", "geboren am", "fecha de nacimiento", "data di nascita",
        "data de nascimento", "geboortedatum", "data urodzenia", "datum narozeni", "fodelsedatum",
        "fodselsdato", "syntymaaika", "szuletesi ido", "data nasterii", "dogum tarihi",
    ),
    "place_of_birth": (
        "place of birth", "birth place", "birthplace", "lieu de naissance", "geburtsort",
        "lugar de nacimiento", "luogo di nascita", "local de nascimento", "naturalidade",
        "geboorteplaats", "miejsce urodzenia", "misto narozeni", "fodelseort", "fodested",
        "fodselssted", "syntymapaikka", "szuletesi hely", "locul nasterii", "dogum yeri",
        "loc nastere", "dzimsanas vieta", "gimimo vieta", "mjesto rodenja", "kraj rojstva", "miesto narodenia",
    ),
    "authority": (
        "authority", "issuing authority", "issued by", "autorite", "autorite de delivrance",
        "behorde", "ausstellende behorde", "autoridad", "autoridad de expedicion", "autorita",
        "autoridade", "entidade emissora", "afgegeven door", "instantie", "organ wydajacy",
        "organ wydajacy paszport", "vydal", "myndighet", "utfardad av", "myndighed", "udstedt af",
        "viranomainen", "kiallito hatosag", "autoritatea", "veren makam",
        "delivre par", "delivree par", "expedido por", "emitido por", "emis de", "emisa de", "eliberat de",
        "issuing post", "issuing post name", "izdevejiestade", "pasa isdave", "izdao", "izdala",
    ),
    "surname": (
        "surname", "name", "last name", "family name", "nom", "nom de famille", "name nachname",
        "familienname", "nachname", "apellidos", "apellido", "cognome", "apelido", "sobrenome",
        "apelidos", "naam", "achternaam", "nazwisko", "prijmeni", "efternamn", "etternavn",
        "efternavn", "sukunimi", "vezeteknev", "nume", "primary identifier", "identifiant primaire",
    ),
    "given_names": (
        "given names", "given name", "first names", "first name", "forenames", "prenoms", "prenom",
        "vornamen", "vorname", "nombres", "nombre", "nome", "nomi", "nomes", "prenomes",
        "voornamen", "imiona", "imie", "jmena", "jmeno", "fornamn", "fornavn", "etunimet", "utonev",
        "prenume", "secondary identifier", "identifiant secondaire",
    ),
    "document_number": (
        "passport no", "passport number", "passport n", "document no", "document number", "card no",
        "no de passeport", "n de passeport", "no du passeport", "numero de passeport", "pass nr",
        "passnummer", "reisepass nr", "numero de pasaporte", "pasaporte no", "passaporto n",
        "numero do passaporte", "paspoortnummer", "nr paszportu", "cislo pasu", "passnummer",
        "numero du document", "numero de document", "ausweisnummer", "document nr",
    ),
    "nationality": (
        "nationality", "nationalite", "staatsangehorigkeit", "nacionalidad", "nazionalita",
        "nacionalidade", "nationaliteit", "obywatelstwo", "statni obcanstvi", "nationalitet",
        "kansalaisuus", "allampolgarsag", "cetatenia", "uyrugu",
    ),
    "sex": (
        "sex", "sexe", "geschlecht", "sexo", "sesso", "geslacht", "plec", "pohlavi", "kon", "kjonn",
        "kon", "sukupuoli", "nem", "sexul", "cinsiyeti",
    ),
    "other": (
        "type", "typ", "tipo", "code", "country code", "code du pays", "code of issuing state",
        "code de l etat emetteur", "kod", "codigo", "codice", "personal no", "personal number",
        "no personnel", "n personnel", "persoonsnummer", "holder s signature", "signature",
        "signature du titulaire", "unterschrift", "firma", "assinatura", "handtekening", "podpis",
        "height", "taille", "grosse", "estatura", "statura", "altura", "lengte", "wzrost",
        "eyes", "eye colour", "couleur des yeux", "augenfarbe", "residence", "domicile", "wohnort",
        "address", "adresse", "observations", "remarks",
    ),
}

_NUMBERING = re.compile(r"^\s*(\d{1,2}[a-z]?|[a-z])\s*[.)]\s*", re.IGNORECASE)
# Words are runs of letters or of digits: OCR glues a misread '/' to a word ('naissance7').
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


@dataclass(frozen=True)
class LabelHit:
    """A label found in a line: which field, where (character span in the line), how sure."""

    field: str
    start: int
    end: int
    score: float
    guessed: bool = False  # from guess_label: the line as a whole is closest to this field


def fold(text: str) -> str:
    """Lowercase without accents: 'Délivrance' -> 'delivrance', 'ß' -> 'ss'."""
    text = text.replace("ß", "ss").replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _words_with_spans(text: str, split_case: bool = False) -> list[tuple[str, int, int]]:
    folded = fold(text)
    # fold() can change length only for characters expanded by NFKD; map spans on the folded text
    # back proportionally, which is exact for the Latin letters we see on documents.
    ratio = len(text) / max(1, len(folded))
    # `split_case`: a lowercase letter followed by a capital starts a new word (small print
    # read with its slash or space lost: 'AumoitvAutorté de délvrance'). Positions are those
    # of the folded text.
    boundaries = (
        {round(i / ratio) for i in range(1, len(text)) if text[i - 1].islower() and text[i].isupper()}
        if split_case else set()
    )
    words = []
    for match in _WORD.finditer(folded):
        start = match.start()
        for cut in sorted(b for b in boundaries if match.start() < b < match.end()):
            words.append((folded[start:cut], int(start * ratio), int(cut * ratio)))
            start = cut
        words.append((folded[start : match.end()], int(start * ratio), int(match.end() * ratio)))
    return words


def _bigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


_PHRASES: list[tuple[str, tuple[str, ...]]] = [
    (field_name, tuple(phrase.split())) for field_name, phrases in LABELS.items() for phrase in phrases
]
# OCR often loses the spaces of small print ('Autoritédedélivrance'): each phrase also
# counts as one word written without its spaces.
_PHRASES += [
    (field_name, ("".join(words),)) for field_name, words in _PHRASES if len(words) > 1 and len("".join(words)) >= 8
]
_VOCABULARY: tuple[str, ...] = tuple(sorted({w for _, words in _PHRASES for w in words}))
# A phrase can only match where its first word does: lines are checked against those phrases
# alone (in table order, which settles ties), not against all few hundred.
_PHRASES_BY_FIRST_WORD: dict[str, list[int]] = {}
for _index, (_, _words) in enumerate(_PHRASES):
    _PHRASES_BY_FIRST_WORD.setdefault(_words[0], []).append(_index)
_VOCAB_BIGRAMS: dict[str, set[str]] = {w: _bigrams(w) for w in _VOCABULARY}
_BIGRAM_INDEX: dict[str, list[str]] = {}
for _word, _grams in _VOCAB_BIGRAMS.items():
    for _gram in _grams:
        _BIGRAM_INDEX.setdefault(_gram, []).append(_word)

MIN_WORD_SIMILARITY = 0.75
MIN_LONG_WORD_SIMILARITY = 0.8


@lru_cache(maxsize=4096)
def snap_word(word: str) -> tuple[str | None, float]:
    """The vocabulary word `word` most likely is, with a similarity in [0, 1] (Dice on bigrams)."""
    if word in _VOCAB_BIGRAMS:
        return word, 1.0
    if len(word) <= 3 or any(c.isdigit() for c in word):
        return None, 0.0
    grams = _bigrams(word)
    shared: dict[str, int] = {}
    for gram in grams:
        for candidate in _BIGRAM_INDEX.get(gram, ()):
            shared[candidate] = shared.get(candidate, 0) + 1
    # Bigrams shortlist cheaply; the edit-based ratio then decides (it forgives one wrong
    # letter in a short word, which breaks two bigrams: 'Dale' for 'Date').
    shortlist = [
        c for c, count in shared.items()
        if len(c) > 3 and 2 * count / (len(grams) + len(_VOCAB_BIGRAMS[c])) >= 0.4
    ]
    best, best_score = None, 0.0
    # In a set order, which of two equally close words wins would change from one process
    # to the next (string hashing is randomised): alphabetical order settles ties.
    for candidate in sorted(shortlist):
        score = SequenceMatcher(None, word, candidate).ratio()
        if score > best_score:
            best, best_score = candidate, score
    # One wrong letter in a short word costs 0.25; longer words must be read more closely
    # ('tomerite' is not 'autorite').
    needed = MIN_WORD_SIMILARITY if len(word) <= 5 else MIN_LONG_WORD_SIMILARITY
    return (best, best_score) if best_score >= needed else (None, 0.0)


# A part of a glued word is taken as a misread label word only when at least this long:
# shorter ones resemble some label word by chance.
MIN_SNAPPED_PART = 5


def _label_part(part: str) -> bool:
    """Whether `part` of a glued word is a label word: read exactly, or misread but long."""
    return part in _VOCAB_BIGRAMS or (len(part) >= MIN_SNAPPED_PART and snap_word(part)[0] is not None)


def _split_joined(words: list[tuple[str, int, int]], loose: bool = False) -> list[tuple[str, int, int]]:
    """Split a word OCR glued from two label words ('ofbirth' -> 'of', 'birth'). `loose`:
    misread parts too, when the whole is no label word ('ofhirth'; 'AuthodtyTAtorte',
    'Authority / Autorité' with its slash lost); exact parts are preferred."""
    out = []
    for word, start, end in words:
        cut = None
        if word not in _VOCAB_BIGRAMS and len(word) >= 5:
            cuts = range(2, len(word) - 1)
            cut = next((c for c in cuts if word[:c] in _VOCAB_BIGRAMS and word[c:] in _VOCAB_BIGRAMS), None)
            if cut is None and loose and snap_word(word)[0] is None:
                cut = next((c for c in cuts if _label_part(word[:c]) and _label_part(word[c:])), None)
        if cut is None:
            out.append((word, start, end))
            continue
        middle = start + cut * (end - start) // len(word)
        out += [(word[:cut], start, middle), (word[cut:], middle, end)]
    return out


def find_labels(text: str) -> list[LabelHit]:
    """Every label phrase in `text`, longest first where they overlap.

    Glued words are split into misread label words only when every part then lies in a
    label: a part that resembles a label word by chance ('GebutsorPa' + 'oirth') would
    otherwise read as a value beside its label."""
    unnumbered = _NUMBERING.sub(lambda m: " " * len(m.group()), text)
    words = _split_joined(_words_with_spans(unnumbered))
    hits = _phrase_hits(words)
    loose = _split_joined(words, loose=True)
    if loose != words:
        loose_hits = _phrase_hits(loose)
        parts = set(loose) - set(words)
        if all(any(h.start <= start and end <= h.end for h in loose_hits) for _, start, end in parts):
            return loose_hits
    if not hits:
        # Words split where a capital follows a lowercase letter count the same way, except
        # that parts before the first label may be anything (its other language, misread:
        # 'AumoitvAutorté de délvrance'); a part after it must be a label too, or it would be
        # taken for the value beside the label.
        cased = _split_joined(_words_with_spans(unnumbered, split_case=True))
        if cased != words:
            cased_hits = _phrase_hits(cased)
            parts = set(cased) - set(words)
            if cased_hits and all(
                end <= cased_hits[0].start or any(h.start <= start and end <= h.end for h in cased_hits)
                for _, start, end in parts
            ):
                return cased_hits
    return hits


def _phrase_hits(words: list[tuple[str, int, int]]) -> list[LabelHit]:
    snapped = [snap_word(w) for w, _, _ in words]
    hits: list[LabelHit] = []
    candidates = sorted({i for word, _ in snapped if word for i in _PHRASES_BY_FIRST_WORD.get(word, ())})
    for field_name, phrase in (_PHRASES[i] for i in candidates):
        size = len(phrase)
        for i in range(len(words) - size + 1):
            if all(snapped[i + k][0] == phrase[k] for k in range(size)):
                if size == 1 and not _alone_word_is_label(words[i][0]):
                    continue
                score = min(snapped[i + k][1] for k in range(size))
                hits.append(LabelHit(field_name, words[i][1], words[i + size - 1][2], score))
        # A line read only in part ends in the middle of a word: 'Lugar de na', 'Autoridad/Author'.
        i = len(words) - size
        last = words[-1][0] if words else ""
        if (
            size > 1
            and i >= 0
            and len(last) >= 2
            and last != phrase[-1]
            and phrase[-1].startswith(last)
            and all(snapped[i + k][0] == phrase[k] for k in range(size - 1))
        ):
            score = min([snapped[i + k][1] for k in range(size - 1)] + [0.8])
            hits.append(LabelHit(field_name, words[i][1], words[-1][2], score))
    # Keep the longest phrase where hits overlap ('date de naissance' over 'naissance'-less 'date').
    hits.sort(key=lambda h: (-(h.end - h.start), h.start))
    kept: list[LabelHit] = []
    for hit in hits:
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


# A short word standing alone must be read almost exactly to count as a label: one wrong
# letter turns many a place name into a label word ('PÉCS' is one letter from Polish 'płeć').
MIN_ALONE_SHORT_WORD_SIMILARITY = 0.85


def _alone_word_is_label(word: str) -> bool:
    found, score = snap_word(word)
    return found is not None and (len(word) > 5 or score >= MIN_ALONE_SHORT_WORD_SIMILARITY)


def is_label_word(word: str) -> bool:
    """Whether an OCR'd word reads as a word of some label (single letters never do)."""
    return len(word) > 1 and _alone_word_is_label(fold(word))


_VOCABULARY_PREFIXES: frozenset[str] = frozenset(w[:size] for w in _VOCABULARY for size in range(1, len(w) + 1))


def _prefixes_a_label_word(word: str) -> bool:
    return fold(word) in _VOCABULARY_PREFIXES


# A line read in part that ends in the first letters of a label word ('/ Autho') names the
# fields of the words those letters begin, when there are at least this many of them (fewer
# begin words of many fields).
MIN_CUT_WORD_LETTERS = 4
_FIELDS_BY_WORD_PREFIX: dict[str, frozenset[str]] = {}
for _field, _words in _PHRASES:
    for _word in _words:
        for _size in range(MIN_CUT_WORD_LETTERS, len(_word)):
            _FIELDS_BY_WORD_PREFIX[_word[:_size]] = _FIELDS_BY_WORD_PREFIX.get(_word[:_size], frozenset()) | {_field}


def cut_word_fields(text: str) -> frozenset[str]:
    """The fields a line cut inside its last word may name: those of the label words that
    word begins ('/ Autho' -> authority), if it is no whole word of any label."""
    words = _WORD.findall(fold(text))
    if not words or words[-1] in _VOCAB_BIGRAMS:
        return frozenset()
    return _FIELDS_BY_WORD_PREFIX.get(words[-1], frozenset())


# A label guessed from its cut last word alone ('10. Auth') is surer than no label but less
# than a whole-line guess: its score, below merge.REVIEW_PRINT_BELOW, flags the value.
CUT_GUESS_SCORE = 0.6


def guess_cut_label(text: str, fields: tuple[str, ...]) -> LabelHit | None:
    """A label line read only in part, nothing but its field number and the start of a label
    word of one field only, one of `fields` ('10. Auth' -> authority), as a guessed hit."""
    numbering = _NUMBERING.match(text)
    lead = len(numbering.group()) if numbering else 0
    words = _WORD.findall(text[lead:])
    named = cut_word_fields(text)
    if len(words) != 1 or len(named) != 1 or not named <= set(fields):
        return None
    return LabelHit(next(iter(named)), lead, len(text.rstrip()), CUT_GUESS_SCORE, guessed=True)


def is_cut_numbered_label(text: str) -> bool:
    """Whether `text` is a numbered label read only in part: its field number and the start
    of one label word ('6. Natio'), a label however unmatched, never a value."""
    numbering = _NUMBERING.match(text)
    if numbering is None:
        return False
    return len(_WORD.findall(text[len(numbering.group()) :])) == 1 and bool(cut_word_fields(text))


def has_value_words(text: str) -> bool:
    """Whether `text` holds something other than label words: a digit or a non-label word.

    A label line continues with more labels ('Date of issue / Date de délivrance') and is
    often cut or read only in part ('Authority / Behörde / Au'): label words and a last word
    that begins a label word are not a value.
    """
    words = _WORD.findall(text)
    if words and _prefixes_a_label_word(words[-1]):
        words = words[:-1]
    return any(any(c.isdigit() for c in w) or (len(w) > 1 and not is_label_word(w)) for w in words)


# A label the recogniser misread beyond word-by-word snapping ('Pace ete', '11 Autnty', small
# faint print) is still closer, as a whole, to its own field's phrases than to any other
# field's. Values are often as close to some label ('BRNO' and 'born'), so the caller only
# asks about lines that sit where labels do (just above a larger line): see read.py.
GUESS_MIN_SIMILARITY = 0.65
GUESS_MIN_MARGIN = 0.05
# A guessed label is never as sure as a matched one: its score is the similarity times this.
GUESS_SCORE_FACTOR = 0.8
_FIELD_PHRASES: tuple[tuple[str, str], ...] = tuple(
    (field_name, phrase.replace(" ", "")) for field_name, phrases in LABELS.items() for phrase in phrases
)


# Letter counts of each phrase: the letters two strings share bound how similar they can be,
# which skips most of the few hundred comparisons a segment would otherwise cost.
_PHRASE_LETTER_COUNTS: tuple[dict[str, int], ...] = tuple(Counter(phrase) for _, phrase in _FIELD_PHRASES)


def _field_similarities(segment: str) -> dict[str, float]:
    """Best similarity of one folded, letters-only segment to each field's label phrases; a
    segment shorter than a phrase is also compared with the phrase's start (lines read in part).

    SequenceMatcher.ratio is 2 M / T with M at most the letters the two strings share, so
    each field's comparisons are made in order of that bound and stop once the bound cannot
    beat the best found: the result is the same as comparing with every phrase."""
    segment_counts = Counter(segment)
    size = len(segment)
    bounded: dict[str, list[tuple[float, str, float]]] = {}
    for (field_name, phrase), phrase_counts in zip(_FIELD_PHRASES, _PHRASE_LETTER_COUNTS):
        shared = sum(min(count, phrase_counts.get(letter, 0)) for letter, count in segment_counts.items())
        options = bounded.setdefault(field_name, [])
        options.append((2.0 * shared / (size + len(phrase)), phrase, 1.0))
        if size < len(phrase):
            options.append((0.95 * (2.0 * min(shared, size + 1) / (size + size + 1)), phrase[: size + 1], 0.95))
    scores: dict[str, float] = {}
    for field_name, options in bounded.items():
        best = 0.0
        for bound, target, factor in sorted(options, key=lambda option: -option[0]):
            if bound <= best:
                break
            best = max(best, factor * SequenceMatcher(None, segment, target).ratio())
        scores[field_name] = best
    return scores


@lru_cache(maxsize=1024)
def guess_label(text: str) -> LabelHit | None:
    """The field a misread label line most likely names, as a hit over the whole line, or None
    when no field is clearly closest. Only for text known to sit where a label would.

    The languages of a label ('Place of birth / Lieu de naissance') all name one field, so a
    field's similarity is its mean over the '/'-separated parts.
    """
    numbering = _NUMBERING.match(text) or re.match(r"^\s*\d{1,2}\s+", text)
    lead = len(numbering.group()) if numbering else 0
    if any(c.isdigit() for c in text[lead:]):
        return None
    # A misread slash between languages often comes out as a wide space.
    parts = re.split(r"/|\s{2,}", text[lead:])
    segments = ["".join(c for c in fold(part) if c.isalpha()) for part in parts]
    # Short words are close to some label word by chance ('BRNO', 'born').
    segments = [segment for segment in segments if len(segment) >= 5]
    if not segments:
        return None
    totals: dict[str, float] = {}
    for segment in segments:
        for field_name, score in _field_similarities(segment).items():
            totals[field_name] = totals.get(field_name, 0.0) + score / len(segments)
    (field_name, score), (_, runner_up) = sorted(totals.items(), key=lambda item: -item[1])[:2]
    if score < GUESS_MIN_SIMILARITY or score - runner_up < GUESS_MIN_MARGIN:
        return None
    return LabelHit(field_name, lead, len(text.rstrip()), round(score * GUESS_SCORE_FACTOR, 4), guessed=True)


# A label's other language read with its slash lost ('Place of birth Lie de nassance') is
# no value: what follows a label is taken for that same label when, letters only, it is at
# least this long and this close to one of the field's phrases. Place names and authorities
# are far from their own field's label words ('Saint-Étienne' and 'lieu de naissance').
MIN_SAME_LABEL_LETTERS = 8
MIN_SAME_LABEL_SIMILARITY = 0.75


def reads_as_label_of(text: str, field_name: str) -> bool:
    """Whether `text` (what comes before or after a label on its line) is that field's label,
    misread. A field number before it ('10.') and digits at its end (a slash misread, glued
    to the word: 'naissance7') are not part of it."""
    text = _NUMBERING.sub("", text).rstrip(" 0123456789")
    letters = "".join(c for c in fold(text) if c.isalpha())
    if len(letters) < MIN_SAME_LABEL_LETTERS or any(c.isdigit() for c in text):
        return False
    return any(
        SequenceMatcher(None, letters, phrase).ratio() >= MIN_SAME_LABEL_SIMILARITY
        for name, phrase in _FIELD_PHRASES if name == field_name
    )


def starts_with_label(text: str) -> bool:
    """Whether `text` opens with a label (after any numbering such as '4.')."""
    hits = find_labels(text)
    lead = len(_NUMBERING.match(text).group()) if _NUMBERING.match(text) else 0
    return bool(hits) and not any(c.isalnum() for c in text[lead : hits[0].start])


def is_label_text(text: str) -> bool:
    """Whether `text` reads as label words only (a label's other languages on their own line)."""
    return any(len(w) > 1 for w in _WORD.findall(text)) and not has_value_words(text)


def label_coverage(text: str) -> float:
    """How much of `text` (in letters) is label words: ~1 for a label line, ~0 for a value."""
    letters = sum(c.isalpha() for c in text)
    if not letters:
        return 0.0
    covered = sum(sum(c.isalpha() for c in text[h.start : h.end]) for h in find_labels(text))
    return covered / letters
