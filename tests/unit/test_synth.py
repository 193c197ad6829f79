"""The synthetic document generator: deterministic, MRZ-correct, truth consistent with the MRZ."""

import io
import json
import random
from datetime import date

import pytest
from PIL import Image

from passport_ocr.record import FIELD_NAMES
from passport_synth import CONDITIONS, FORMATS, build_mrz, check_digit, generate, verify_mrz, write_set
from passport_synth.identity import random_document
from passport_synth.mrz import LAYOUTS, MrzData
from passport_synth.translit import to_mrz

# The MRZ-only fields an MRZ reader fills, with where the tests read them back from the lines.
_WEIGHTS = (7, 3, 1)


def independent_check_digit(text: str) -> int:
    """7-3-1 weights; '<'=0, A=10..Z=35 — written again here so a bug in the generator shows."""
    values = [0 if c == "<" else int(c) if c.isdigit() else ord(c) - 55 for c in text]
    return sum(v * _WEIGHTS[i % 3] for i, v in enumerate(values)) % 10


def test_check_digit_on_icao_specimen_values():
    # ICAO 9303 part 4 specimen: L898902C3 -> 6, 740812 -> 2, 120415 -> 9, ZE184226B<<<<< -> 1
    assert [check_digit(t) for t in ("L898902C3", "740812", "120415", "ZE184226B<<<<<")] == ["6", "2", "9", "1"]


def test_build_mrz_reproduces_the_icao_td3_specimen():
    lines = build_mrz(
        MrzData("TD3", "P", "UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "UTO", date(1974, 8, 12), "F",
                date(2012, 4, 15), optional_data="ZE184226B")
    )
    assert lines == ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


def test_layout_tables_accept_every_real_specimen_mrz(real_truth):
    formats = {2: {44: "TD3", 36: "TD2"}, 3: {30: "TD1"}}
    for truth in real_truth:
        lines = truth["mrz"]
        doc_format = formats[len(lines)][len(lines[0])]
        assert verify_mrz(lines, doc_format) == [], truth["file"]


@pytest.mark.parametrize("doc_format", FORMATS)
def test_generated_mrz_passes_its_check_digits(doc_format):
    layout = LAYOUTS[doc_format]
    for seed in range(150):
        lines = random_document(random.Random(seed), doc_format).mrz_lines
        assert [len(line) for line in lines] == [layout.line_length] * layout.line_count
        assert set("".join(lines)) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
        assert verify_mrz(list(lines), doc_format) == []
        for check in layout.checks:
            printed = lines[check.line][check.position]
            covered = "".join(lines[line][start:end] for line, start, end in check.spans)
            if printed != "<":
                assert int(printed) == independent_check_digit(covered), (lines, check.name)


def test_a_changed_character_breaks_a_check_digit():
    lines = list(random_document(random.Random(3), "TD3").mrz_lines)
    digit = lines[1][13]
    lines[1] = lines[1][:13] + str((int(digit) + 1) % 10) + lines[1][14:]
    assert "date_of_birth" in verify_mrz(lines, "TD3")


def _mrz_fields(lines: list[str], doc_format: str) -> dict:
    """Reads the truth back out of the MRZ by fixed positions (no overflow numbers here)."""
    if doc_format == "TD1":
        number, nationality, birth, sex, expiry, name = (
            lines[0][5:14], lines[1][15:18], lines[1][0:6], lines[1][7], lines[1][8:14], lines[2])
    else:
        number, nationality, birth, sex, expiry, name = (
            lines[1][0:9], lines[1][10:13], lines[1][13:19], lines[1][20], lines[1][21:27], lines[0][5:])
    return {
        "document_code": lines[0][0:2].strip("<"),
        "issuing_country": lines[0][2:5].strip("<"),
        "document_number": number.strip("<"),
        "nationality": nationality.strip("<"),
        "birth_yymmdd": birth,
        "sex": {"<": "X"}.get(sex, sex),
        "expiry_yymmdd": expiry,
        "name_field": name,
    }


@pytest.mark.parametrize("doc_format", FORMATS)
def test_truth_fields_agree_with_the_mrz(doc_format):
    for seed in range(120):
        document = random_document(random.Random(seed), doc_format)
        truth = document.truth()
        mrz = _mrz_fields(truth["mrz"], doc_format)
        if len(truth["document_number"]) > 9:
            assert doc_format == "TD1" and truth["mrz"][0][14] == "<"
            assert truth["mrz"][0][5:14] + truth["mrz"][0][15:15 + len(truth["document_number"]) - 9] == truth["document_number"]
        else:
            assert mrz["document_number"] == truth["document_number"]
        assert mrz["document_code"] == truth["document_code"]
        assert truth["document_type"] == truth["document_code"][0]
        assert mrz["issuing_country"] == truth["issuing_country"]
        assert mrz["nationality"] == truth["nationality"]
        assert mrz["sex"] == truth["sex"]
        assert date.fromisoformat(truth["date_of_birth"]).strftime("%y%m%d") == mrz["birth_yymmdd"]
        assert date.fromisoformat(truth["date_of_expiry"]).strftime("%y%m%d") == mrz["expiry_yymmdd"]
        issue, expiry = date.fromisoformat(truth["date_of_issue"]), date.fromisoformat(truth["date_of_expiry"])
        assert round((expiry - issue).days / 365.25) in (5, 10)
        # The MRZ names are the printed names transliterated, then cut to the field.
        name_field = mrz["name_field"]
        assert name_field.startswith(truth["surname"].replace(" ", "<") + "<<" + truth["given_names"].replace(" ", "<"))
        assert name_field[len(truth["surname"]) + 2 + len(truth["given_names"]):].strip("<") == ""
        full = to_mrz(truth["full_surname"], True), to_mrz(truth["full_surname"], False)
        assert any(f.startswith(truth["surname"]) for f in full)
        if doc_format == "TD3" and truth["personal_number"]:
            assert truth["mrz"][1][28:42].strip("<") == truth["personal_number"]


