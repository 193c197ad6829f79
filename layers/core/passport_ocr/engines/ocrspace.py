"""The OCR.Space engine: one call to OCR.Space's Parse API per image, MRZ hypotheses from its text lines.

Three parts, each usable alone:

- `prepare_upload`: re-encode an image as a JPEG under the plan's upload limit.
- `OcrSpaceClient`: the HTTP client (session, timeouts, bounded retries with backoff) and
  `parse_response`, which turns the API's JSON into an `OcrSpacePage` or a typed error.
- `OcrSpaceEngine` and `readings_from_page`: pick the MRZ lines out of the page's text.

The whole page's lines travel on every reading this engine yields
(`OcrSpaceReading.page_lines`), so the visual zone stage can reuse them without a second
(metered) call.
"""

from __future__ import annotations

import io
import math
import random
import statistics
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Callable, Iterator

import requests
from PIL import Image

from ..errors import (
    InputTooLarge,
    NoMrzFound,
    OcrServiceAuthError,
    OcrServiceError,
    OcrServiceRateLimited,
    OcrServiceUnavailable,
    PassportOcrError,
)
from ..ocr_types import OcrLine
from ..settings import Settings
from ..imaging.locate import overlap
from ..mrz.formats import LINE_LENGTHS
from .base import OTHER_DOCUMENTS, MrzGeometry, MrzReading

DEFAULT_ENDPOINT = "https://api.ocr.space/parse/image"

# OCR.Space reports no confidence at all. The parsers only compare confidences within one
# reading, so a flat value that is not certainty is all we can honestly give.
FLAT_CONFIDENCE = 0.9

# Below this the MRZ's OCR-B characters get too small for OCR.Space to read reliably.
MIN_UPLOAD_LONG_SIDE = 1600
# ... but when even that does not fit the upload limit we keep shrinking down to this.
FLOOR_UPLOAD_LONG_SIDE = 800
UPLOAD_JPEG_QUALITIES = (92, 85, 75, 65)
UPLOAD_SIZE_STEP = 0.8
# Going from the best to the worst of those qualities shrinks a JPEG 1.4-2.3 times (measured
# on the real samples and a generated scan): beyond 2.5 times too big, skip to resizing.
MAX_QUALITY_SAVING = 2.5
TYPICAL_QUALITY_SAVING = 2.0

MRZ_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
MRZ_LINE_LENGTHS = (30, 36, 44)  # TD1, TD2 / MRV-B, TD3 / MRV-A
# Characters OCR.Space prints for the MRZ filler '<', and how many fillers each stands for.
FILLER_LOOKALIKES = {"«": "<<", "‹": "<", "〈": "<", "＜": "<"}


# --- the page OCR.Space read ------------------------------------------------------------
@dataclass
class OverlayWord:
    """One word of the text overlay, in the coordinates of the image given to the client."""

    text: str
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass
class PageLine:
    """One text line of the page: its words, left to right."""

    words: list[OverlayWord]

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (
            min(word.left for word in self.words),
            min(word.top for word in self.words),
            max(word.right for word in self.words),
            max(word.bottom for word in self.words),
        )

    @property
    def char_width(self) -> float:
        """Average width of one character, from the words' boxes."""
        chars = sum(len(word.text) for word in self.words)
        return sum(word.width for word in self.words) / chars if chars else 0.0

    def gaps(self) -> list[float]:
        """Horizontal space between each word and the next."""
        return [max(0.0, nxt.left - cur.right) for cur, nxt in zip(self.words, self.words[1:])]

    @property
    def text(self) -> str:
        """Words joined by one space, or none where OCR.Space split a word that touches its neighbour."""
        if not self.words:
            return ""
        touching = 0.3 * self.char_width
        parts = [self.words[0].text]
        for gap, word in zip(self.gaps(), self.words[1:]):
            parts.append(word.text if gap < touching else " " + word.text)
        return "".join(parts)

    def to_ocr_line(self) -> OcrLine:
        return OcrLine.plain(self.text, FLAT_CONFIDENCE, box=self.box)


