"""Synthetic training / evaluation data for the diacritic-mark classifier (marks.onnx).

Each sample is one 48x40 grey window cut from a rendered text line that was resized to a
height of 48 px, centred (with +-8 px jitter) on one letter, plus the letter's three labels:
above (21 classes: one mark, or Vietnamese's circumflex or breve with a tone mark), below (5)
and attached (3: a stroke through the letter, or Vietnamese's horn).  See README.md here.

    .venv-train/bin/python scripts/mark_model/make_data.py train --n 220000 --out /tmp/marks/train.npz
    .venv-train/bin/python scripts/mark_model/make_data.py val   --n 6000   --out /tmp/marks/val.npz
    .venv-train/bin/python scripts/mark_model/make_data.py eval  --n 2000   --out /tmp/marks/eval

Only Pillow and numpy are needed.  DejaVu is never used for training (it is the project's page
generator's face and serves as the unseen-font test); two more families are held out (HOLDOUT).
"""

from __future__ import annotations

import argparse
import glob
import io
import os
import re
import sys
import unicodedata
from functools import lru_cache
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HEIGHT, WIDTH = 48, 40
JITTER = 8

# Vietnamese stacks a tone mark (acute, grave, hook, tilde) on a circumflex or a breve: each
# stack is one class above, so a letter still has one label per head.
_STACKED = [f"{vowel_mark}_{tone}" for vowel_mark in ("circumflex", "breve") for tone in ("acute", "grave", "hook", "tilde")]
ABOVE = ["none", "acute", "grave", "circumflex", "caron", "breve", "ring", "diaeresis", "tilde",
         "double_acute", "dot", "macron", "hook"] + _STACKED
BELOW = ["none", "cedilla", "ogonek", "comma", "dot_below"]
# What is drawn through or onto the letter itself: a stroke (Ø Ł Đ), Vietnamese's horn (Ơ Ư),
# or another letter joined to it ('Æ': an E with the left leg of an A; the recogniser reads it
# 'E' or 'AE').
ATTACHED = ["none", "stroke", "horn", "ligature"]
LIGATURE_LETTERS = set("Ææ")
_ABOVE_CP = {"\u0301": "acute", "\u0300": "grave", "\u0302": "circumflex", "\u030c": "caron",
             "\u0306": "breve", "\u030a": "ring", "\u0308": "diaeresis", "\u0303": "tilde",
             "\u030b": "double_acute", "\u0307": "dot", "\u0304": "macron", "\u0309": "hook"}
_BELOW_CP = {"\u0327": "cedilla", "\u0328": "ogonek", "\u0326": "comma", "\u0323": "dot_below"}
_HORN_CP = "\u031b"
# Letters that do not decompose but carry a bar.  Ð (eth) is drawn exactly like Đ, so it is a
# stroke letter too; Ŧ (Sami) likewise.  Lowercase ð is skipped (its bar is part of the letter
# shape, unlike đ, yet it looks similar).
STROKE_LETTERS = set("ØøŁłĐđĦħŦŧÐ")
SKIP_LETTERS = set("ðʻ")

REPO = Path(__file__).resolve().parents[2]
ALPHABETS = REPO / "layers/core/passport_ocr/viz/alphabets.py"
DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu"
# Two non-DejaVu families held out from training (validation): one sans, one serif.
HOLDOUT = ("OpenSans", "C059")
DEJAVU_TEST = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansCondensed.ttf",
               "DejaVuSansCondensed-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
               "DejaVuSerifCondensed.ttf", "DejaVuSerifCondensed-Bold.ttf"]
LEVELS = {  # fixed degradations for evaluation; None = random as in training
    "clean": dict(blur=0.0, noise=0.0, contrast=1.0, jpeg=None),
    "medium": dict(blur=0.7, noise=6.0, contrast=1.0, jpeg=80),
    "heavy": dict(blur=1.4, noise=18.0, contrast=0.45, jpeg=40),
}


