"""Evaluate marks.onnx with onnxruntime (run it with the project's venv, which has onnxruntime).

    /work/main/.venv/bin/python scripts/mark_model/eval.py --data /tmp/marks/eval \
        --val /tmp/marks/val.npz --ref /tmp/marks/ref.npz

Prints: the ONNX-vs-torch check, the model's size and one-thread latency, per-head and triple
accuracy on the held-out fonts and DejaVu at each level (clean / medium / heavy), the DejaVu
capital-letter triple accuracy by mark class, and the confusions of the 'above' head.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import numpy as np
import onnxruntime as ort

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "layers/core/passport_ocr/viz/onnx/marks.onnx"
LEVELS = ("clean", "medium", "heavy")


def session(path, threads=1):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def predict(sess, x_uint8, bs=512):
    outs = [[], [], []]
    for i in range(0, len(x_uint8), bs):
        xb = (x_uint8[i:i + bs, None].astype(np.float32)) / 255.0
        for k, o in enumerate(sess.run(["above", "below", "attached"], {"crops": xb})):
            outs[k].append(o.argmax(1))
    return np.stack([np.concatenate(o) for o in outs], 1)


def load(path):
    d = np.load(path)
    y = np.stack([d["above"], d["below"], d["attached"]], 1).astype(np.int64)
    return d["x"], y, d["letters"][d["letter"]]


def row(name, pred, y):
    ok = pred == y
    return (f"| {name:<22} | {len(y):>5} | {ok[:, 0].mean():.3f} | {ok[:, 1].mean():.3f} | "
            f"{ok[:, 2].mean():.3f} | {ok.all(1).mean():.3f} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(MODEL))
    ap.add_argument("--data", default="/tmp/marks/eval")
    ap.add_argument("--val", default="/tmp/marks/val.npz")
    ap.add_argument("--ref", default="/tmp/marks/ref.npz")
    args = ap.parse_args()
    sess = session(args.model)
    meta = sess.get_modelmeta().custom_metadata_map
    above = meta["above"].split(",")
    below = meta["below"].split(",")
    attached = meta["attached"].split(",")
    print("inputs", [(i.name, i.shape) for i in sess.get_inputs()],
          "outputs", [o.name for o in sess.get_outputs()])
    print("metadata", {k: meta[k] for k in ("above", "below", "attached", "height", "width")})
    print("size", Path(args.model).stat().st_size, "bytes")

    if Path(args.ref).exists():
        r = np.load(args.ref)
        outs = sess.run(["above", "below", "attached"], {"crops": r["x"]})
        diff = max(float(np.abs(o - r[k]).max()) for o, k in zip(outs, ("above", "below", "attached")))
        print(f"onnxruntime vs torch: max abs diff {diff:.2e} over {len(r['x'])} crops")

    x1 = np.random.default_rng(0).random((1, 1, 48, 40), dtype=np.float32)
    for _ in range(20):
        sess.run(None, {"crops": x1})
    t = time.perf_counter()
    n = 500
    for _ in range(n):
        sess.run(None, {"crops": x1})
    single = (time.perf_counter() - t) / n
    x32 = np.random.default_rng(0).random((32, 1, 48, 40), dtype=np.float32)
    t = time.perf_counter()
    for _ in range(50):
        sess.run(None, {"crops": x32})
    batched = (time.perf_counter() - t) / 50 / 32
    print(f"latency, 1 thread: {single * 1e3:.3f} ms per crop (batch 1), "
          f"{batched * 1e3:.3f} ms per crop (batch 32)")

    print("\n| set                    |     n | above | below |attachd| triple|")
    print("|---|---|---|---|---|---|")
    if Path(args.val).exists():
        x, y, _ = load(args.val)
        print(row("held-out, random degr.", predict(sess, x), y))
    dv = {}
    for group in ("holdout", "dejavu"):
        for lv in LEVELS:
            p = Path(args.data) / f"{group}_{lv}.npz"
            x, y, ch = load(p)
            pred = predict(sess, x)
            print(row(f"{group} {lv}", pred, y))
            if group == "dejavu":
                dv[lv] = (pred, y, ch)

    # DejaVu, capital letters only: triple accuracy by mark class, per level.
    def key(t):
        a, b, s = t
        return attached[s] if s else (below[b] + " (below)" if b else above[a])

    print("\nDejaVu, capital letters only: triple accuracy by mark class")
    print("| mark class | " + " | ".join(LEVELS) + " |")
    print("|---|" + "---|" * len(LEVELS))
    classes = [a for a in above] + [b + " (below)" for b in below[1:]] + attached[1:]
    for c in classes:
        cells = []
        for lv in LEVELS:
            pred, y, ch = dv[lv]
            cap = np.array([c_.isupper() for c_ in ch])
            sel = cap & np.array([key(t) == c for t in y])
            cells.append(f"{(pred[sel] == y[sel]).all(1).mean():.3f} (n={sel.sum()})" if sel.any() else "-")
        print(f"| {c} | " + " | ".join(cells) + " |")

    print("\nDejaVu capitals, 'above' head: most frequent confusions (true -> predicted: count), all levels")
    conf = Counter()
    tot = Counter()
    for lv in LEVELS:
        pred, y, ch = dv[lv]
        for p_, t_, c_ in zip(pred[:, 0], y[:, 0], ch):
            if c_.isupper():
                tot[above[t_]] += 1
                if p_ != t_:
                    conf[(above[t_], above[p_])] += 1
    for (t_, p_), n_ in conf.most_common(15):
        print(f"  {t_:>12} -> {p_:<12} {n_:4d}  ({n_ / tot[t_]:.1%} of {t_})")

    print("\nDejaVu capitals: letters with the lowest triple accuracy (all levels, n>=8)")
    per = {}
    for lv in LEVELS:
        pred, y, ch = dv[lv]
        for p_, t_, c_ in zip(pred, y, ch):
            if c_.isupper():
                per.setdefault(c_, []).append(bool((p_ == t_).all()))
    worst = sorted((np.mean(v), c_, len(v)) for c_, v in per.items() if len(v) >= 8)[:15]
    print("  " + ", ".join(f"{c_} {m:.2f} (n={n_})" for m, c_, n_ in worst))


if __name__ == "__main__":
    main()