@dataclass
class OcrSpacePage:
    """What OCR.Space read on one image: its text lines top to bottom, and how it turned the page.

    `orientation_deg` is OCR.Space's TextOrientation (0, 90, 180, 270; None when not
    reported). When it is not 0, OCR.Space rotated the page before reading and the boxes are
    in that rotated page's frame (still at the scale of the image we were given).
    """

    lines: list[PageLine]
    parsed_text: str = ""
    orientation_deg: int | None = None
    processing_ms: float | None = None

    def ocr_lines(self) -> list[OcrLine]:
        return [line.to_ocr_line() for line in self.lines]


# --- the upload ---------------------------------------------------------------------------
@dataclass
class PreparedUpload:
    data: bytes
    # Upload pixels per input pixel; OCR.Space's boxes are divided by it to map them back.
    scale: float
    size: tuple[int, int]
    jpeg_quality: int


def prepare_upload(
    image: Image.Image,
    max_bytes: int,
    *,
    min_long_side: int = MIN_UPLOAD_LONG_SIDE,
    floor_long_side: int = FLOOR_UPLOAD_LONG_SIDE,
) -> PreparedUpload:
    """The image as a JPEG of at most `max_bytes`: lower JPEG quality first, then fewer pixels.

    Sizes go down by at least 20% a step to `min_long_side` (keeps the MRZ legible) and,
    only if that still does not fit, on down to `floor_long_side`. Raises InputTooLarge
    when even that does not fit.
    """
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    original_long_side = max(image.size)
    long_side = original_long_side
    while True:
        scale = long_side / original_long_side
        resized = image if long_side == original_long_side else image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS
        )
        lowest_quality_bytes = 0.0
        for quality in UPLOAD_JPEG_QUALITIES:
            buffer = io.BytesIO()
            resized.save(buffer, format="JPEG", quality=quality, optimize=True)
            if buffer.tell() <= max_bytes:
                return PreparedUpload(buffer.getvalue(), scale, resized.size, quality)
            lowest_quality_bytes = buffer.tell()
            if buffer.tell() > MAX_QUALITY_SAVING * max_bytes:
                # Lower qualities cannot shrink it enough: skip their encodes, guess their size.
                lowest_quality_bytes = buffer.tell() / TYPICAL_QUALITY_SAVING
                break
        if long_side <= floor_long_side:
            raise InputTooLarge(
                f"the image cannot be compressed under the OCR service's upload limit of {max_bytes} bytes "
                f"even at {long_side} px on its long side"
            )
        # JPEG bytes grow about with the pixel count: jump close to the size that would fit
        # instead of encoding every 20% step on the way there.
        predicted = int(long_side * math.sqrt(max_bytes / lowest_quality_bytes) * 0.95)
        limit = min_long_side if long_side > min_long_side else floor_long_side
        long_side = max(limit, min(int(long_side * UPLOAD_SIZE_STEP), predicted))


# --- the response -------------------------------------------------------------------------
# OCR.Space reports some failures as a 200 with an error message. Those that are about the
# service, not the file, are worth retrying; the message texts are OCR.Space's own.
_TRANSIENT_MESSAGES = ("timed out", "timeout", "server is busy", "too busy", "try again later", "internal error")
_RATE_LIMIT_MESSAGES = ("number of times within", "rate limit", "too many requests")
_AUTH_MESSAGES = ("api key", "apikey")
_FILE_PARSE_TIMEOUT = -20  # FileParseExitCode for "timeout" (0 not found, -10 parse error, -30 validation, -99 unknown)