def labels(ch: str) -> tuple[int, int, int] | None:
    """(above, below, attached) class indices, or None for letters out of scope."""
    if ch in SKIP_LETTERS:
        return None
    if ch in STROKE_LETTERS:
        return 0, 0, ATTACHED.index("stroke")
    if ch in LIGATURE_LETTERS:
        return 0, 0, ATTACHED.index("ligature")
    if ch in "ij":
        return 0, 0, 0
    marks = unicodedata.normalize("NFD", ch)[1:]
    above, below, attached = [], [], 0
    for m in marks:
        if m in _ABOVE_CP:
            above.append(_ABOVE_CP[m])
        elif m in _BELOW_CP:
            below.append(_BELOW_CP[m])
        elif m == _HORN_CP:
            attached = ATTACHED.index("horn")
        else:
            return None  # a mark the model has no class for
    name = "_".join(above) if above else "none"
    if name not in ABOVE or len(below) > 1:
        return None
    return ABOVE.index(name), BELOW.index(below[0]) if below else 0, attached


def language_letters() -> dict[str, str]:
    """LANGUAGE_LETTERS from alphabets.py, read without importing the package."""
    src = ALPHABETS.read_text(encoding="utf-8")
    start = src.index("LANGUAGE_LETTERS: dict")
    end = src.index("# Languages printed on every document")
    scope: dict = {"unicodedata": unicodedata}
    exec(src[start:end], scope)
    return scope["LANGUAGE_LETTERS"]


def all_letters() -> list[str]:
    letters = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    for upper in language_letters().values():
        for ch in upper:
            letters.add(ch)
            letters.update(c for c in ch.lower() if c.isalpha())
    letters.add("ı")
    return sorted(ch for ch in letters if len(ch) == 1 and ch.isalpha() and labels(ch) is not None)


LETTERS = all_letters()
LETTER_INDEX = {ch: i for i, ch in enumerate(LETTERS)}


def mark_key(ch: str) -> str:
    """The class a sample of `ch` is drawn for (pick_text balances them): its attached mark,
    else its mark below, else above ('Ậ' counts as a dot below, 'Ớ' as a horn)."""
    a, b, s = labels(ch)
    if s:
        return "t_" + ATTACHED[s]
    if b:
        return "b_" + BELOW[b]
    if a:
        return "a_" + ABOVE[a]
    return "none"


MARK_KEYS = ["none"] + ["a_" + x for x in ABOVE[1:]] + ["b_" + x for x in BELOW[1:]] + ["t_" + x for x in ATTACHED[1:]]


# ---------------------------------------------------------------- fonts

@lru_cache(maxsize=4096)
def get_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _mask(font, ch) -> bytes:
    m = font.getmask(ch)
    return bytes(m) + bytes(str(m.size), "ascii")


def coverage(path: str) -> set[str]:
    """Letters whose glyph exists (not empty and not the .notdef box)."""
    font = get_font(path, 40)
    notdef = {_mask(font, "\u0378"), _mask(font, "\U0010fffd")}
    ok = set()
    for ch in LETTERS:
        m = font.getmask(ch)
        if m.size[0] == 0 or m.getbbox() is None:
            continue
        if _mask(font, ch) in notdef:
            continue
        ok.add(ch)
    # A precomposed letter rendered identically to its base means a fallback; drop it.
    for ch in list(ok):
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base in ok and _mask(font, ch) == _mask(font, base):
            ok.discard(ch)
    return ok


_EXCLUDE = re.compile(r"Italic|Ita\b|BdIta|Oblique|Thin|ExtraLight|Hairline|Black|Heavy|ExtraBold|UltraBold|"
                      r"Symbol|Dingbat|Emoji|Math|Music|D050000L|StandardSymbols", re.I)


def font_table(cache=Path("/tmp/marks/fonts.json")) -> list[dict]:
    """Every usable non-DejaVu Latin face with its letter coverage and cap-height ratio."""
    import json
    if cache.exists():
        return json.loads(cache.read_text())
    paths = sorted(p for p in glob.glob("/usr/share/fonts/**/*.[ot]tf", recursive=True)
                   if not p.startswith(DEJAVU_DIR) and not _EXCLUDE.search(os.path.basename(p)))
    table = []
    for p in paths:
        try:
            cov = coverage(p)
        except Exception:
            continue
        basic = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        # Vietnamese (Latin Extended Additional) is left out of the bar: a face without it
        # still teaches every other mark.
        european = [ch for ch in LETTERS if not "\u1e00" <= ch <= "\u1eff"]
        if not basic <= cov or len(cov & set(european)) < 0.8 * len(european):
            continue
        f = get_font(p, 100)
        cap = f.getbbox("H")[3] - f.getbbox("H")[1]
        table.append(dict(path=p, letters="".join(sorted(cov)), cap=cap / 100.0))
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(table, ensure_ascii=False, indent=0))
    return table


