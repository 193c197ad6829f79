"""Our visual-zone line net against PP-OCRv6 on the evaluation crops of make_data.py.

    PYTHONPATH=layers/core .venv/bin/python scripts/viz_model/eval.py --sets /tmp/vizline/eval

For each set (held-out faces, DejaVu) and level (clean, medium, heavy): character error rate
(edit distance / label length) and the share of lines read exactly, for all lines and for
the date lines alone, and the CPU time per line on one thread. PP-OCR's text is compared with
its marks removed and its case kept (our net reads base letters; the mark net adds marks).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
from PIL import Image

from passport_ocr.viz.line_net import MODEL_FILE
from passport_ocr.viz.second_reading import SecondReader

LEVELS = ("clean", "medium", "heavy")
SETS = ("holdout", "dejavu")
_DATE = re.compile(
    r"\d{1,2}(\.|/|-| |\. )\d{2}\1\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2} [A-Za-z]+( ?/ ?[A-Za-z]+)? \d{2,4}"
)


def is_date(label: str) -> bool:
    return _DATE.fullmatch(label) is not None


def plain(text: str) -> str:
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(text.split())


def load_crops(path: Path) -> tuple[list[Image.Image], list[str]]:
    d = np.load(path)
    flat, crops, at = d["flat"], [], 0
    for h, w in d["shapes"]:
        crops.append(Image.fromarray(flat[at:at + h * w].reshape(h, w)).convert("RGB"))
        at += h * w
    return crops, [str(x) for x in d["labels"]]


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def scores(got: list[str], want: list[str], keep) -> tuple[float, float, int]:
    pairs = [(g, w) for g, w in zip(got, want) if keep(w)]
    errors = sum(edit_distance(g, w) for g, w in pairs)
    chars = sum(len(w) for _, w in pairs)
    return errors / max(1, chars), sum(g == w for g, w in pairs) / max(1, len(pairs)), len(pairs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="/tmp/vizline/eval")
    parser.add_argument("--model", default=str(MODEL_FILE))
    parser.add_argument("--no-ppocr", action="store_true")
    parser.add_argument("--examples", type=int, default=0, help="print this many heavy date lines per set")
    args = parser.parse_args()
    net = SecondReader(threads=1, model_file=args.model)  # decodes as the reader does
    ppocr = None
    if not args.no_ppocr:
        from passport_ocr.viz.recognize import TextRecognizer

        ppocr = TextRecognizer(threads=1)
    rows = []
    for name in SETS:
        for level in LEVELS:
            crops, labels = load_crops(Path(args.sets) / f"{name}_{level}.npz")
            readers = {"ours": lambda c: [line.text for line in net.read(c)]}
            if ppocr is not None:
                readers["PP-OCRv6"] = lambda c: [plain(line.text) for line in ppocr.read(c)]
            for reader, read in readers.items():
                read(crops[:4])  # warm up (session load)
                started = time.process_time()
                got = read(crops)
                ms = 1000 * (time.process_time() - started) / len(crops)
                all_cer, all_exact, n = scores(got, labels, lambda w: True)
                date_cer, date_exact, n_dates = scores(got, labels, is_date)
                rows.append((name, level, reader, all_cer, all_exact, n, date_cer, date_exact, n_dates, ms))
                print(f"{name:8s} {level:7s} {reader:9s} CER {all_cer:6.2%} lines {all_exact:6.1%} (n {n}) | "
                      f"dates CER {date_cer:6.2%} lines {date_exact:6.1%} (n {n_dates}) | {ms:.1f} ms/line",
                      file=sys.stderr, flush=True)
                if args.examples and level == "heavy":
                    shown = [(w, g) for g, w in zip(got, labels) if is_date(w)][: args.examples]
                    for w, g in shown:
                        print(f"    {w!r:28s} -> {g!r}", file=sys.stderr)
    print("\n| set | level | reader | CER | lines exact | dates CER | dates exact | ms/line |")
    print("|---|---|---|---|---|---|---|---|")
    for name, level, reader, cer, exact, n, dcer, dexact, nd, ms in rows:
        print(f"| {name} | {level} | {reader} | {cer:.2%} | {exact:.1%} | {dcer:.2%} | {dexact:.1%} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