def parse_response(body: dict, *, scale: float = 1.0) -> OcrSpacePage:
    """The page OCR.Space read, from the JSON of a 200 answer; or the typed error it reports.

    Raises OcrServiceUnavailable for failures on OCR.Space's side that a retry may fix
    (processing timed out, server busy), OcrServiceRateLimited and OcrServiceAuthError for
    what the messages say, and OcrServiceError for failures about this file (cannot be
    parsed, failed validation, wrong type, too large): sending the same bytes again would
    only get the same answer and spend quota.
    """
    if not isinstance(body, dict):
        # Its type only: the value may be the page's text.
        raise OcrServiceUnavailable(f"OCR.Space answered with JSON that is not an object but a {type(body).__name__}")
    exit_code = _as_int(body.get("OCRExitCode"))
    results = [result for result in body.get("ParsedResults") or [] if isinstance(result, dict)]
    parsed = [result for result in results if _as_int(result.get("FileParseExitCode")) == 1]
    # 1: parsed; 2: partly parsed (some pages of a document): the parsed page is what we need.
    if parsed and exit_code in (1, 2):
        return _page_from_result(parsed[0], scale, body.get("ProcessingTimeInMilliseconds"))
    if not body.get("IsErroredOnProcessing") and exit_code in (1, 2) and not results:
        return OcrSpacePage(lines=[])  # nothing to read on the image is an answer, not an error

    messages = _messages(body.get("ErrorMessage")) + _messages(body.get("ErrorDetails"))
    file_codes = []
    for result in results:
        messages += _messages(result.get("ErrorMessage")) + _messages(result.get("ErrorDetails"))
        file_codes.append(_as_int(result.get("FileParseExitCode")))
    raise _classify_failure(exit_code, file_codes, messages)


def _classify_failure(exit_code: int | None, file_codes: list[int | None], messages: list[str]) -> PassportOcrError:
    described = "; ".join(messages) or "no error message"
    summary = f"OCR.Space could not read the image (OCRExitCode {exit_code}): {described}"
    lowered = described.lower()
    if any(marker in lowered for marker in _RATE_LIMIT_MESSAGES):
        return OcrServiceRateLimited(summary)
    if any(marker in lowered for marker in _AUTH_MESSAGES) and ("invalid" in lowered or "not valid" in lowered):
        return OcrServiceAuthError(summary)
    if _FILE_PARSE_TIMEOUT in file_codes or any(marker in lowered for marker in _TRANSIENT_MESSAGES):
        return OcrServiceUnavailable(summary)
    return OcrServiceError(summary)


def _page_from_result(result: dict, scale: float, processing_ms) -> OcrSpacePage:
    overlay = result.get("TextOverlay") or {}
    raw_lines = []
    for raw_line in overlay.get("Lines") or []:
        words = [_word(raw_word, scale) for raw_word in raw_line.get("Words") or []]
        words = [word for word in words if word is not None]
        if words:
            raw_lines.append(PageLine(sorted(words, key=lambda word: word.left)))
    return OcrSpacePage(
        lines=sorted(raw_lines, key=_vertical_centre),
        parsed_text=str(result.get("ParsedText") or ""),
        orientation_deg=_as_int(result.get("TextOrientation")),
        processing_ms=_as_float(processing_ms),
    )


def _word(raw: dict, scale: float) -> OverlayWord | None:
    text = str(raw.get("WordText") or "").strip()
    numbers = [_as_float(raw.get(key)) for key in ("Left", "Top", "Width", "Height")]
    if not text or any(number is None for number in numbers):
        return None
    left, top, width, height = (number / scale for number in numbers)
    return OverlayWord(text, left, top, width, height)


def _vertical_centre(line: PageLine) -> float:
    return (line.box[1] + line.box[3]) / 2


def merge_split_mrz_lines(lines: list[PageLine]) -> list[PageLine]:
    """Join pieces of MRZ text that sit side by side on one baseline; keep the order top to bottom.

    OCR.Space sometimes breaks an MRZ line in two at a long run of fillers. Only pieces
    made of MRZ characters are joined, and only into what one MRZ line can hold: printed
    text in two columns stays two lines, and so do the lines of two documents side by side.
    """
    merged: list[PageLine] = []
    for line in sorted(lines, key=lambda line: line.box[0]):
        mergeable = _only_mrz_characters(line)
        for target in merged:
            if mergeable and _only_mrz_characters(target) and _same_row(target, line) and _fit_one_line(target, line):
                target.words = sorted(target.words + line.words, key=lambda word: word.left)
                break
        else:
            merged.append(PageLine(list(line.words)))
    return sorted(merged, key=_vertical_centre)