def dejavu_table() -> list[dict]:
    table = []
    for name in DEJAVU_TEST:
        p = os.path.join(DEJAVU_DIR, name)
        f = get_font(p, 100)
        cap = f.getbbox("H")[3] - f.getbbox("H")[1]
        table.append(dict(path=p, letters="".join(sorted(coverage(p))), cap=cap / 100.0))
    return table


def family(path: str) -> str:
    return re.split(r"[-_]", os.path.splitext(os.path.basename(path))[0])[0]


# ---------------------------------------------------------------- the window (shared with inference)

def border_median(line: np.ndarray) -> float:
    return float(np.median(np.concatenate([line[0], line[-1], line[:, 0], line[:, -1]])))


def crop_window(line48: np.ndarray, cx: float, width: int = WIDTH) -> np.ndarray:
    """The HEIGHTxWIDTH window of a 48-px-high grey line centred on x = cx, padded with the
    median of the line's border pixels where it leaves the line."""
    h, w = line48.shape
    left = int(round(cx - width / 2))
    out = np.full((h, width), border_median(line48), dtype=line48.dtype)
    a, b = max(left, 0), min(left + width, w)
    if b > a:
        out[:, a - left:b - left] = line48[:, a:b]
    return out


def to_line48(grey: Image.Image) -> tuple[np.ndarray, float]:
    """Resize a grey line image to height 48 (bilinear, keeping the aspect ratio)."""
    scale = HEIGHT / grey.height
    new_w = max(1, int(round(grey.width * scale)))
    return np.asarray(grey.resize((new_w, HEIGHT), Image.BILINEAR)), scale


# ---------------------------------------------------------------- rendering

