"""Probe the offline MRZ engine: accuracy and CPU time on the real samples and on quick renders.

    .venv/bin/python bench/probe_local.py            # real samples
    .venv/bin/python bench/probe_local.py --synth    # + rotated / small / blurred / JPEG renders
    .venv/bin/python bench/probe_local.py --stress   # + real samples turned / in frame / blurred
    .venv/bin/python bench/probe_local.py --synth-only --generated 2   # passport_synth pages
    .venv/bin/python bench/probe_local.py --px-per-char 17 --verbose

CPU time is time.process_time() around the engine's first hypothesis (and, when the MRZ parser
exists, around extract(fields="mrz") end to end: decode + every hypothesis until one is valid),
model load excluded (the session is created before the first page).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "samples" / "real"
OCRB = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"

from passport_ocr.engines import local as local_engine  # noqa: E402
from passport_ocr.engines.local import LocalEngine  # noqa: E402
from passport_ocr.errors import NoMrzFound  # noqa: E402
from passport_ocr.settings import Settings  # noqa: E402


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def line_errors(lines: list[str], truth: list[str]) -> tuple[int, int, int]:
    """(character edits, truth characters, exact lines) of `lines` against `truth`, in order."""
    edits = sum(edit_distance(a, b) for a, b in zip(lines, truth))
    edits += sum(len(t) for t in truth[len(lines):]) + sum(len(x) for x in lines[len(truth):])
    exact = sum(a == b for a, b in zip(lines, truth))
    return edits, sum(len(t) for t in truth), exact


def have_parser() -> bool:
    try:
        from passport_ocr.extract import extract  # noqa: F401
        from passport_ocr.mrz import read_mrz  # noqa: F401
    except ImportError:
        return False
    return True


# --- quick renders ---------------------------------------------------------------------
TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
TD1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]


def render_page(mrz: list[str], rng: random.Random) -> Image.Image:
    """A plain data page: some printed fields above, the MRZ at the bottom, paper tint."""
    font = ImageFont.truetype(OCRB, 34)
    small = ImageFont.truetype(OCRB, 22)
    width = 60 + 26 * len(mrz[0])
    page = Image.new("RGB", (width, 640), (236, 232, 220))
    draw = ImageDraw.Draw(page)
    for k in range(8):
        draw.text((330, 60 + 45 * k), rng.choice(["SURNAME", "GIVEN NAMES", "NATIONALITY", "DATE OF BIRTH"]), font=small, fill=(90, 90, 110))
    draw.rectangle((40, 60, 290, 400), fill=(180, 170, 160))
    top = 640 - 60 * len(mrz) - 30
    for k, line in enumerate(mrz):
        draw.text((30, top + 60 * k), line, font=font, fill=(20, 20, 20))
    return page


def degrade(page: Image.Image, kind: str, rng: random.Random) -> Image.Image:
    if kind.startswith("rot"):
        return page.rotate(float(kind[3:]), expand=True, fillcolor=(120, 120, 120), resample=Image.BICUBIC)
    if kind == "small":
        # A phone photo: the document small in a textured, unevenly lit frame, sensor noise.
        texture = Image.effect_noise((750, 550), 60).filter(ImageFilter.GaussianBlur(3)).resize((3000, 2200))
        shade = Image.linear_gradient("L").resize((3000, 2200))
        canvas = Image.blend(texture, shade, 0.5).convert("RGB")
        doc = page.rotate(rng.uniform(-8, 8), expand=True, fillcolor=(110, 110, 110))
        doc = doc.resize((doc.width * 2 // 3, doc.height * 2 // 3))
        canvas.paste(doc, (rng.randint(0, 3000 - doc.width), rng.randint(0, 2200 - doc.height)))
        noise = Image.effect_noise((3000, 2200), 12).convert("RGB")
        return Image.blend(canvas, noise, 0.15)
    if kind == "guilloche":
        # Security print: fine wavy lines in a light ink all over the page, MRZ included.
        page = page.copy()
        draw = ImageDraw.Draw(page)
        for k in range(0, page.height + 40, 9):
            points = [(x, k + 6 * math.sin(x / 23 + k)) for x in range(0, page.width, 4)]
            draw.line(points, fill=(170, 175, 200), width=1)
        return page
    if kind == "glare":
        glare = Image.new("L", page.size, 0)
        ImageDraw.Draw(glare).ellipse((page.width * 0.55, page.height * 0.6, page.width * 0.8, page.height * 1.1), fill=200)
        glare = glare.filter(ImageFilter.GaussianBlur(25))
        return Image.composite(Image.new("RGB", page.size, (255, 255, 255)), page, glare)
    if kind.startswith("persp"):
        # Camera tilted: the far edge of the page shrinks; lines converge instead of staying parallel.
        k = float(kind[5:])
        w, h = page.size
        quad = (0, 0, 0, h, w, h * (1 + k), w, -k * h)  # source corners: TL, BL, BR, TR
        warped = page.transform((w, h), Image.QUAD, quad, Image.BICUBIC, fillcolor=(110, 110, 110))
        return warped
    if kind == "blur":
        return page.filter(ImageFilter.GaussianBlur(2.0))
    if kind == "jpeg":
        buf = io.BytesIO()
        page.resize((page.width // 2, page.height // 2)).save(buf, "JPEG", quality=30)
        return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    if kind == "lowres":
        return page.resize((300, round(300 * page.height / page.width)))
    return page


SYNTH_KINDS = ["persp0.1", "persp0.2", "persp0.3", "guilloche", "glare", "plain", "rot90", "rot180", "rot270", "rot15", "rot-15", "rot35", "small", "blur", "jpeg", "lowres"]


def in_frame(page: Image.Image) -> Image.Image:
    """The page slightly turned, small in a dark 2400 x 1800 photo."""
    frame = Image.new("RGB", (max(2400, page.width + 900), max(1800, page.height + 700)), (50, 60, 50))
    frame.paste(page.rotate(7, expand=True, fillcolor=(50, 60, 50)), (700, 500))
    return frame


# Real samples made harder; each is saved as a JPEG of quality 50 (a second lossy pass).
STRESS = {
    "rot90": lambda page: page.rotate(90, expand=True),
    "rot180": lambda page: page.rotate(180, expand=True),
    "rot-25": lambda page: page.rotate(-25, expand=True, fillcolor=(60, 60, 60), resample=Image.BICUBIC),
    "inframe": in_frame,
    "blur": lambda page: page.filter(ImageFilter.GaussianBlur(1.2)),
}


def cases(args):
    if not args.synth_only:
        for row in (json.loads(l) for l in open(REAL / "truth.jsonl") if l.strip()):
            image = Image.open(REAL / row["file"])
            image.load()
            yield row["file"], image, row["mrz"], (REAL / row["file"]).read_bytes()
            if args.stress:
                for kind, make in STRESS.items():
                    hard = make(image.convert("RGB"))
                    buf = io.BytesIO()
                    hard.save(buf, "JPEG", quality=50)
                    yield f"{row['file']}+{kind}", Image.open(io.BytesIO(buf.getvalue())), row["mrz"], buf.getvalue()
    if args.generated:
        # Pages from the project's generator (synth/passport_synth): every condition x format.
        from passport_synth import CONDITIONS, FORMATS, generate

        for seed in range(args.generated):
            for condition in CONDITIONS:
                for doc_format in FORMATS:
                    sample = generate(seed=1000 + seed, condition=condition, doc_format=doc_format)
                    sample.image.load()
                    yield f"gen-{condition}-{doc_format}-{seed}", sample.image, sample.truth["mrz"], sample.data
    if args.synth or args.synth_only:
        rng = random.Random(7)
        for name, mrz in (("td3", TD3), ("td1", TD1)):
            page = render_page(mrz, rng)
            for kind in SYNTH_KINDS:
                image = degrade(page, kind, rng)
                buf = io.BytesIO()
                image.save(buf, "PNG")
                yield f"synth-{name}-{kind}", image, mrz, buf.getvalue()
        # No MRZ, but long lines of print: the engine must give up, and not slowly.
        page = Image.new("RGB", (1200, 900), (240, 238, 230))
        draw = ImageDraw.Draw(page)
        words = "THE HOLDER OF THIS DOCUMENT IS REQUESTED TO PASS FREELY WITHOUT DELAY 1234".split()
        for k in range(14):
            text = " ".join(rng.choice(words) for _ in range(9))
            draw.text((40, 40 + 60 * k), text, font=ImageFont.truetype(OCRB, 28), fill=(30, 30, 30))
        buf = io.BytesIO()
        page.save(buf, "PNG")
        yield "synth-no-mrz-text-page", page, [], buf.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synth", action="store_true")
    parser.add_argument("--synth-only", action="store_true")
    parser.add_argument("--generated", type=int, default=0, help="N seeds of passport_synth pages per condition x format")
    parser.add_argument("--stress", action="store_true", help="+ real samples turned, small in frame, blurred, re-JPEGed")
    parser.add_argument("--px-per-char", type=float, default=None)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="best of N CPU times per page (other load inflates single runs)")
    args = parser.parse_args()
    started = time.process_time()
    engine = LocalEngine.shared(Settings())
    engine.recognizer.load()
    if args.px_per_char:
        engine.px_per_char = args.px_per_char
    print(f"model load: {time.process_time() - started:.2f} CPU-s")
    parse = have_parser()
    if parse:
        from passport_ocr.extract import FIELDS_MRZ, extract

    first_times, total_edits, total_chars = [], 0, 0
    e2e_times, e2e_ok = [], 0
    n = 0
    for name, image, truth, data in cases(args):
        n += 1
        first_cpu = float("inf")
        for _ in range(args.repeat):
            t0 = time.process_time()
            try:
                candidates = engine.mrz_candidates(image)
                first = next(candidates)
            except (NoMrzFound, StopIteration):
                first = None
            first_cpu = min(first_cpu, time.process_time() - t0)
        first_times.append(first_cpu)
        lines = [l.text for l in first.lines] if first else []
        # A reading of all candidates until one matches the truth, for "found it at all".
        rank = None
        if first and lines == truth:
            rank = 1
        elif first:
            for k, reading in enumerate(candidates, 2):
                if [l.text for l in reading.lines] == truth:
                    rank = k
                    break
                if k > 12:
                    break
        edits, chars, exact = line_errors(lines, truth)
        if truth:
            total_edits += edits
            total_chars += chars
            status = f"{name:28s} cpu {first_cpu:.3f}s  CER {edits / chars:6.2%}  exact {exact}/{len(truth)}  truth@{rank}"
        else:
            status = f"{name:28s} cpu {first_cpu:.3f}s  (no MRZ in the image)"
        if parse:
            t0 = time.process_time()
            if not truth:
                try:
                    record = extract(data, engine=engine, settings=Settings(), fields=FIELDS_MRZ)
                    if record.mrz.valid:
                        status += "  e2e FAIL: a valid MRZ"
                    else:
                        # The pipeline returns its best invalid parse rather than NoMrzFound.
                        e2e_ok += 1
                        status += f"  e2e OK (invalid record, {record.mrz.format}) {time.process_time() - t0:.3f}s"
                except NoMrzFound:
                    e2e_ok += 1
                    status += f"  e2e OK (NoMrzFound) {time.process_time() - t0:.3f}s"
                e2e_times.append(time.process_time() - t0)
                print(status)
                continue
            try:
                record = extract(data, engine=engine, settings=Settings(), fields=FIELDS_MRZ)
                ok = all(record.fields.get(k) is not None for k in ("document_number",)) and record.mrz.valid
                got = record.mrz.lines if hasattr(record.mrz, "lines") else None
                ok = ok and (got is None or list(got) == truth)
            except Exception as exc:  # the probe reports, it does not stop
                ok = False
                status += f"  extract: {type(exc).__name__}"
            e2e_times.append(time.process_time() - t0)
            e2e_ok += ok
            status += f"  e2e {'OK' if ok else 'FAIL'} {e2e_times[-1]:.3f}s"
        print(status)
        if args.verbose or exact < len(truth):
            for got, want in zip(lines + [""] * (len(truth) - len(lines)), truth):
                if got != want:
                    print(f"    got  {got}\n    want {want}")
            if first:
                print(f"    {first.notes} conf {local_engine.mean_confidence(first.lines):.3f}")

    def summary(times):
        times = sorted(times)
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        return f"median {statistics.median(times):.3f}  p95 {p95:.3f}  max {times[-1]:.3f} CPU-s"

    print(f"\n{n} pages  CER {total_edits / max(total_chars, 1):.2%}  first hypothesis: {summary(first_times)}")
    if parse:
        print(f"end to end (extract): {e2e_ok}/{n} valid  {summary(e2e_times)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