# Characters OCR.Space may add to an MRZ line (a stray mark read as a letter) and still be
# one line of the longest format.
STRAY_CHARACTERS = 2


def _fit_one_line(first: PageLine, second: PageLine) -> bool:
    length = sum(len(normalise_mrz_text(line.text)) for line in (first, second))
    return length <= max(LINE_LENGTHS) + STRAY_CHARACTERS


def _only_mrz_characters(line: PageLine) -> bool:
    return set(normalise_mrz_text(line.text)) <= MRZ_ALPHABET


def _same_row(first: PageLine, second: PageLine) -> bool:
    a_left, a_top, a_right, a_bottom = first.box
    b_left, b_top, b_right, b_bottom = second.box
    vertical_overlap = min(a_bottom, b_bottom) - max(a_top, b_top)
    horizontal_overlap = min(a_right, b_right) - max(a_left, b_left)
    return vertical_overlap > 0.6 * min(a_bottom - a_top, b_bottom - b_top) and horizontal_overlap <= 0


def _messages(value) -> list[str]:
    """OCR.Space's ErrorMessage is a string, a list of strings, or null."""
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value if item]
    return [str(value)]


def _as_int(value) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _as_float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --- the client ---------------------------------------------------------------------------
class OcrSpaceClient:
    """A client of OCR.Space's Parse API (POST multipart to /parse/image).

    Every request is bounded: `(connect_timeout_s, read_timeout_s)` per attempt, at most
    `max_retries` retries, and no retry that would end after `deadline_s` from the first
    attempt (keep it below the Lambda timeout). Connection errors, timeouts, 5xx, 429 and
    OCR.Space's own transient errors are retried with exponential backoff and jitter;
    Retry-After is honoured, and a Retry-After beyond `max_retry_after_s` ends the retries
    at once rather than holding a Lambda idle.
    """

    def __init__(
        self,
        api_key: str,
        *,
        endpoint: str = DEFAULT_ENDPOINT,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 20.0,
        max_retries: int = 3,
        backoff_base_s: float = 1.0,
        backoff_cap_s: float = 8.0,
        max_retry_after_s: float = 30.0,
        deadline_s: float = 50.0,
        max_upload_bytes: int = 1024 * 1024,
        language: str = "eng",
        ocr_engine: int = 2,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ):
        if not api_key:
            raise OcrServiceAuthError("no OCR.Space API key is configured")
        self.api_key = api_key
        self.endpoint = endpoint
        self.timeout = (connect_timeout_s, read_timeout_s)
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.max_retry_after_s = max_retry_after_s
        self.deadline_s = deadline_s
        self.max_upload_bytes = max_upload_bytes
        self.language = language
        self.ocr_engine = ocr_engine
        self.session = session or requests.Session()
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> "OcrSpaceClient":
        options = dict(
            endpoint=settings.ocrspace_endpoint,
            # Settings has no field for this yet; the API function (29 s) needs a shorter one
            # than the ingest function (120 s), so a field of that name is honoured when added.
            deadline_s=getattr(settings, "ocrspace_deadline_s", None) or 50.0,
            connect_timeout_s=min(5.0, settings.ocrspace_timeout_s),
            read_timeout_s=settings.ocrspace_timeout_s,
            max_retries=settings.ocrspace_max_retries,
            max_upload_bytes=settings.ocrspace_max_upload_bytes,
        )
        options.update(overrides)
        return cls(settings.ocrspace_api_key or "", **options)

    def read_page(self, image: Image.Image) -> OcrSpacePage:
        """OCR one image; the page's boxes come back in `image`'s pixel coordinates."""
        upload = prepare_upload(image, self.max_upload_bytes)
        return self._post_with_retries(upload.data, scale=upload.scale)

    # The request ---------------------------------------------------------------------
    def _form_fields(self) -> dict[str, str]:
        return {
            "apikey": self.api_key,
            "language": self.language,
            "OCREngine": str(self.ocr_engine),
            "isOverlayRequired": "true",
            "detectOrientation": "true",
            "scale": "true",
            # OCR.Space guesses the type from the file name; say it outright.
            "filetype": "JPG",
        }

    def _post_with_retries(self, jpeg: bytes, *, scale: float) -> OcrSpacePage:
        started = self._clock()
        last_error: PassportOcrError | None = None
        attempts = 0
        for attempt in range(self.max_retries + 1):
            attempts = attempt + 1
            retry_after = None
            try:
                response = self._post_once(jpeg)
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                _check_status(response)
                return parse_response(_json_of(response), scale=scale)
            except (OcrServiceUnavailable, OcrServiceRateLimited) as error:
                last_error = error
            if attempt == self.max_retries:
                break
            if retry_after is not None and retry_after > self.max_retry_after_s:
                break
            delay = self.backoff_delay(attempt, retry_after)
            if self._clock() - started + delay + sum(self.timeout) > self.deadline_s:
                break
            self._sleep(delay)
        assert last_error is not None
        raise type(last_error)(f"{last_error} (gave up after {attempts} attempt{'s' if attempts > 1 else ''})") from last_error

    def backoff_delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (0-based).

        Exponential with "equal jitter": half the step is fixed and half random, so clients
        that failed together spread out while each one's delays still grow.
        """
        step = min(self.backoff_cap_s, self.backoff_base_s * 2**attempt)
        delay = step / 2 + self._jitter() * step / 2
        return max(delay, retry_after) if retry_after is not None else delay

    def _post_once(self, jpeg: bytes) -> requests.Response:
        try:
            response = self.session.post(
                self.endpoint,
                data=self._form_fields(),
                files={"file": ("page.jpg", jpeg, "image/jpeg")},
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise OcrServiceUnavailable(f"OCR.Space did not answer in time (timeouts {self.timeout} s): {exc}") from exc
        except requests.ConnectionError as exc:
            raise OcrServiceUnavailable(f"could not connect to OCR.Space at {self.endpoint}: {exc}") from exc
        except requests.RequestException as exc:
            raise OcrServiceUnavailable(f"the request to OCR.Space failed: {exc}") from exc
        return response


def _check_status(response: requests.Response) -> None:
    status = response.status_code
    if status == 200:
        return
    snippet = response.text[:300].strip()
    if status in (401, 403):
        # OCR.Space also answers 403 when the free plan's request quota is used up.
        if any(marker in snippet.lower() for marker in _RATE_LIMIT_MESSAGES):
            raise OcrServiceRateLimited(f"OCR.Space refused the request for its rate limit (HTTP {status}): {snippet}")
        raise OcrServiceAuthError(f"OCR.Space rejected the API key (HTTP {status}): {snippet}")
    if status == 429:
        raise OcrServiceRateLimited(f"OCR.Space refused the request for its rate limit (HTTP 429): {snippet}")
    if status == 408 or status >= 500:
        raise OcrServiceUnavailable(f"OCR.Space failed (HTTP {status}): {snippet}")
    if status == 413:
        raise OcrServiceError(f"OCR.Space refused the upload as too large (HTTP 413): {snippet}")
    raise OcrServiceError(f"OCR.Space refused the request (HTTP {status}): {snippet}")


def _json_of(response: requests.Response):
    try:
        return response.json()
    except ValueError as exc:
        # Not the body itself: a 200 answer cut short holds the page's text, i.e. the passport,
        # and this message reaches logs (Powertools' batch and tracer) and Lambda's error report.
        raise OcrServiceUnavailable(
            f"OCR.Space answered with malformed JSON ({len(response.content)} bytes, "
            f"{response.headers.get('Content-Type') or 'no content type'}): "
            f"{getattr(exc, 'msg', type(exc).__name__)} at {getattr(exc, 'pos', '?')}"
        ) from None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# --- MRZ hypotheses from the page -------------------------------------------------------
@dataclass
class OcrSpaceReading(MrzReading):
    """An MrzReading that also carries every line of the page OCR.Space read.

    The visual zone stage takes its text from `page_lines` instead of calling OCR.Space a
    second time; the lines' boxes are in the same coordinates as `geometry`.
    """

    page_lines: list[OcrLine] = field(default_factory=list)


def normalise_mrz_text(text: str) -> str:
    """Undo OCR.Space's usual MRZ artefacts: lower case, '«' for '<<', spaces inside the line."""
    text = text.upper()
    for lookalike, filler in FILLER_LOOKALIKES.items():
        text = text.replace(lookalike, filler)
    return "".join(text.split())


