"""engines.ocrspace against the local fake OCR.Space server: the request, retries, typed errors, MRZ lines."""

import io
import socket
import time

import numpy as np
import pytest
from PIL import Image, ImageDraw

from passport_ocr.engines import get_engine
from passport_ocr.engines.ocrspace import (
    MIN_UPLOAD_LONG_SIDE,
    OcrSpaceClient,
    OcrSpaceEngine,
    OcrSpacePage,
    OcrSpaceReading,
    looks_like_mrz,
    normalise_mrz_text,
    parse_response,
    parse_retry_after,
    prepare_upload,
    readings_from_page,
)
from passport_ocr.errors import (
    InputTooLarge,
    NoMrzFound,
    OcrServiceAuthError,
    OcrServiceError,
    OcrServiceRateLimited,
    OcrServiceUnavailable,
)
from passport_ocr.settings import Settings
from support import fake_ocrspace as fake
from support.fake_ocrspace import CHAR_WIDTH, LINE_HEIGHT, LINE_PITCH, PAGE_MARGIN, overlay_line

TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


class Recorder:
    """Stands in for time.sleep (and time.monotonic): records delays, advances a virtual clock."""

    def __init__(self):
        self.delays: list[float] = []
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def waits():
    return Recorder()


def make_client(server, waits, **options) -> OcrSpaceClient:
    settings = dict(
        endpoint=server.url if server else "http://127.0.0.1:9/parse/image",
        connect_timeout_s=2.0,
        read_timeout_s=5.0,
        max_retries=3,
        backoff_base_s=1.0,
        sleep=waits.sleep,
        clock=waits.clock,
    )
    settings.update(options)
    return OcrSpaceClient("test-key" if server is None else server.api_key, **settings)


def page_image(size=(1000, 700)) -> Image.Image:
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((20, size[1] - 60), TD3[0], fill="black")
    return image


def document_like(size, seed=3) -> Image.Image:
    """Lines of dark text on light, speckled paper: compresses like a scan, unlike pure noise."""
    rng = np.random.default_rng(seed)
    width, height = size
    image = Image.new("L", size, 232)
    draw = ImageDraw.Draw(image)
    for top in range(30, height - 40, 55):
        draw.text((30, top), (TD3[0] + " " + TD3[1] + " ") * 3, fill=25, font_size=36)
    speckled = np.asarray(image, dtype=np.int16) + rng.integers(-14, 14, (height, width))
    return Image.fromarray(np.clip(speckled, 0, 255).astype(np.uint8)).convert("RGB")


def mrz_overlay_line(text: str, row: int, *, cut: tuple[int, int] | None = None, space_at: int | None = None) -> dict:
    """An MRZ line as OCR.Space may return it, in a fixed-pitch layout.

    `cut` (start, end): the fillers in text[start:end] were not printed, leaving a gap where
    they were; `space_at`: the line is split into two touching-but-spaced words there.
    """
    top = PAGE_MARGIN + row * LINE_PITCH

    def word(start: int, end: int, shift: float = 0.0):
        return (text[start:end], PAGE_MARGIN + start * CHAR_WIDTH + shift, top, (end - start) * CHAR_WIDTH, LINE_HEIGHT)

    if cut:
        start, end = cut
        assert set(text[start:end]) == {"<"}
        return overlay_line([word(0, start), word(end, len(text))])
    if space_at:
        # One space's width of extra gap, as if OCR.Space saw a word break.
        return overlay_line([word(0, space_at), word(space_at, len(text), CHAR_WIDTH)])
    return overlay_line([word(0, len(text))])


# --- the request --------------------------------------------------------------------------
def test_request_sends_the_documented_fields_and_a_jpeg(fake_ocrspace, waits):
    client = make_client(fake_ocrspace, waits)
    client.read_page(page_image((1000, 700)))

    (request,) = fake_ocrspace.requests
    assert request.fields == {
        "apikey": "test-key",
        "language": "eng",
        "OCREngine": "2",
        "isOverlayRequired": "true",
        "detectOrientation": "true",
        "scale": "true",
        "filetype": "JPG",
    }
    upload = request.files["file"]
    assert upload.content_type == "image/jpeg"
    assert Image.open(io.BytesIO(upload.data)).size == (1000, 700)
    assert request.headers["Content-Type"].startswith("multipart/form-data")


