"""Line crops for the visual-zone line recogniser (viz/line_net.py, vizline.onnx).

Each sample is one random text line (45% dates, 55% name/place/authority-like letter strings;
never text of the page generator's word lists) rendered in one face at a capture resolution,
degraded there (blur, contrast, noise, JPEG, as passport_synth.degrade orders them), scaled up
as viz.local_text.upright_page scales the page, and cut with padding drawn from what the text
detector gives (measure_boxes.py). The label is the text with its marks removed.

    .venv-train/bin/python scripts/viz_model/make_data.py train --n 200000 --out /tmp/vizline/train.npz
    .venv-train/bin/python scripts/viz_model/make_data.py val   --n 3000   --out /tmp/vizline/val.npz
    .venv-train/bin/python scripts/viz_model/make_data.py eval  --n 600    --out /tmp/vizline/eval

train/val store each crop as the network sees it before standardising (NET_HEIGHT high, uint8;
`line_net.to_net_input` of such a crop only standardises it). eval stores the crops as cut, for
any recogniser. Faces: those of scripts/mark_model (never DejaVu: the page generator's face, the
unseen-font test); the families in mark_model's HOLDOUT are kept for val and eval.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "layers/core"))


def _mark_model_data():
    """scripts/mark_model/make_data.py (faces, backgrounds), loaded under its own name."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("mark_make_data", HERE.parent / "mark_model" / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


marks = _mark_model_data()
from passport_ocr.viz.line_net import LINE_ALPHABET, NET_HEIGHT, net_grey  # noqa: E402

# Padding of the detector's boxes around a line's ink, as a fraction of the ink height:
# quantiles p0, p5, p10, p25, p50, p75, p90, p95, p100 (measure_boxes.py on 48 clean and scan
# pages, 1,217 boxes; the p0 and p100 ends are ours).
QUANTILES = [0.0, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 1.0]
PAD_TOP = [0.08, 0.31, 0.35, 0.42, 0.53, 0.74, 1.00, 1.31, 1.6]
PAD_BOTTOM = [0.05, 0.14, 0.19, 0.29, 0.40, 0.57, 0.77, 1.00, 1.3]
PAD_SIDE = [0.0, 0.03, 0.06, 0.10, 0.18, 0.28, 0.38, 0.48, 0.7]
# How often a box holds the cut edge of the line above (a label) or below.
FRAGMENT_TOP, FRAGMENT_BOTTOM = 0.25, 0.12

# Fixed-range degradations of the evaluation levels; "heavy" is passport_synth's heavy preset
# (value capitals ~12-18 px at 5.5-7.5 px/mm, the page then scaled up 2.3-3x by upright_page).
LEVELS = {
    "clean": dict(cap=(16, 40), blur=(0.0, 0.0), noise=(0.0, 0.0), contrast=(1.0, 1.0), jpeg=None, upscale=(1.0, 2.5)),
    "medium": dict(cap=(13, 28), blur=(0.4, 1.0), noise=(4.0, 10.0), contrast=(0.6, 0.9), jpeg=(60, 85), upscale=(1.5, 3.0)),
    "heavy": dict(cap=(12, 18), blur=(1.0, 1.8), noise=(12.0, 22.0), contrast=(0.35, 0.6), jpeg=(30, 50), upscale=(2.3, 3.0)),
}

# ---------------------------------------------------------------- text

# Letter frequencies of European names and places (a rough mix of EN, FR, DE, ES, IT, PL).
FREQUENCIES = {
    "E": 11.5, "A": 9.5, "I": 7.5, "N": 7.0, "R": 6.5, "O": 6.5, "S": 6.0, "T": 5.5, "L": 5.0,
    "U": 3.8, "D": 3.8, "C": 3.3, "M": 3.2, "K": 2.4, "H": 2.3, "G": 2.2, "B": 2.0, "P": 2.0,
    "V": 1.6, "Z": 1.4, "Y": 1.2, "W": 1.2, "F": 1.2, "J": 1.0, "X": 0.3, "Q": 0.2,
}
LETTERS = list(FREQUENCIES)
LETTER_P = np.array([FREQUENCIES[c] for c in LETTERS]) / sum(FREQUENCIES.values())
VOWELS = set("AEIOUY")