def looks_like_mrz(text: str) -> bool:
    """Long, upper case, almost only A-Z 0-9 '<'.

    A line without any filler must be all MRZ characters, hold digits and few word breaks,
    so that printed labels ("Date of birth / Date de naissance 12 AUG 74") do not pass.
    """
    compact = normalise_mrz_text(text)
    if len(compact) < 20:
        return False
    letters = [char for char in text if char.isalpha()]
    if letters and sum(char.islower() for char in letters) / len(letters) > 0.3:
        return False
    in_alphabet = sum(char in MRZ_ALPHABET for char in compact) / len(compact)
    if "<" in compact:
        return in_alphabet >= 0.9
    digits = sum(char.isdigit() for char in compact)
    return in_alphabet == 1.0 and len(compact) >= 28 and digits >= 4 and text.count(" ") <= 2


def mrz_line_variants(line: PageLine) -> list[str]:
    """The line's MRZ text, most plausible first.

    Two ways to read a space between words: OCR.Space inserted it (drop it), or it stands
    for fillers it did not print (fill the gap with as many '<' as fit). The variant whose
    length is nearest an MRZ line length comes first.
    """
    dropped = normalise_mrz_text(line.text)
    char_width = line.char_width
    filled = normalise_mrz_text(line.words[0].text)
    for gap, word in zip(line.gaps(), line.words[1:]):
        fillers = round(gap / char_width) if char_width else 0
        filled += "<" * fillers + normalise_mrz_text(word.text)
    variants = [dropped] if filled == dropped else [dropped, filled]
    return sorted(variants, key=lambda text: min(abs(len(text) - length) for length in MRZ_LINE_LENGTHS))