def test_success_gives_lines_top_to_bottom_with_boxes_and_orientation(fake_ocrspace, waits):
    lines = [fake.layout_line("REPUBLIC OF UTOPIA", 0), fake.layout_line("PASSPORT", 1), fake.layout_line(TD3[0], 3)]
    fake_ocrspace.queue(fake.success(list(reversed(lines)), orientation=0))
    page = make_client(fake_ocrspace, waits).read_page(page_image())

    assert [line.text for line in page.lines] == ["REPUBLIC OF UTOPIA", "PASSPORT", TD3[0]]
    assert page.orientation_deg == 0
    ocr_lines = page.ocr_lines()
    left, top, right, bottom = ocr_lines[1].box
    assert (left, top, bottom) == (PAGE_MARGIN, PAGE_MARGIN + LINE_PITCH, PAGE_MARGIN + LINE_PITCH + LINE_HEIGHT)
    assert right == PAGE_MARGIN + len("PASSPORT") * CHAR_WIDTH
    assert ocr_lines[0].confidence < 1.0  # OCR.Space gives no confidence; we do not claim certainty


def test_rotated_page_reports_its_orientation_and_no_mrz_geometry(fake_ocrspace, waits):
    fake_ocrspace.queue(fake.success([fake.layout_line("JUNK", 0), *(fake.layout_line(line, row + 1) for row, line in enumerate(TD3))], orientation=90))
    page = make_client(fake_ocrspace, waits).read_page(page_image())
    assert page.orientation_deg == 90
    first = readings_from_page(page)[0]
    assert [line.text for line in first.lines] == TD3
    assert first.geometry is None


def test_words_of_one_line_are_joined_with_the_spacing_they_have():
    touching = ("ERIKS", 100.0, 50.0, 60.0, 20.0), ("SON", 161.0, 50.0, 36.0, 20.0)  # 1 px apart: one word
    spaced = ("ANNA", 230.0, 50.0, 48.0, 20.0), ("MARIA", 290.0, 50.0, 60.0, 20.0)  # a character's width apart
    body = fake.success_body([overlay_line([*touching, *spaced])])
    page = parse_response(body)
    assert page.lines[0].text == "ERIKSSON ANNA MARIA"


def test_an_mrz_line_split_in_two_overlay_lines_is_joined_for_the_mrz():
    left = overlay_line([("P<UTOERIKSSON<<ANNA<MARIA", 30.0, 100.0, 300.0, 20.0)])
    right = overlay_line([("<<<<<<<<<<<<<<<<<<<", 330.0, 101.0, 228.0, 19.0)])
    second = fake.layout_line(TD3[1], 0)
    second["Words"][0]["Top"] = 130.0
    page = parse_response(fake.success_body([right, second, left]))
    assert len(page.lines) == 3  # the page keeps what OCR.Space returned
    assert [line.text for line in readings_from_page(page)[0].lines] == TD3


def test_printed_text_in_two_columns_stays_two_lines():
    label = overlay_line([("Surname", 30.0, 100.0, 84.0, 20.0)])
    value = overlay_line([("ERIKSSON", 400.0, 101.0, 96.0, 20.0)])
    page = parse_response(fake.success_body([value, label]))
    assert sorted(line.text for line in page.lines) == ["ERIKSSON", "Surname"]


# --- retries and backoff ------------------------------------------------------------------
def test_a_500_is_retried_then_succeeds(fake_ocrspace, waits):
    fake_ocrspace.queue(fake.http_error(500))
    page = make_client(fake_ocrspace, waits).read_page(page_image())
    assert len(fake_ocrspace.requests) == 2
    assert len(waits.delays) == 1 and 0.5 <= waits.delays[0] <= 1.0
    assert page.lines[-1].text == fake.SPECIMEN_PAGE[-1]