def test_long_names_are_truncated_in_the_mrz_but_printed_in_full():
    truncated = 0
    for seed in range(300):
        truth = random_document(random.Random(seed), "TD1").truth()
        untruncated = {
            (to_mrz(truth["full_surname"], expand) + "<<" + to_mrz(truth["full_given_names"], expand)).replace(" ", "<")
            for expand in (True, False)
        }
        name_field = truth["mrz"][2]
        assert any(name.ljust(30, "<")[:30] == name_field for name in untruncated), (truth["full_surname"], name_field)
        full_mrz = (truth["full_surname_mrz"] + "<<" + truth["full_given_names_mrz"]).replace(" ", "<")
        assert full_mrz in untruncated and full_mrz.ljust(30, "<")[:30] == name_field
        if min(len(name) for name in untruncated) > 30:
            truncated += 1
            assert truth["given_names"], "a truncated name still keeps a given name"
    assert truncated >= 10


def test_national_characters_are_transliterated_per_icao():
    assert to_mrz("BASANAVIČIENĖ") == "BASANAVICIENE"
    assert to_mrz("Müller-Lüdenscheidt") == "MUELLER LUEDENSCHEIDT"
    assert to_mrz("Öztürk", expand_umlauts=False) == "OZTURK"
    assert to_mrz("Weiß Ærø Ødegård Åsa") == "WEISS AEROE OEDEGAARD AASA"
    assert to_mrz("O'Neill") == "ONEILL"


def test_td1_overflow_moves_the_number_tail_into_the_optional_data():
    lines = build_mrz(
        MrzData("TD1", "ID", "FRA", "MARTIN", "ZOE", "X4RTBPFW46", "FRA", date(1990, 1, 1), "F", date(2030, 1, 1))
    )
    assert lines[0][5:14] == "X4RTBPFW4" and lines[0][14] == "<"
    assert lines[0][15] == "6" and int(lines[0][16]) == independent_check_digit("X4RTBPFW46")
    assert verify_mrz(lines, "TD1") == []


def test_same_seed_same_sample_and_other_seed_other_sample():
    first, again = generate(42, "scan", "TD3"), generate(42, "scan", "TD3")
    assert first.data == again.data
    assert first.truth == again.truth
    other = generate(43, "scan", "TD3")
    assert other.truth["mrz"] != first.truth["mrz"]
    # The condition changes the capture, not the person.
    assert generate(42, "lowres", "TD3").truth["mrz"] == first.truth["mrz"]


@pytest.mark.parametrize("condition", CONDITIONS)
def test_each_condition_gives_a_plausible_image(condition):
    sample = generate(7, condition, "TD3")
    decoded = Image.open(io.BytesIO(sample.data))
    assert decoded.size == sample.image.size and decoded.format == {"png": "PNG", "jpg": "JPEG"}[sample.extension]
    assert set(FIELD_NAMES) <= set(sample.truth)
    assert sample.truth["condition"] == condition and sample.truth["format"] == "TD3"
    width, height = sorted(sample.image.size, reverse=True)
    limits = {
        "clean": (850, 1300),  # 7-10 px/mm over 125 mm
        "scan": (780, 2100),  # up to two booklet pages (the facing page above)
        "lowres": (400, 560),  # MRZ capitals 8-10 px tall
        "photo": (1000, 1500),
        "heavy": (650, 1900),
    }[condition]
    assert limits[0] <= width <= limits[1], sample.image.size
    extrema = sample.image.convert("L").getextrema()
    assert extrema[1] - extrema[0] > 60  # not blank: there is ink on a light page


def test_write_set_writes_images_and_truth(tmp_path):
    truths = write_set(tmp_path, 5, ["clean", "lowres"], seed=9)
    lines = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines == truths and len(lines) == 5
    assert [t["condition"] for t in lines] == ["clean", "lowres", "clean", "lowres", "clean"]
    for truth in lines:
        assert (tmp_path / truth["file"]).stat().st_size > 1000
        assert set(FIELD_NAMES) <= set(truth)
    # Each line names the seed that regenerates its page.
    first = lines[0]
    assert generate(first["seed"], first["condition"], first["format"]).data == (tmp_path / first["file"]).read_bytes()


def test_perspective_coefficients_send_each_frame_corner_to_its_page_corner():
    from passport_synth.degrade import perspective_coefficients

    frame_corners = [(10, 20), (200, 15), (210, 150), (5, 160)]
    page_corners = [(0, 0), (100, 0), (100, 50), (0, 50)]
    a, b, c, d, e, f, g, h = perspective_coefficients(frame_corners, page_corners)
    for (x, y), (u, v) in zip(frame_corners, page_corners):
        w = g * x + h * y + 1
        assert abs((a * x + b * y + c) / w - u) < 1e-6 and abs((d * x + e * y + f) / w - v) < 1e-6