def readings_from_page(page: OcrSpacePage) -> list[OcrSpaceReading]:
    """MRZ hypotheses from a page, most plausible first.

    1. The bottom-most run of consecutive MRZ-like lines: its last two lines (TD2/TD3) or
       last three (TD1), in the order the line length suggests; each line first as its
       most plausible variant, then with the other variants.
    2. The same for the other runs, bottom to top.
    3. Every line of the page, as read: the MRZ parser skips junk lines itself.
    """
    page_lines = page.ocr_lines()
    readings: list[OcrSpaceReading] = []
    seen: set[tuple[str, ...]] = set()

    def add(texts: list[str], block: list[PageLine], note: str) -> None:
        if tuple(texts) in seen:
            return
        seen.add(tuple(texts))
        lines = [OcrLine.plain(text, FLAT_CONFIDENCE, box=line.box) for text, line in zip(texts, block)]
        readings.append(OcrSpaceReading(lines=lines, geometry=_geometry(block, page), notes=[note], page_lines=page_lines))

    for run in reversed(_mrz_runs(merge_split_mrz_lines(page.lines))):
        for block in _blocks_of(run):
            variants = [mrz_line_variants(line) for line in block]
            add([options[0] for options in variants], block, f"ocrspace: {len(block)} MRZ-like lines")
            for index, options in enumerate(variants):
                for other in options[1:]:
                    texts = [chosen[0] for chosen in variants]
                    texts[index] = other
                    add(texts, block, f"ocrspace: {len(block)} MRZ-like lines, spaces in line {index + 1} read as fillers")
    if page.lines:
        texts = [line.text for line in page.lines]
        if tuple(texts) not in seen:
            seen.add(tuple(texts))
            readings.append(OcrSpaceReading(lines=page_lines, geometry=None, notes=["ocrspace: every line of the page"], page_lines=page_lines))
    return readings