def test_persistent_5xx_gives_up_after_the_retries_with_growing_delays(fake_ocrspace, waits):
    fake_ocrspace.queue(*[fake.http_error(503, "Service Unavailable")] * 10)
    client = make_client(fake_ocrspace, waits, max_retries=3, deadline_s=1000)
    with pytest.raises(OcrServiceUnavailable, match="503.*after 4 attempts"):
        client.read_page(page_image())
    assert len(fake_ocrspace.requests) == 4
    assert len(waits.delays) == 3
    # Equal jitter: each delay lies in [step/2, step] of an exponential step, so they grow.
    for attempt, delay in enumerate(waits.delays):
        assert 2**attempt / 2 <= delay <= 2**attempt
    assert waits.delays == sorted(waits.delays)


def test_backoff_is_exponential_and_capped():
    client = OcrSpaceClient("k", backoff_base_s=1.0, backoff_cap_s=8.0, jitter=lambda: 1.0)
    assert [client.backoff_delay(attempt) for attempt in range(6)] == [1, 2, 4, 8, 8, 8]
    client = OcrSpaceClient("k", backoff_base_s=1.0, backoff_cap_s=8.0, jitter=lambda: 0.0)
    assert [client.backoff_delay(attempt) for attempt in range(4)] == [0.5, 1, 2, 4]


def test_retries_stop_before_the_deadline(fake_ocrspace, waits):
    fake_ocrspace.queue(*[fake.http_error(500)] * 10)
    # Delays 2, 4, 8 (no jitter); each attempt may take up to 1 + 2 s of timeouts. After
    # sleeping 2 and 4 s, another 8 s + 3 s would end past 10 s: stop at 3 attempts.
    client = make_client(
        fake_ocrspace, waits, max_retries=5, backoff_base_s=4.0, backoff_cap_s=64, jitter=lambda: 0.0,
        connect_timeout_s=1.0, read_timeout_s=2.0, deadline_s=10.0,
    )
    with pytest.raises(OcrServiceUnavailable):
        client.read_page(page_image())
    assert waits.delays == [2.0, 4.0]
    assert len(fake_ocrspace.requests) == 3


def test_429_honours_retry_after_then_reports_rate_limited(fake_ocrspace, waits):
    fake_ocrspace.queue(*[fake.rate_limited(retry_after_s=5)] * 3)
    client = make_client(fake_ocrspace, waits, max_retries=2, deadline_s=1000)
    with pytest.raises(OcrServiceRateLimited, match="429"):
        client.read_page(page_image())
    assert len(fake_ocrspace.requests) == 3
    assert waits.delays == [5.0, 5.0]  # Retry-After exceeds the backoff of 1 and 2 s


def test_429_then_success(fake_ocrspace, waits):
    fake_ocrspace.queue(fake.rate_limited(retry_after_s=1))
    page = make_client(fake_ocrspace, waits).read_page(page_image())
    assert len(fake_ocrspace.requests) == 2 and waits.delays[0] >= 1.0
    assert page.lines


def test_a_retry_after_beyond_the_limit_is_not_waited_for(fake_ocrspace, waits):
    fake_ocrspace.queue(fake.rate_limited(retry_after_s=3600))
    with pytest.raises(OcrServiceRateLimited):
        make_client(fake_ocrspace, waits, max_retry_after_s=30).read_page(page_image())
    assert len(fake_ocrspace.requests) == 1 and waits.delays == []


def test_retry_after_parses_seconds_and_http_dates():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert 50 < parse_retry_after(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 60))) <= 60


def test_a_slow_answer_hits_the_read_timeout_and_is_bounded(fake_ocrspace, waits):
    fake_ocrspace.queue(fake.slow(), fake.slow())
    client = make_client(fake_ocrspace, waits, read_timeout_s=0.3, max_retries=1)
    started = time.monotonic()
    with pytest.raises(OcrServiceUnavailable, match="in time"):
        client.read_page(page_image())
    elapsed = time.monotonic() - started
    assert len(fake_ocrspace.requests) == 2 and len(waits.delays) == 1
    assert 0.6 <= elapsed < 3.0  # two read timeouts of 0.3 s, not the server's hold


