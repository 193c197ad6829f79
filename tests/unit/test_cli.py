"""The `passport-ocr` command line: JSON lines out, errors per file, argparse exit codes."""

import io
import json
import subprocess
import sys

import pytest
from PIL import Image

from passport_ocr.cli import Progress, main
from support import pdfs

MRZ_FIELDS = (
    "document_type",
    "issuing_country",
    "surname",
    "given_names",
    "document_number",
    "nationality",
    "date_of_birth",
    "sex",
    "date_of_expiry",
)


@pytest.fixture(autouse=True)
def offline_engine(monkeypatch):
    # A developer's OCR.Space key must not send test images to the internet.
    for name in ("OCRSPACE_API_KEY", "OCRSPACE_SECRET_ARN", "PASSPORT_OCR_ENGINE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def td3(real_samples_dir, real_truth):
    truth = next(t for t in real_truth if t["file"] == "uto_td3_icao.png")
    return real_samples_dir / "uto_td3_icao.png", truth


def run(capsys, *argv) -> tuple[int, list[dict], str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_extract_prints_one_json_line_with_the_documents_fields(capsys, td3):
    path, truth = td3
    code, lines, _ = run(capsys, "extract", "--engine", "local", str(path))
    assert code == 0
    assert len(lines) == 1
    line = lines[0]
    assert line["source"] == str(path)
    assert "error" not in line
    assert {name: line[name] for name in MRZ_FIELDS} == {name: truth[name] for name in MRZ_FIELDS}
    assert line["mrz"]["lines"] == truth["mrz"]
    assert line["date_of_issue"] == truth["date_of_issue"]  # printed only in the visual zone
    assert line["status"] in ("extracted", "needs_review")
    assert line["engine"] == "local"


def test_fields_mrz_leaves_the_visual_zone_out(capsys, td3):
    path, truth = td3
    code, [line], _ = run(capsys, "extract", "--engine", "local", "--fields", "mrz", str(path))
    assert code == 0
    assert line["document_number"] == truth["document_number"]
    assert line["date_of_issue"] is None  # printed only in the visual zone
    assert line["place_of_birth"] is None and line["authority"] is None


def test_a_pdf_scan_is_read_from_its_first_page(capsys, tmp_path, td3):
    path, truth = td3
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdfs.scan_pdf(pdfs.on_a4_page(Image.open(path)), Image.new("RGB", (800, 600), "white")))
    protected = tmp_path / "protected.pdf"
    protected.write_bytes(pdfs.encrypted_pdf(user_password=b"secret"))

    code, lines, _ = run(capsys, "extract", "--engine", "local", "--fields", "mrz", str(scan), str(protected))

    assert code == 0
    assert [line["source"] for line in lines] == [str(scan), str(protected)]
    assert {name: lines[0][name] for name in MRZ_FIELDS} == {name: truth[name] for name in MRZ_FIELDS}
    assert lines[1]["error"]["code"] == "encrypted_pdf"


def test_bad_files_give_error_lines_in_order_and_exit_0(capsys, tmp_path):
    not_an_image = tmp_path / "letter.jpg"
    not_an_image.write_text("Dear passport office,\nplease find attached ...\n")
    missing = tmp_path / "missing.png"
    code, lines, _ = run(capsys, "extract", "--engine", "local", str(not_an_image), str(missing))
    assert code == 0
    assert [line["source"] for line in lines] == [str(not_an_image), str(missing)]
    assert lines[0]["error"]["code"] == "unsupported_format"
    assert lines[0]["error"]["message"]
    assert lines[1]["error"]["code"] == "file_not_found"
    assert "document_number" not in lines[0]


def test_dash_reads_the_image_from_stdin(capsys, monkeypatch, td3):
    path, truth = td3
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    code, [line], _ = run(capsys, "extract", "--engine", "local", "--fields", "mrz", "-")
    assert code == 0
    assert line["source"] == "-"
    assert line["surname"] == truth["surname"]


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["extract"],
        ["extract", "--fields", "everything", "a.jpg"],
        ["extract", "--engine", "tesseract", "a.jpg"],
        ["frobnicate"],
    ],
)
def test_misuse_exits_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_console_script_runs_and_keeps_stdout_pure_json(tmp_path):
    bad = tmp_path / "empty.png"
    bad.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "passport_ocr.cli", "extract", "--engine", "local", str(bad), str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["error"]["code"] for line in lines] == ["empty_input", "empty_input"]
    assert "[" not in done.stderr  # no progress bar when stderr is not a terminal


def test_progress_bar_draws_on_a_terminal_and_stays_silent_otherwise():
    terminal = io.StringIO()
    bar = Progress(terminal, enabled=True)
    bar.update("extracting", 1, 4)
    bar.update("extracting", 4, 4)
    bar.close()
    assert "1/4" in terminal.getvalue() and "4/4" in terminal.getvalue()
    assert terminal.getvalue().endswith("\n")

    pipe = io.StringIO()
    quiet = Progress(pipe, enabled=False)
    quiet.update("extracting", 1, 4)
    quiet.close()
    assert pipe.getvalue() == ""