def _mrz_runs(lines: list[PageLine]) -> list[list[PageLine]]:
    """Runs of MRZ-like lines stacked under each other with no wide vertical gap, ordered by
    where they end, top to bottom.

    Lines (given top to bottom) join the run whose last line they overlap horizontally: two
    documents side by side (two cards on one scan) give two runs, their lines interleaved
    in the page's order. Printed text under a run ends it; text beside it does not.
    """
    finished: list[list[PageLine]] = []
    open_runs: list[list[PageLine]] = []
    for line in lines:
        run = next((run for run in open_runs if _overlap_horizontally(run[-1], line)), None)
        if run is not None and not (looks_like_mrz(line.text) and _close_below(run[-1], line)):
            open_runs.remove(run)
            finished.append(run)
            run = None
        if not looks_like_mrz(line.text):
            continue
        if run is None:
            open_runs.append([line])
        else:
            run.append(line)
    return sorted(finished + open_runs, key=lambda run: _vertical_centre(run[-1]))


def _overlap_horizontally(upper: PageLine, lower: PageLine) -> bool:
    """Whether two lines share over half the narrower one's width: one column of text."""
    overlap = min(upper.box[2], lower.box[2]) - max(upper.box[0], lower.box[0])
    narrower = min(upper.box[2] - upper.box[0], lower.box[2] - lower.box[0])
    return overlap > 0.5 * max(narrower, 1.0)


def _close_below(upper: PageLine, lower: PageLine) -> bool:
    height = upper.box[3] - upper.box[1]
    return lower.box[1] - upper.box[3] < 2.5 * max(height, 1.0)


def _blocks_of(run: list[PageLine]) -> list[list[PageLine]]:
    if len(run) < 3:
        return [run]
    typical_length = statistics.median(len(normalise_mrz_text(line.text)) for line in run[-3:])
    last_two, last_three = run[-2:], run[-3:]
    # TD1 lines are 30 long; TD2 (36) and TD3 (44) have two lines.
    return [last_three, last_two] if typical_length <= 33 else [last_two, last_three]


def _geometry(block: list[PageLine], page: OcrSpacePage) -> MrzGeometry | None:
    if page.orientation_deg not in (None, 0):
        return None  # the boxes are in OCR.Space's rotated frame, not the input image's
    left = min(line.box[0] for line in block)
    top = min(line.box[1] for line in block)
    right = max(line.box[2] for line in block)
    bottom = max(line.box[3] for line in block)
    char_height = statistics.median(word.height for line in block for word in line.words)
    return MrzGeometry(
        corners=[(left, top), (right, top), (right, bottom), (left, bottom)],
        angle_deg=0.0,
        char_height_px=float(char_height),
    )


# --- the engine ---------------------------------------------------------------------------
class OcrSpaceEngine:
    """MRZ readings from one OCR.Space call per image (see readings_from_page)."""

    name = "ocrspace"
    finds_other_documents = True

    def __init__(self, client: OcrSpaceClient):
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> "OcrSpaceEngine":
        return cls(OcrSpaceClient.from_settings(settings))

    def mrz_candidates(self, image: Image.Image) -> Iterator[MrzReading]:
        page = self.client.read_page(image)
        if not page.lines:
            raise NoMrzFound("OCR.Space found no text in the image")
        # Every hypothesis comes from the one page already read: the lines in doubt the
        # pipeline sends (Engine.mrz_candidates) are ignored, which a plain loop does (a
        # `yield from` a list would pass them on to it and fail).
        readings = readings_from_page(page)
        given: list[OcrSpaceReading] = []
        for reading in readings:
            given.append(reading)
            if (yield reading) == OTHER_DOCUMENTS:
                break
        else:
            return
        # Asked for other documents: the line groups of places apart from every one given.
        # (None on a page OCR.Space turned: its boxes are not in the image's coordinates.)
        for reading in readings[len(given):]:
            if reading.geometry is not None and not any(_same_place(reading, seen) for seen in given):
                yield reading


def _same_place(reading: MrzReading, other: MrzReading) -> bool:
    """Whether two readings' line groups overlap on the page (a reading of every line has no place)."""
    if reading.geometry is None or other.geometry is None:
        return False
    return overlap(reading.geometry.corners, other.geometry.corners) > 0
