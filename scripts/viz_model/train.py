"""Trains the visual-zone line recogniser (viz/line_net.py) with CTC loss; writes vizline.onnx.

    .venv-train/bin/python scripts/viz_model/train.py --data /tmp/vizline/train.npz \
        --val /tmp/vizline/val.npz --epochs 2 --threads 2

Needs PyTorch (a training-time tool; the service runs the ONNX file with onnxruntime alone).
The export is checked: onnxruntime's logits on a batch of validation lines must equal torch's.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "layers/core"))
sys.path.insert(0, str(HERE))

from make_data import load_net  # noqa: E402
from passport_ocr.viz.line_net import (  # noqa: E402
    LINE_ALPHABET, MODEL_FILE, NET_HEIGHT, frames_of, pad_batch, softmax_rows, to_net_input,
)
from passport_ocr.viz.second_reading import network_line  # noqa: E402

CLASSES = 1 + len(LINE_ALPHABET)
CLASS_OF = {c: i + 1 for i, c in enumerate(LINE_ALPHABET)}


def block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]


class LineNet(nn.Module):
    """32 x W grey -> (classes, W / 4) logits. Convolutions only; a dilated 1-D head lets each
    frame see about five capitals."""

    def __init__(self, width: tuple[int, ...] = (32, 64, 96, 96, 128)):
        super().__init__()
        a, b, c, d, e = width
        self.features = nn.Sequential(
            *block(1, a), nn.MaxPool2d(2),  # 16 x W/2
            *block(a, b), nn.MaxPool2d(2),  # 8 x W/4
            *block(b, c), *block(c, d), nn.MaxPool2d((2, 1)),  # 4 x W/4
            *block(d, e),
            nn.Conv2d(e, e, (NET_HEIGHT // 8, 1), bias=False), nn.BatchNorm2d(e), nn.ReLU(inplace=True),  # 1 x W/4
        )
        self.head = nn.Sequential(
            nn.Conv1d(e, e, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv1d(e, e, 3, padding=2, dilation=2), nn.ReLU(inplace=True),
            nn.Dropout(0.1), nn.Conv1d(e, CLASSES, 1),
        )

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(image).squeeze(2))


def augment(crop: np.ndarray, rng: random.Random) -> Image.Image:
    """Variation beyond the generator's: glyph width (fonts are condensed or wide), stroke weight."""
    from PIL import ImageFilter

    image = Image.fromarray(crop)
    h, w = crop.shape
    if rng.random() < 0.5:
        image = image.resize((max(8, round(w * rng.uniform(0.85, 1.15))), h), Image.BILINEAR)
    if rng.random() < 0.1:
        image = image.filter(ImageFilter.MinFilter(3) if rng.random() < 0.5 else ImageFilter.MaxFilter(3))
    return image


def encode(text: str) -> list[int]:
    return [CLASS_OF[c] for c in text]


def width_batches(widths: list[int], size: int) -> list[list[int]]:
    """Batches of similar widths (less padding), in random order."""
    order = sorted(range(len(widths)), key=lambda i: (widths[i], random.random()))
    chunks = [order[i:i + size] for i in range(0, len(order), size)]
    random.shuffle(chunks)
    return chunks


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