def test_a_slow_answer_then_success(fake_ocrspace, waits):
    fake_ocrspace.queue(fake.slow())
    page = make_client(fake_ocrspace, waits, read_timeout_s=0.3).read_page(page_image())
    assert len(fake_ocrspace.requests) == 2 and page.lines


def test_connection_refused_is_unavailable_after_retries(waits):
    with socket.socket() as probe:  # a port on 127.0.0.1 nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(None, waits, endpoint=f"http://127.0.0.1:{port}/parse/image", max_retries=2)
    with pytest.raises(OcrServiceUnavailable, match="connect"):
        client.read_page(page_image())
    assert len(waits.delays) == 2


def test_malformed_json_is_retried_then_unavailable(fake_ocrspace, waits):
    fake_ocrspace.queue(*[fake.malformed_json()] * 3)
    with pytest.raises(OcrServiceUnavailable, match="malformed JSON"):
        make_client(fake_ocrspace, waits, max_retries=2).read_page(page_image())
    assert len(fake_ocrspace.requests) == 3


def test_malformed_json_then_success(fake_ocrspace, waits):
    fake_ocrspace.queue(fake.malformed_json())
    assert make_client(fake_ocrspace, waits).read_page(page_image()).lines
    assert len(fake_ocrspace.requests) == 2


# --- errors that are not retried ----------------------------------------------------------
def test_an_invalid_key_is_an_auth_error_without_retry(fake_ocrspace, waits):
    client = make_client(fake_ocrspace, waits)
    client.api_key = "wrong-key"
    with pytest.raises(OcrServiceAuthError, match="403"):
        client.read_page(page_image())
    assert len(fake_ocrspace.requests) == 1 and waits.delays == []
    assert fake_ocrspace.requests[0].fields["apikey"] == "wrong-key"


def test_401_is_an_auth_error(fake_ocrspace, waits):
    fake_ocrspace.queue(fake.http_error(401, "Unauthorized"))
    with pytest.raises(OcrServiceAuthError):
        make_client(fake_ocrspace, waits).read_page(page_image())


def test_403_for_the_free_plan_quota_is_rate_limited(fake_ocrspace, waits):
    quota = "You may only perform this action upto maximum 500 number of times within 86400 seconds"
    fake_ocrspace.queue(*[fake.http_error(403, quota)] * 2)
    with pytest.raises(OcrServiceRateLimited):
        make_client(fake_ocrspace, waits, max_retries=1).read_page(page_image())
    assert len(fake_ocrspace.requests) == 2


def test_no_key_configured_is_an_auth_error():
    with pytest.raises(OcrServiceAuthError):
        OcrSpaceEngine.from_settings(Settings(engine="ocrspace", ocrspace_api_key=None))


@pytest.mark.parametrize(
    "scenario, expected_text",
    [
        (fake.processing_error(["Unable to recognize the file type", "E216: Unable to detect the file extension"]), "Unable to recognize the file type; E216"),
        (fake.processing_error("Error while parsing the image", file_parse_exit_code=-10), "Error while parsing the image"),
        (fake.processing_error(["Image parsing failed"], exit_code=4, file_parse_exit_code=-99), "OCRExitCode 4"),
        (fake.processing_error(["Invalid base64 image"], exit_code=99, file_parse_exit_code=-30), "Invalid base64"),
    ],
    ids=["message-list", "message-string", "fatal-exit-code-4", "validation"],
)
def test_processing_errors_about_the_file_are_not_retried(fake_ocrspace, waits, scenario, expected_text):
    fake_ocrspace.queue(scenario)
    with pytest.raises(OcrServiceError, match=expected_text) as caught:
        make_client(fake_ocrspace, waits).read_page(page_image())
    assert caught.value.retryable is False
    assert len(fake_ocrspace.requests) == 1