def background(rng, h, w, paper):
    bg = np.full((h, w), paper, np.float32)
    kind = rng.random()
    if kind < 0.35:  # gradient
        gx, gy = rng.uniform(-25, 25, 2)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        bg += gx * (xx / max(w, 1) - 0.5) + gy * (yy / max(h, 1) - 0.5)
    if rng.random() < 0.5:  # low-frequency blotches (tinted / printed security background)
        sh, sw = max(2, h // rng.integers(4, 16)), max(2, w // rng.integers(4, 16))
        small = Image.fromarray((rng.random((sh, sw)) * 255).astype(np.uint8))
        blot = np.asarray(small.resize((w, h), Image.BICUBIC), np.float32) / 255.0 - 0.5
        bg += blot * rng.uniform(5, 40)
    if rng.random() < 0.3:  # guilloche-like fine lines
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        f1, f2, ph = rng.uniform(0.05, 0.5), rng.uniform(0.01, 0.2), rng.uniform(0, 6.3)
        bg -= rng.uniform(5, 35) * (0.5 + 0.5 * np.sin(f1 * xx + 8 * np.sin(f2 * yy + ph)))
    if rng.random() < 0.3:  # paper speckle
        bg += rng.normal(0, rng.uniform(2, 8), (h, w))
    return bg


def pick_text(rng, font_letters: str, n_min=3, n_max=14, only_key: str | None = None):
    """A random line and the index of its target letter (classes balanced, ~30% 'none';
    `only_key`: targets of that class only)."""
    by_key: dict[str, list[str]] = {}
    for ch in font_letters:
        by_key.setdefault(mark_key(ch), []).append(ch)
    case = rng.random()
    mode = "upper" if case < 0.7 else ("lower" if case < 0.85 else "mixed")
    while True:
        key = only_key or ("none" if rng.random() < 0.3 else MARK_KEYS[1 + rng.integers(len(MARK_KEYS) - 1)])
        cands = by_key.get(key, [])
        if mode == "upper":
            up = [c for c in cands if c.isupper()]
            cands = up or cands
        elif mode == "lower":
            lo = [c for c in cands if c.islower()]
            cands = lo or cands
        if cands:
            target = cands[rng.integers(len(cands))]
            break
    plain = [c for c in font_letters if c.isascii()]
    fancy = [c for c in font_letters if not c.isascii()]
    n = int(rng.integers(n_min, n_max + 1))
    chars = []
    for _ in range(n):
        c = plain[rng.integers(len(plain))] if rng.random() < 0.65 else fancy[rng.integers(len(fancy))]
        if mode == "upper":
            c = c.upper() if len(c.upper()) == 1 and c.upper() in font_letters else c
        elif mode == "lower":
            c = c.lower() if len(c.lower()) == 1 and c.lower() in font_letters else c
        chars.append(c)
    if mode == "mixed":  # Title-case words
        chars = [c.lower() if len(c.lower()) == 1 and c.lower() in font_letters else c for c in chars]
        if chars[0].upper() in font_letters and len(chars[0].upper()) == 1:
            chars[0] = chars[0].upper()
    pos = int(rng.integers(n))
    chars[pos] = target
    if n >= 5 and rng.random() < 0.25:  # two words
        sp = int(rng.integers(2, n - 1))
        if sp != pos:
            chars[sp] = " "
            if mode == "mixed" and sp + 1 < n and sp + 1 != pos:
                u = chars[sp + 1].upper()
                if len(u) == 1 and u in font_letters:
                    chars[sp + 1] = u
    return "".join(chars), pos


def render_sample(rng, font: dict, level: dict | None = None, only_key: str | None = None):
    """One (window uint8 48x40, target letter) pair."""
    text, pos = pick_text(rng, font["letters"], only_key=only_key)
    cap_px = rng.uniform(10, 40)
    size = max(6, int(round(cap_px / font["cap"])))
    f = get_font(font["path"], size)
    asc, desc = f.getmetrics()
    m = size
    W = int(np.ceil(f.getlength(text))) + 2 * m
    H = asc + desc + 2 * m
    mask = Image.new("L", (W, H), 0)
    ImageDraw.Draw(mask).text((m, m), text, font=f, fill=255)
    cx = m + f.getlength(text[:pos]) + f.getlength(text[pos]) / 2.0
    cy = m + asc - 0.5 * cap_px
    angle = rng.uniform(-1.5, 1.5)
    if abs(angle) > 0.05:
        mask = mask.rotate(angle, resample=Image.BILINEAR, center=(W / 2, H / 2))
        t = np.deg2rad(angle)
        dx, dy = cx - W / 2, cy - H / 2
        cx = W / 2 + dx * np.cos(t) + dy * np.sin(t)
    a = np.asarray(mask, np.float32) / 255.0
    ys, xs = np.nonzero(a > 0.25)
    if len(ys) == 0:
        return None
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    ink_h = y1 - y0
    pt, pb = rng.uniform(0.10, 0.35, 2) * ink_h
    pl, pr = rng.uniform(1, 7, 2) * max(1.0, size / 30)
    bx0, by0 = int(max(0, round(x0 - pl))), int(max(0, round(y0 - pt)))
    bx1, by1 = int(min(W, round(x1 + pr))), int(min(H, round(y1 + pb)))

    if level is None:
        blur, noise = rng.uniform(0, 1.6), rng.uniform(0, 20)
        contrast, jpeg = rng.uniform(0.35, 1.0), int(rng.integers(30, 96))
        if rng.random() < 0.15:
            blur = 0.0
        if rng.random() < 0.15:
            noise = 0.0
        if rng.random() < 0.1:
            jpeg = None
    else:
        blur, noise, contrast, jpeg = level["blur"], level["noise"], level["contrast"], level["jpeg"]

    paper = rng.uniform(175, 250)
    dark = rng.uniform(0, 70)
    ink = paper - contrast * (paper - dark)
    # Compose only around the box (a margin for the blur), then cut the box.
    g = int(np.ceil(3 * blur)) + 1
    ry0, rx0 = max(0, by0 - g), max(0, bx0 - g)
    ry1, rx1 = min(H, by1 + g), min(W, bx1 + g)
    a = a[ry0:ry1, rx0:rx1]
    bg = background(rng, ry1 - ry0, rx1 - rx0, paper)
    img = bg * (1 - a) + ink * a
    if blur > 0.05:
        img = np.asarray(Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
                         .filter(ImageFilter.GaussianBlur(blur)), np.float32)
    img = img[by0 - ry0:by1 - ry0, bx0 - rx0:bx1 - rx0]
    if noise > 0:
        img = img + rng.normal(0, noise, img.shape)
    pil = Image.fromarray(np.clip(np.round(img), 0, 255).astype(np.uint8))
    if jpeg is not None:
        buf = io.BytesIO()
        pil.save(buf, format="JPEG", quality=int(jpeg))
        buf.seek(0)
        pil = Image.open(buf).convert("L")
    line48, scale = to_line48(pil)
    centre = (cx - bx0) * scale + rng.uniform(-JITTER, JITTER)
    return crop_window(line48, centre), text[pos]


def _work(args):
    seed, n, fonts, level, only_key = args
    rng = np.random.default_rng(seed)
    X = np.empty((n, HEIGHT, WIDTH), np.uint8)
    L = np.empty((n, 3), np.int8)
    C = np.empty(n, np.int16)
    F = np.empty(n, np.int16)
    i = 0
    while i < n:
        fi = int(rng.integers(len(fonts)))
        if only_key and not any(mark_key(c) == only_key for c in fonts[fi]["letters"]):
            continue
        try:
            r = render_sample(rng, fonts[fi], level, only_key)
        except Exception as e:  # a face that Pillow cannot draw at some size
            print("render error", fonts[fi]["path"], e, file=sys.stderr)
            continue
        if r is None:
            continue
        X[i], ch = r
        L[i] = labels(ch)
        C[i] = LETTER_INDEX[ch]
        F[i] = fi
        i += 1
    return X, L, C, F


def generate(n, fonts, level, seed, procs=2, chunk=2000, only_key=None):
    jobs = [(seed * 100003 + k, min(chunk, n - k * chunk), fonts, level, only_key)
            for k in range((n + chunk - 1) // chunk)]
    with Pool(procs) as pool:
        parts = pool.map(_work, jobs, chunksize=1)
    return [np.concatenate(p) for p in zip(*parts)]


def save(path, X, L, C, F, fonts):
    np.savez(path, x=X, above=L[:, 0], below=L[:, 1], attached=L[:, 2], letter=C, font=F,
             letters=np.array(LETTERS), fonts=np.array([f["path"] for f in fonts]))
    print(f"wrote {path}: {len(X)} samples", flush=True)


def join(inputs: list[str], out: str) -> None:
    """Concatenate sets (a top-up of one class to a set made before), every label made anew
    from the sample's letter by `labels`: a set made before a class was added learns it."""
    parts = [np.load(path) for path in inputs]
    letters = [str(ch) for ch in parts[0]["letters"]]
    if any([str(ch) for ch in part["letters"]] != letters for part in parts):
        raise SystemExit("the sets were made with different letter lists")
    fonts = [str(path) for path in parts[0]["fonts"]]
    if any([str(path) for path in part["fonts"]] != fonts for part in parts):
        raise SystemExit("the sets were made with different faces")
    letter = np.concatenate([part["letter"] for part in parts])
    table = np.array([labels(ch) for ch in letters], np.int8)
    np.savez(out, x=np.concatenate([part["x"] for part in parts]), above=table[letter, 0], below=table[letter, 1],
             attached=table[letter, 2], letter=letter, font=np.concatenate([part["font"] for part in parts]),
             letters=np.array(letters), fonts=np.array(fonts))
    print(f"wrote {out}: {len(letter)} samples", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("split", choices=["train", "val", "eval", "fonts", "join"])
    ap.add_argument("inputs", nargs="*", help="join: sets to concatenate, their labels made anew from their letters")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--out", default="/tmp/marks/out.npz")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--only-key", default=None, help="targets of one class only (a top-up set), e.g. t_ligature")
    args = ap.parse_args()
    table = font_table()
    train = [f for f in table if family(f["path"]) not in HOLDOUT]
    hold = [f for f in table if family(f["path"]) in HOLDOUT]
    if args.split == "join":
        join(args.inputs, args.out)
        return
    if args.split == "fonts":
        print(len(LETTERS), "letters:", "".join(LETTERS))
        for f in table:
            print("HOLD " if f in hold else "train", f["path"], len(f["letters"]), f["cap"])
        return
    if args.split == "train":
        save(args.out, *generate(args.n, train, None, args.seed, args.procs, only_key=args.only_key), train)
    elif args.split == "val":
        save(args.out, *generate(args.n, hold, None, args.seed + 7, args.procs, only_key=args.only_key), hold)
    else:  # eval: held-out fonts and DejaVu at each fixed level (+ held-out at random degradations)
        os.makedirs(args.out, exist_ok=True)
        dv = dejavu_table()
        for name, lv in LEVELS.items():
            save(f"{args.out}/holdout_{name}.npz", *generate(args.n, hold, lv, args.seed + 11, args.procs), hold)
            save(f"{args.out}/dejavu_{name}.npz", *generate(args.n * 2, dv, lv, args.seed + 13, args.procs), dv)


if __name__ == "__main__":
    main()