@torch.no_grad()
def evaluate(model: nn.Module, crops, labels) -> tuple[float, float]:
    """(character error rate, share of lines read exactly), decoded as the reader decodes."""
    model.eval()
    errors = chars = exact = 0
    order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1])
    for start in range(0, len(order), 64):
        ids = order[start:start + 64]
        inputs = [to_net_input(Image.fromarray(crops[i])) for i in ids]
        logits = model(torch.from_numpy(pad_batch(inputs))).numpy()
        for k, i in enumerate(ids):
            got = network_line(softmax_rows(logits[k, :, :frames_of(inputs[k].shape[1])])).text
            errors += edit_distance(got, labels[i])
            chars += len(labels[i])
            exact += got == labels[i]
    model.train()
    return errors / chars, exact / len(crops)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, nargs="+")
    parser.add_argument("--val", default="/tmp/vizline/val.npz")
    parser.add_argument("--out", default=str(MODEL_FILE))
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--max-minutes", type=float, default=0.0,
                        help="run the one-cycle schedule over this much wall time instead of --epochs")
    parser.add_argument("--batch", type=int, default=48)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report-every", type=int, default=500, help="steps between validation reports")
    parser.add_argument("--export-only", metavar="CHECKPOINT", help="write the ONNX of a saved checkpoint and stop")
    parser.add_argument("--init", metavar="CHECKPOINT", help="go on training a saved checkpoint (a new one-cycle schedule)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    rng = random.Random(args.seed)
    val_crops, val_labels, _ = load_net(args.val)
    model = LineNet()
    print(f"{sum(p.numel() for p in model.parameters())} weights", file=sys.stderr)
    if args.export_only:
        model.load_state_dict(torch.load(args.export_only))
        export(model, val_crops[:32], args.out)
        return 0
    if args.init:
        model.load_state_dict(torch.load(args.init))

    crops, labels = [], []
    for path in args.data:
        c, l, _ = load_net(path)
        crops += c
        labels += l
    # CTC needs a frame per character, and one more between two alike.
    usable = [i for i, (c, l) in enumerate(zip(crops, labels))
              if frames_of(round(c.shape[1] * 0.85)) >= len(l) + sum(a == b for a, b in zip(l, l[1:]))]
    print(f"{len(crops)} training lines, {len(usable)} long enough", file=sys.stderr)
    widths = [crops[i].shape[1] for i in usable]

    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    per_epoch = (len(usable) + args.batch - 1) // args.batch
    steps = int(args.epochs * per_epoch)
    budget = 60 * args.max_minutes
    if budget:
        steps = 10 ** 9  # until the time is up
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    started = time.time()
    step, total, count = 0, 0.0, 0
    done = False
    while not done:
        for chunk in width_batches(widths, args.batch):
            progress = (time.time() - started) / budget if budget else step / steps
            if progress >= 1.0:
                done = True
                break
            for group in optimiser.param_groups:
                group["lr"] = one_cycle(args.lr, progress)
            ids = [usable[i] for i in chunk]
            inputs = [to_net_input(augment(crops[i], rng)) for i in ids]
            batch = torch.from_numpy(pad_batch(inputs))
            log_probs = model(batch).log_softmax(1).permute(2, 0, 1)  # (T, N, C)
            targets = torch.tensor([k for i in ids for k in encode(labels[i])])
            input_lengths = torch.tensor([frames_of(x.shape[1]) for x in inputs])
            target_lengths = torch.tensor([len(labels[i]) for i in ids])
            loss = ctc(log_probs, targets, input_lengths, target_lengths)
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            step += 1
            total += loss.item() * len(ids)
            count += len(ids)
            if step % args.report_every == 0:
                cer, exact = evaluate(model, val_crops, val_labels)
                print(f"step {step}: lr {optimiser.param_groups[0]['lr']:.2e}, loss {total / count:.4f}, val CER {cer:.2%}, lines {exact:.1%}, "
                      f"{time.time() - started:.0f} s", file=sys.stderr, flush=True)
                total, count = 0.0, 0
                torch.save(model.state_dict(), "/tmp/vizline/model.pt")
    cer, exact = evaluate(model, val_crops, val_labels)
    print(f"trained {step} steps in {time.time() - started:.0f} s: val CER {cer:.2%}, lines {exact:.1%}", file=sys.stderr)
    torch.save(model.state_dict(), "/tmp/vizline/model.pt")
    export(model, val_crops[:32], args.out)
    return 0


def one_cycle(peak: float, progress: float, warmup: float = 0.08) -> float:
    """The learning rate at `progress` (0-1) of training: a linear rise from peak / 25, then a
    cosine fall to peak / 1000 (OneCycleLR's shape, driven by time or steps)."""
    if progress < warmup:
        return peak / 25 + (peak - peak / 25) * progress / warmup
    fall = (progress - warmup) / (1 - warmup)
    return peak / 1000 + (peak - peak / 1000) * 0.5 * (1 + np.cos(np.pi * min(1.0, fall)))


def export(model: nn.Module, crops: list[np.ndarray], out: str) -> None:
    """Writes the ONNX file (logits (N, classes, frames)) and checks onnxruntime against torch."""
    import onnxruntime as ort

    model.eval()
    example = torch.from_numpy(pad_batch([to_net_input(Image.fromarray(c)) for c in crops[:2]]))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model, example, out, input_names=["image"], output_names=["logits"],
        dynamic_axes={"image": {0: "lines", 3: "width"}, "logits": {0: "lines", 2: "frames"}}, opset_version=17,
        dynamo=False,
    )
    batch = pad_batch([to_net_input(Image.fromarray(c)) for c in crops])
    with torch.no_grad():
        expected = model(torch.from_numpy(batch)).numpy()
    session = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"image": batch})
    difference = float(np.abs(got - expected).max())
    print(f"wrote {out} ({Path(out).stat().st_size / 1e6:.2f} MB); onnxruntime vs torch: max |logit difference| "
          f"{difference:.2e} on {len(crops)} lines", file=sys.stderr)
    assert difference < 1e-3, difference


if __name__ == "__main__":
    raise SystemExit(main())