def test_processing_timeout_on_their_side_is_retried(fake_ocrspace, waits):
    fake_ocrspace.queue(fake.processing_error(["E101: Timed out waiting for results"], exit_code=3, file_parse_exit_code=-20))
    page = make_client(fake_ocrspace, waits).read_page(page_image())
    assert len(fake_ocrspace.requests) == 2 and page.lines


def test_processing_timeout_every_time_is_unavailable(fake_ocrspace, waits):
    fake_ocrspace.queue(*[fake.processing_error(["E101: Timed out waiting for results"], file_parse_exit_code=-20)] * 3)
    with pytest.raises(OcrServiceUnavailable, match="E101"):
        make_client(fake_ocrspace, waits, max_retries=2).read_page(page_image())


def test_a_partial_result_uses_the_parsed_page(fake_ocrspace, waits):
    fake_ocrspace.queue(fake.partial(["SOME TEXT", *TD3]))
    page = make_client(fake_ocrspace, waits).read_page(page_image())
    assert [line.text for line in page.lines] == ["SOME TEXT", *TD3]


def test_a_file_over_the_services_limit_is_a_file_error_not_retried(fake_ocrspace, waits):
    # Our limit set above the service's: the service refuses, we must not retry the same bytes.
    fake_ocrspace.max_upload_bytes = 50_000
    client = make_client(fake_ocrspace, waits, max_upload_bytes=2_000_000)
    with pytest.raises(OcrServiceError, match="1024 KB"):
        client.read_page(document_like((1400, 1000)))
    assert len(fake_ocrspace.requests) == 1


# --- the upload ---------------------------------------------------------------------------
def test_a_small_image_is_uploaded_as_it_is():
    image = page_image((1200, 800))
    upload = prepare_upload(image, 1024 * 1024)
    assert (upload.size, upload.scale, upload.jpeg_quality) == ((1200, 800), 1.0, 92)