def strip_marks(text: str) -> str:
    """The label of a rendered text: every letter as its plain base letter."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _accented() -> dict[str, list[str]]:
    """Plain capital -> the capitals of LANGUAGE_LETTERS written on it (those with a plain
    ASCII base only: the network outputs base letters)."""
    out: dict[str, list[str]] = {}
    for letters in marks.language_letters().values():
        for ch in letters:
            base = strip_marks(ch)
            if len(ch) == 1 and len(base) == 1 and base.isascii() and base.isalpha() and base != ch:
                out.setdefault(base.upper(), [])
                if ch not in out[base.upper()]:
                    out[base.upper()].append(ch)
    return out


ACCENTED = _accented()

# Month words (dates.py holds them folded; the printed forms carry marks).
MONTHS_EN = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
MONTHS_FR = ["JAN", "FÉV", "MARS", "AVR", "MAI", "JUIN", "JUIL", "AOÛT", "SEPT", "OCT", "NOV", "DÉC"]
MONTHS_FR_FULL = ["JANVIER", "FÉVRIER", "MARS", "AVRIL", "MAI", "JUIN", "JUILLET", "AOÛT", "SEPTEMBRE",
                  "OCTOBRE", "NOVEMBRE", "DÉCEMBRE"]
MONTHS_EN_FULL = ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER",
                  "OCTOBER", "NOVEMBER", "DECEMBER"]
MONTHS_OTHER = [  # DE, ES, IT, PT, NL, PL abbreviations
    ["JAN", "ENE", "GEN", "STY"], ["FEB", "FEV", "LUT"], ["MÄR", "MRZ", "MRT"], ["ABR", "APR", "KWI"],
    ["MAI", "MAG", "MEI", "MAJ"], ["JUN", "GIU", "CZE"], ["JUL", "LUG", "LIP"], ["AGO", "SIE"],
    ["SET", "WRZ"], ["OKT", "OTT", "OUT", "PAŹ"], ["NOV", "LIS"], ["DEZ", "DIC", "GRU"],
]
FIRST_DAY, LAST_DAY = date(1920, 1, 1), date(2040, 12, 31)


def _case(word: str, style: str) -> str:
    if style == "title":
        return word[:1].upper() + word[1:].lower()
    if style == "lower":
        return word.lower()
    return word.upper()


def random_date(rng: np.random.Generator) -> str:
    day = FIRST_DAY + timedelta(days=int(rng.integers((LAST_DAY - FIRST_DAY).days + 1)))
    dd = f"{day.day:02d}" if rng.random() < 0.7 else str(day.day)
    mm = f"{day.month:02d}"
    yy = str(day.year) if rng.random() < 0.7 else f"{day.year % 100:02d}"
    style = rng.random()
    if style < 0.40:  # a month word, maybe two languages
        m = day.month - 1
        kind = rng.random()
        if kind < 0.40:
            word = MONTHS_EN[m]
        elif kind < 0.70:  # 'AUG/AOUT', 'Juin/Jun', 'MARS/MAR'
            a, b = MONTHS_EN[m], MONTHS_FR[m] if rng.random() < 0.8 else MONTHS_FR_FULL[m]
            if rng.random() < 0.4:
                a, b = b, a
            sep = "/" if rng.random() < 0.85 else " / "
            word = a + sep + b
        elif kind < 0.82:
            word = MONTHS_EN_FULL[m] if rng.random() < 0.5 else MONTHS_FR_FULL[m]
        else:
            options = MONTHS_OTHER[m]
            word = options[int(rng.integers(len(options)))]
        case = "upper" if rng.random() < 0.8 else "title"
        word = "/".join(_case(part, case) for part in word.split("/"))
        if rng.random() < 0.1:
            word = word.replace("/", "/" if case == "upper" else " /")
        return f"{dd} {word} {yy}"
    if style < 0.58:
        return f"{dd}.{mm}.{yy}"
    if style < 0.72:
        return f"{dd}/{mm}/{yy}"
    if style < 0.82:
        return f"{day.year}-{mm}-{day.day:02d}"
    if style < 0.92:
        return f"{dd} {mm} {yy}"
    return f"{dd}-{mm}-{yy}" if rng.random() < 0.5 else f"{dd}. {mm}. {yy}"


def random_word(rng: np.random.Generator, accent_rate: float, covered: str) -> str:
    n = int(np.clip(rng.normal(6.5, 2.5), 2, 12))
    if rng.random() < 0.5:  # independent letters
        letters = list(rng.choice(LETTERS, size=n, p=LETTER_P))
    else:  # alternating consonants and vowels, like most names
        letters, vowel = [], rng.random() < 0.4
        while len(letters) < n:
            while True:
                c = str(rng.choice(LETTERS, p=LETTER_P))
                if (c in VOWELS) == vowel or rng.random() < 0.15:
                    break
            letters.append(c)
            vowel = not vowel if rng.random() < 0.85 else vowel
    out = []
    for c in letters:
        if accent_rate and rng.random() < accent_rate and c in ACCENTED:
            options = [a for a in ACCENTED[c] if a in covered]
            if options:
                c = options[int(rng.integers(len(options)))]
        out.append(c)
    return "".join(out)


def random_name(rng: np.random.Generator, covered: str) -> str:
    """1-4 words shaped like a name, place or authority, with some digits and punctuation."""
    accent_rate = 0.0 if rng.random() < 0.5 else 0.2
    r = rng.random()
    line_case = "upper" if r < 0.72 else ("title" if r < 0.95 else "lower")
    words = int(rng.choice([1, 2, 3, 4], p=[0.35, 0.35, 0.2, 0.1]))
    parts: list[str] = []
    for k in range(words):
        word = random_word(rng, accent_rate, covered)
        case = line_case
        if line_case == "title" and rng.random() < 0.1:
            case = "lower"  # 'de', 'von', 'van der'
        word = _case(word, case)
        p = rng.random()
        if p < 0.04:
            word = word[: int(rng.integers(1, 4))] + "."  # 'ST.', 'Dept.'
        elif p < 0.07:
            word = word + ","
        elif p < 0.10:
            word = "(" + word + ")"
        elif p < 0.13 and len(word) > 3:
            i = int(rng.integers(1, 3))
            word = word[:i] + "'" + word[i:]  # "D'ARC", "O'NEIL"
        elif p < 0.16:
            word = str(int(rng.integers(1, 10 ** int(rng.integers(1, 5)))))
        elif p < 0.18:
            word = "".join(rng.choice(list("0123456789ABCDEFGHJKLMNPRSTUVWXYZ"), size=int(rng.integers(5, 10))))
        parts.append(word)
    text = parts[0]
    for word in parts[1:]:
        s = rng.random()
        sep = " " if s < 0.82 else ("-" if s < 0.90 else (" / " if s < 0.96 else "/"))
        text += sep + word
    return text


def random_text(rng: np.random.Generator, covered: str) -> str:
    return random_date(rng) if rng.random() < 0.45 else random_name(rng, covered)


def label_of(text: str) -> str:
    label = " ".join(strip_marks(text).split())
    assert all(c in LINE_ALPHABET for c in label), (text, label)
    return label


# ---------------------------------------------------------------- rendering


def _quantile_draw(rng: np.random.Generator, values: list[float]) -> float:
    return float(np.interp(rng.random(), QUANTILES, values))


def _draw_degradations(rng: np.random.Generator, level: dict | None) -> dict:
    if level is not None:
        u = lambda bounds: float(rng.uniform(*bounds))  # noqa: E731
        return dict(
            cap=u(level["cap"]), blur=u(level["blur"]), noise=u(level["noise"]), contrast=u(level["contrast"]),
            jpeg=None if level["jpeg"] is None else int(rng.integers(level["jpeg"][0], level["jpeg"][1] + 1)),
            upscale=u(level["upscale"]),
        )
    # Training: clean to beyond the heavy condition, the rough half weighted towards it.
    rough = rng.random() < 0.55
    cap = rng.uniform(9, 22) if rng.random() < 0.65 else rng.uniform(8, 40)
    return dict(
        cap=cap,
        blur=rng.uniform(0.8, 2.0) if rough else (0.0 if rng.random() < 0.3 else rng.uniform(0, 1.2)),
        noise=rng.uniform(8, 25) if rough else (0.0 if rng.random() < 0.3 else rng.uniform(0, 12)),
        contrast=rng.uniform(0.3, 0.65) if rough else rng.uniform(0.5, 1.0),
        jpeg=int(rng.integers(25, 55)) if rough else (None if rng.random() < 0.25 else int(rng.integers(50, 96))),
        upscale=1.0 if rng.random() < 0.25 else rng.uniform(1.2, 3.0),
    )


def render_crop(rng: np.random.Generator, font: dict, text: str, level: dict | None = None) -> Image.Image | None:
    """One line crop (grey PIL image, at page resolution) of `text` in `font`."""
    d = _draw_degradations(rng, level)
    size = max(6, int(round(d["cap"] / font["cap"])))
    f = marks.get_font(font["path"], size)
    asc, desc = f.getmetrics()
    margin = 2 * size
    width = int(math.ceil(f.getlength(text))) + 2 * margin
    height = asc + desc + 2 * margin
    main = Image.new("L", (width, height), 0)
    ImageDraw.Draw(main).text((margin, margin), text, font=f, fill=255)
    frags = Image.new("L", (width, height), 0)
    has_frag = False
    for where, share in (("top", FRAGMENT_TOP), ("bottom", FRAGMENT_BOTTOM)):
        if rng.random() >= share:
            continue
        has_frag = True
        fsize = max(5, int(round(size * rng.uniform(0.5, 0.95))))
        ff = marks.get_font(font["path"], fsize)
        other = random_name(rng, font["letters"])
        other = other if rng.random() < 0.5 else other.title()
        x = margin + rng.uniform(-0.3, 0.5) * size
        top_of_caps = margin + asc - d["cap"]
        gap = rng.uniform(0.1, 0.6) * d["cap"]
        if where == "top":
            fasc, fdesc = ff.getmetrics()
            y = top_of_caps - gap - fasc - fdesc * rng.uniform(0.0, 1.0)
        else:
            y = margin + asc + desc * rng.uniform(0.3, 1.0) + gap - ff.getbbox("H")[1]  # its capitals' top there
        ImageDraw.Draw(frags).text((x, y), other, font=ff, fill=255)
    angle = rng.uniform(-1.5, 1.5)
    if abs(angle) > 0.05:
        main = main.rotate(angle, resample=Image.BILINEAR, center=(width / 2, height / 2))
        if has_frag:
            frags = frags.rotate(angle, resample=Image.BILINEAR, center=(width / 2, height / 2))
    a = np.asarray(main, np.float32) / 255.0
    ys, xs = np.nonzero(a > 0.25)
    if len(ys) == 0:
        return None
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    ink_h = float(y1 - y0)
    bx0 = x0 - _quantile_draw(rng, PAD_SIDE) * ink_h
    bx1 = x1 + _quantile_draw(rng, PAD_SIDE) * ink_h
    by0 = y0 - _quantile_draw(rng, PAD_TOP) * ink_h
    by1 = y1 + _quantile_draw(rng, PAD_BOTTOM) * ink_h

    # Compose around the box (a margin for the blur), degrade at capture resolution.
    g = int(math.ceil(3 * d["blur"])) + 2
    ry0, rx0 = max(0, int(by0) - g), max(0, int(bx0) - g)
    ry1, rx1 = min(height, int(math.ceil(by1)) + g), min(width, int(math.ceil(bx1)) + g)
    a = a[ry0:ry1, rx0:rx1]
    paper = rng.uniform(185, 252)
    dark = rng.uniform(5, 60)
    bg = marks.background(rng, ry1 - ry0, rx1 - rx0, paper)
    img = bg
    if has_frag:
        fa = np.asarray(frags, np.float32)[ry0:ry1, rx0:rx1] / 255.0
        frag_ink = dark + rng.uniform(0, 0.6) * (paper - dark)
        img = img * (1 - fa) + frag_ink * fa
    img = img * (1 - a) + dark * a
    if d["blur"] > 0.05:
        img = np.asarray(Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(d["blur"])), np.float32)
    if d["contrast"] < 1.0:  # ImageEnhance.Contrast: towards the mean grey (of a page: light)
        mean = rng.uniform(150, 210)
        img = mean + d["contrast"] * (img - mean)
    if d["noise"] > 0:
        img = img + rng.normal(0, d["noise"], img.shape)
    pil = Image.fromarray(np.clip(np.round(img), 0, 255).astype(np.uint8))
    if d["jpeg"] is not None:
        buf = io.BytesIO()
        pil.save(buf, format="JPEG", quality=d["jpeg"])
        buf.seek(0)
        pil = Image.open(buf).convert("L")
    # The page is warped up (bilinear) before the boxes are cut at whole pixels.
    s = d["upscale"]
    if s > 1.01:
        pil = pil.resize((max(1, round(pil.width * s)), max(1, round(pil.height * s))), Image.BILINEAR)
    cx0, cy0 = (bx0 - rx0) * s, (by0 - ry0) * s
    cx1, cy1 = (bx1 - rx0) * s, (by1 - ry0) * s
    box = (max(0, int(cx0)), max(0, int(cy0)), min(pil.width, int(math.ceil(cx1))), min(pil.height, int(math.ceil(cy1))))
    if box[2] - box[0] < 4 or box[3] - box[1] < 4:
        return None
    return pil.crop(box)


def sample(rng: np.random.Generator, fonts: list[dict], level: dict | None):
    while True:
        font_index = int(rng.integers(len(fonts)))
        font = fonts[font_index]
        text = random_text(rng, font["letters"])
        try:
            crop = render_crop(rng, font, text, level)
        except Exception as error:  # a face Pillow cannot draw at some size
            print("render error", font["path"], error, file=sys.stderr)
            continue
        if crop is not None:
            return crop, label_of(text), font_index, text


def generate_net(n: int, fonts: list[dict], seed: int, level: dict | None = None) -> dict:
    """n samples as the network sees them (NET_HEIGHT high uint8), widths concatenated."""
    rng = np.random.default_rng(seed)
    pixels, widths, labels, font_ids = [], [], [], []
    for i in range(n):
        crop, label, font_index, _ = sample(rng, fonts, level)
        grey = np.clip(np.round(net_grey(crop)), 0, 255).astype(np.uint8)
        pixels.append(grey)
        widths.append(grey.shape[1])
        labels.append(label)
        font_ids.append(font_index)
        if (i + 1) % 20000 == 0:
            print(f"{i + 1} / {n}", file=sys.stderr, flush=True)
    return dict(pixels=np.concatenate(pixels, axis=1), widths=np.array(widths, np.int32), labels=np.array(labels),
                fonts=np.array(font_ids, np.int16), font_paths=np.array([f["path"] for f in fonts]))


def load_net(path: str) -> tuple[list[np.ndarray], list[str], np.ndarray]:
    d = np.load(path)
    pixels, widths = d["pixels"], d["widths"]  # (each d[...] reads the file again)
    edges = np.concatenate([[0], np.cumsum(widths)])
    crops = [pixels[:, edges[i]:edges[i + 1]] for i in range(len(widths))]
    return crops, [str(x) for x in d["labels"]], d["fonts"]


def generate_crops(n: int, fonts: list[dict], seed: int, level: dict) -> dict:
    """n crops as cut (any height), for comparing recognisers."""
    rng = np.random.default_rng(seed)
    out = dict(crops=[], labels=[], texts=[], fonts=[])
    for _ in range(n):
        crop, label, font_index, text = sample(rng, fonts, level)
        out["crops"].append(np.asarray(crop))
        out["labels"].append(label)
        out["texts"].append(text)
        out["fonts"].append(font_index)
    return out


def save_crops(path: str, data: dict, fonts: list[dict]) -> None:
    shapes = np.array([c.shape for c in data["crops"]], np.int32)
    flat = np.concatenate([c.ravel() for c in data["crops"]])
    np.savez_compressed(path, flat=flat, shapes=shapes, labels=np.array(data["labels"]), texts=np.array(data["texts"]),
                        fonts=np.array(data["fonts"], np.int16), font_paths=np.array([f["path"] for f in fonts]))
    print(f"wrote {path}: {len(shapes)} crops", file=sys.stderr)


def load_crops(path: str) -> tuple[list[Image.Image], list[str]]:
    d = np.load(path)
    flat, crops, at = d["flat"], [], 0
    for h, w in d["shapes"]:
        crops.append(Image.fromarray(flat[at:at + h * w].reshape(h, w)))
        at += h * w
    return crops, [str(x) for x in d["labels"]]


def faces() -> tuple[list[dict], list[dict], list[dict]]:
    """(training faces, held-out faces, DejaVu faces)."""
    table = marks.font_table()
    train = [f for f in table if marks.family(f["path"]) not in marks.HOLDOUT]
    hold = [f for f in table if marks.family(f["path"]) in marks.HOLDOUT]
    return train, hold, marks.dejavu_table()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", choices=["train", "val", "eval", "show"])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--out", default="/tmp/vizline/out.npz")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    train, hold, dejavu = faces()
    assert not any("dejavu" in f["path"].lower() for f in train + hold)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    if args.split == "train":
        np.savez(args.out, **generate_net(args.n, train, 1000 + args.seed))
    elif args.split == "val":
        np.savez(args.out, **generate_net(args.n, hold, 2000 + args.seed))
    elif args.split == "eval":
        os.makedirs(args.out, exist_ok=True)
        for k, (name, level) in enumerate(LEVELS.items()):
            save_crops(f"{args.out}/holdout_{name}.npz", generate_crops(args.n, hold, 3000 + 10 * args.seed + k, level), hold)
            save_crops(f"{args.out}/dejavu_{name}.npz", generate_crops(args.n, dejavu, 4000 + 10 * args.seed + k, level), dejavu)
    else:  # a contact sheet of training samples, and their labels
        rng = np.random.default_rng(args.seed)
        rows = []
        for k in range(args.n):
            level = list(LEVELS.values())[k % 3] if k % 2 else None
            crop, label, _, text = sample(rng, train, level)
            rows.append(crop)
            print(repr(text), "->", repr(label))
        sheet = Image.new("L", (max(r.width for r in rows), sum(r.height + 3 for r in rows)), 0)
        y = 0
        for r in rows:
            sheet.paste(r, (0, y))
            y += r.height + 3
        sheet.save(args.out)


if __name__ == "__main__":
    main()