def test_jpeg_quality_is_lowered_before_the_size():
    image = document_like((1800, 1200))
    sizes = {}
    for quality in (92, 75):
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=quality, optimize=True)
        sizes[quality] = buffer.tell()
    upload = prepare_upload(image, (sizes[92] + sizes[75]) // 2)
    assert upload.size == (1800, 1200)
    assert upload.jpeg_quality < 92
    assert len(upload.data) <= (sizes[92] + sizes[75]) // 2


def test_a_big_image_is_downscaled_under_the_limit_but_kept_legible():
    image = document_like((2600, 1800))
    # A limit the legible size meets at the lowest quality, and the full size does not.
    legible = io.BytesIO()
    image.resize((MIN_UPLOAD_LONG_SIDE, 1108)).save(legible, format="JPEG", quality=65, optimize=True)
    limit = int(legible.tell() * 1.1)
    upload = prepare_upload(image, limit)
    assert len(upload.data) <= limit
    assert MIN_UPLOAD_LONG_SIDE <= max(upload.size) < 2600
    assert Image.open(io.BytesIO(upload.data)).size == upload.size
    assert upload.scale == pytest.approx(max(upload.size) / 2600, abs=1e-3)


def test_going_below_the_legible_size_only_when_needed():
    noise = Image.fromarray(np.random.default_rng(5).integers(0, 256, (1500, 2000, 3), dtype=np.uint8))
    upload = prepare_upload(noise, 150_000)
    assert len(upload.data) <= 150_000
    assert max(upload.size) < MIN_UPLOAD_LONG_SIDE


def test_an_image_that_cannot_fit_is_refused():
    noise = Image.fromarray(np.random.default_rng(5).integers(0, 256, (600, 900, 3), dtype=np.uint8))
    with pytest.raises(InputTooLarge):
        prepare_upload(noise, 5_000)


def test_boxes_come_back_in_the_callers_image_coordinates(fake_ocrspace, waits):
    image = document_like((2400, 1600))
    fake_ocrspace.queue(fake.success([overlay_line([("WORD", 100.0, 200.0, 48.0, 20.0)])]))
    page = make_client(fake_ocrspace, waits, max_upload_bytes=400_000).read_page(image)

    uploaded = fake_ocrspace.requests[0].upload
    assert len(uploaded) <= 400_000
    upload_scale = Image.open(io.BytesIO(uploaded)).width / 2400
    assert upload_scale < 1.0
    left, top, right, bottom = page.lines[0].box
    assert left == pytest.approx(100 / upload_scale, rel=1e-3)
    assert bottom == pytest.approx(220 / upload_scale, rel=1e-3)


# --- MRZ lines from the page --------------------------------------------------------------
def test_mrz_normalisation_and_detection():
    assert normalise_mrz_text("p<uto eriksson«anna") == "P<UTOERIKSSON<<ANNA"
    assert looks_like_mrz("L898902C36UTO7408122F1204159ZE184226B<<<<<10")
    assert looks_like_mrz("P<UTOERIKSSON«ANNA«MARIA««««««««««")
    assert not looks_like_mrz("REPUBLIC OF UTOPIA PASSPORT")  # no filler, no digits
    assert not looks_like_mrz("Date of birth / Date de naissance 12 AUG 74")
    assert not looks_like_mrz("L898902C3")  # too short


def test_engine_finds_the_mrz_among_junk_via_the_fake_service(fake_ocrspace, waits):
    junk_above = ["PASSPORT PASSEPORT", "UTOPIA", "Surname / Nom ERIKSSON", "Given names ANNA MARIA", "L898902C3  12 AUG/AOUT 74"]
    overlay = [fake.layout_line(text, row) for row, text in enumerate(junk_above)]
    overlay.append(mrz_overlay_line(TD3[0], 6, cut=(26, 39)))  # 13 fillers not printed
    overlay.append(mrz_overlay_line(TD3[1], 7, space_at=28))  # a stray word break
    overlay.append(fake.layout_line("Anna Eriksson", 9))  # a signature below the MRZ
    fake_ocrspace.queue(fake.success(overlay))
    engine = OcrSpaceEngine(make_client(fake_ocrspace, waits))

    readings = list(engine.mrz_candidates(page_image()))

    assert len(fake_ocrspace.requests) == 1  # one call for all hypotheses
    first = readings[0]
    assert isinstance(first, OcrSpaceReading)
    assert [line.text for line in first.lines] == TD3
    corners = first.geometry.corners
    assert corners[0] == (PAGE_MARGIN, PAGE_MARGIN + 6 * LINE_PITCH)
    # The second line's word break shifted its right part by one character.
    assert corners[2] == (PAGE_MARGIN + 45 * CHAR_WIDTH, PAGE_MARGIN + 7 * LINE_PITCH + LINE_HEIGHT)
    assert first.geometry.char_height_px == LINE_HEIGHT
    # The whole page travels along for the visual zone, and is the last-resort hypothesis.
    assert [line.text for line in first.page_lines][:2] == ["PASSPORT PASSEPORT", "UTOPIA"]
    assert len(first.page_lines) == len(overlay)
    assert [line.text for line in readings[-1].lines] == [line.text for line in first.page_lines]


@pytest.mark.parametrize("artefact", ["clean", "spaces", "guillemets"])
def test_every_real_specimen_mrz_is_the_first_hypothesis(real_truth, artefact):
    for truth in real_truth:
        mrz = truth["mrz"]
        overlay = [fake.layout_line("NAME / NOM " + truth["surname"], 0), fake.layout_line("1234 5678", 1)]
        for index, text in enumerate(mrz):
            row = 3 + index
            if artefact == "spaces":
                overlay.append(mrz_overlay_line(text, row, space_at=len(text) // 2))
            elif artefact == "guillemets":
                shown = text.replace("<<", "«")
                overlay.append(overlay_line([(shown, PAGE_MARGIN, PAGE_MARGIN + row * LINE_PITCH, CHAR_WIDTH * len(text), LINE_HEIGHT)]))
            else:
                overlay.append(fake.layout_line(text, row))
        page = parse_response(fake.success_body(overlay))
        first = readings_from_page(page)[0]
        assert [line.text for line in first.lines] == mrz, truth["file"]


def test_td1_run_yields_three_lines_first_then_two():
    td1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]
    page = parse_response(fake.success_body([fake.layout_line(text, row) for row, text in enumerate(td1)]))
    readings = readings_from_page(page)
    assert [line.text for line in readings[0].lines] == td1
    assert [line.text for line in readings[1].lines] == td1[1:]


def test_other_mrz_like_runs_are_later_hypotheses():
    upper_run = ["P<UTOJUNK<<LINE<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", "X000000000UTO0000000M0000000<<<<<<<<<<<<<<00"]
    lines = [fake.layout_line(text, row) for row, text in enumerate(upper_run)]
    lines += [fake.layout_line("PERSONAL DATA", 4)]
    lines += [fake.layout_line(text, 6 + row) for row, text in enumerate(TD3)]
    readings = readings_from_page(parse_response(fake.success_body(lines)))
    texts = [[line.text for line in reading.lines] for reading in readings]
    assert texts[0] == TD3
    assert upper_run in texts[1:]
    assert texts.index(upper_run) < len(texts) - 1  # before the every-line fallback


def test_a_page_without_text_has_no_mrz(fake_ocrspace, waits):
    fake_ocrspace.queue(fake.success([]))
    engine = OcrSpaceEngine(make_client(fake_ocrspace, waits))
    with pytest.raises(NoMrzFound):
        list(engine.mrz_candidates(page_image()))


def test_a_page_without_mrz_like_lines_still_offers_every_line():
    page = parse_response(fake.success_body(["DRIVING LICENCE", "SMITH JOHN", "01.02.1980"]))
    readings = readings_from_page(page)
    assert len(readings) == 1 and readings[0].geometry is None
    assert [line.text for line in readings[0].lines] == ["DRIVING LICENCE", "SMITH JOHN", "01.02.1980"]


def test_get_engine_builds_the_ocrspace_engine_from_settings(fake_ocrspace):
    settings = Settings(engine="ocrspace", ocrspace_api_key="test-key", ocrspace_endpoint=fake_ocrspace.url, ocrspace_timeout_s=7.0, ocrspace_max_retries=1)
    engine = get_engine(settings)
    assert isinstance(engine, OcrSpaceEngine) and engine.name == "ocrspace"
    assert engine.client.endpoint == fake_ocrspace.url
    assert engine.client.timeout == (5.0, 7.0)
    assert engine.client.max_retries == 1
    readings = list(engine.mrz_candidates(page_image()))
    assert [line.text for line in readings[0].lines] == fake.SPECIMEN_PAGE[-2:]


def test_empty_page_object_has_no_lines():
    assert OcrSpacePage(lines=[]).ocr_lines() == []


# --- through the extraction pipeline ------------------------------------------------------
def test_extract_reads_every_real_specimen_through_the_fake_service(fake_ocrspace, waits, real_samples_dir, real_truth):
    """The pipeline with this engine: junk lines, '«' for '<<' and a dropped filler run, one call each."""
    from passport_ocr.extract import FIELDS_MRZ, extract

    engine = OcrSpaceEngine(make_client(fake_ocrspace, waits))
    # The image only has to load; what OCR.Space "reads" comes from the queued overlay.
    data = (real_samples_dir / "uto_td3_icao.png").read_bytes()
    for truth in real_truth:
        first, *rest = truth["mrz"]
        run = first.rstrip("<")
        # OCR.Space drops part of a long filler run and prints the rest as a separate word.
        cut = (len(run) + 2, len(first) - 3) if len(first) - len(run) > 6 else None
        overlay = [fake.layout_line("PASSPORT", 0), fake.layout_line("Surname / Nom " + truth["surname"], 1)]
        overlay.append(mrz_overlay_line(first, 3, cut=cut))
        for index, text in enumerate(rest):
            shown = text.replace("<<", "«")
            overlay.append(overlay_line([(shown, PAGE_MARGIN, PAGE_MARGIN + (4 + index) * LINE_PITCH, CHAR_WIDTH * len(text), LINE_HEIGHT)]))
        fake_ocrspace.queue(fake.success(overlay))

        record = extract(data, engine=engine, settings=Settings(), fields=FIELDS_MRZ)

        assert record.engine == "ocrspace"
        assert record.mrz.valid, truth["file"]
        for name in ("document_number", "surname", "date_of_birth", "date_of_expiry"):
            assert record.fields[name] == truth[name], (truth["file"], name)
    assert len(fake_ocrspace.requests) == len(real_truth)


# --- two documents in one image -------------------------------------------------------------
TD1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]
BESIDE = PAGE_MARGIN + 50 * CHAR_WIDTH  # left edge of a second document right of a TD3 MRZ


def test_two_documents_side_by_side_are_two_line_groups_not_joined_lines():
    # A TD3 page and a TD1 card on one scan, their MRZ lines on the same rows.
    lines = [fake.layout_line(text, 4 + row) for row, text in enumerate(TD3)]
    lines += [fake.layout_line(text, 3 + row, left=BESIDE) for row, text in enumerate(TD1)]
    readings = readings_from_page(parse_response(fake.success_body(lines)))
    texts = [[line.text for line in reading.lines] for reading in readings]
    assert TD3 in texts and TD1 in texts
    # No reading holds a line of each document (joined on one row, or stacked as one zone).
    for group in texts[:-1]:  # the last is every line of the page, as read
        assert all(line in TD3 for line in group) or all(line in TD1 for line in group), group


def test_printed_text_beside_an_mrz_does_not_cut_it_in_two():
    lines = [fake.layout_line(TD3[0], 4), fake.layout_line("Signature", 4, left=BESIDE), fake.layout_line(TD3[1], 5)]
    first = readings_from_page(parse_response(fake.success_body(lines)))[0]
    assert [line.text for line in first.lines] == TD3


@pytest.mark.parametrize("layout", ["above", "beside"])
def test_extract_flags_a_second_document_on_the_page(fake_ocrspace, waits, real_samples_dir, layout):
    from passport_ocr.extract import FIELDS_MRZ, extract

    if layout == "above":
        overlay = [fake.layout_line(text, row) for row, text in enumerate(TD1)]
        overlay += [fake.layout_line("PASSPORT", 6)] + [fake.layout_line(text, 8 + row) for row, text in enumerate(TD3)]
    else:
        overlay = [fake.layout_line(text, 4 + row) for row, text in enumerate(TD3)]
        overlay += [fake.layout_line(text, 3 + row, left=BESIDE) for row, text in enumerate(TD1)]
    fake_ocrspace.queue(fake.success(overlay))
    engine = OcrSpaceEngine(make_client(fake_ocrspace, waits))

    record = extract((real_samples_dir / "uto_td3_icao.png").read_bytes(), engine=engine, settings=Settings(), fields=FIELDS_MRZ)

    assert record.mrz.valid
    assert record.mrz.lines in (TD3, TD1)
    assert "another_document" in [w.code for w in record.warnings]
    assert len(fake_ocrspace.requests) == 1


def test_extract_does_not_flag_one_document_read_twice_over(fake_ocrspace, waits, real_samples_dir):
    from passport_ocr.extract import FIELDS_MRZ, extract

    # The same MRZ twice on the page (a photocopy's shadow, a specimen's caption) is one document.
    overlay = [fake.layout_line(text, row) for row, text in enumerate(TD3)]
    overlay += [fake.layout_line(text, 6 + row) for row, text in enumerate(TD3)]
    fake_ocrspace.queue(fake.success(overlay))
    engine = OcrSpaceEngine(make_client(fake_ocrspace, waits))

    record = extract((real_samples_dir / "uto_td3_icao.png").read_bytes(), engine=engine, settings=Settings(), fields=FIELDS_MRZ)

    assert record.mrz.valid and record.mrz.lines == TD3
    assert "another_document" not in [w.code for w in record.warnings]
