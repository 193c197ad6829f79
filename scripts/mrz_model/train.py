"""Trains the OCR-B MRZ network (engines/ocrb_net.py) on crops from make_data.py; writes ONNX.

Needs PyTorch (a training-time tool, not a dependency of the service):

    make mrz-model   # or, by hand:
    python scripts/mrz_model/train.py --data /tmp/mrz-train.npz --eval /tmp/eval.npz \
        --out layers/core/passport_ocr/models/ocrb_mrz.onnx
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import numpy as np
import torch
from torch import nn

from passport_ocr.engines.ocrb_net import NET_HEIGHT, NET_STRIDE, frames_of, pad_batch, to_net_input
from passport_ocr.engines.recognizer import MRZ_ALPHABET, ctc_decode

from lines import char_errors, load_lines

CLASSES = 1 + len(MRZ_ALPHABET)


def block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]


class OcrbNet(nn.Module):
    """32 x W grey -> (classes, W / 4) logits. Convolutions only: each frame sees ~4 characters."""

    def __init__(self, width: tuple[int, ...] = (16, 32, 64, 64, 96)):
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
            nn.Conv1d(e, e, 3, padding=1), nn.ReLU(inplace=True), nn.Dropout(0.1), nn.Conv1d(e, CLASSES, 1)
        )

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(image).squeeze(2))


def augment(crop: np.ndarray, rng: random.Random) -> np.ndarray:
    """Variation the generator does not give: character width, stroke weight, a little shift,
    blur, contrast and noise (real OCR-B print differs in all of them)."""
    from PIL import Image, ImageFilter

    image = Image.fromarray(crop)
    h, w = crop.shape
    image = image.resize((max(16, round(w * rng.uniform(0.85, 1.15))), h), Image.BILINEAR)
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.MinFilter(3) if rng.random() < 0.5 else ImageFilter.MaxFilter(3))
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 2.0)))
    array = np.asarray(image, dtype=np.float32)
    shift = rng.randint(-3, 3)
    array = np.roll(array, shift, axis=0)
    if rng.random() < 0.5:
        level = array.mean()
        array = level + (array - level) * rng.uniform(0.3, 1.0)
    if rng.random() < 0.5:
        array = array + np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(2, 20), array.shape)
    return np.clip(array, 0, 255).astype(np.uint8)


def encode(text: str) -> list[int]:
    return [MRZ_ALPHABET.index(ch) + 1 for ch in text]


def batches(order: list[int], crops, size: int):
    """Batches of similar widths (less padding)."""
    by_width = sorted(order, key=lambda i: crops[i].shape[1])
    chunks = [by_width[i : i + size] for i in range(0, len(by_width), size)]
    random.shuffle(chunks)
    return chunks


def evaluate(model: nn.Module, crops, labels, groups) -> dict[str, tuple[float, float]]:
    """Per group: (character error rate, share of lines read exactly), greedy decoding."""
    model.eval()
    stats: dict[str, list[int]] = {}
    with torch.no_grad():
        for start in range(0, len(crops), 64):
            inputs = [to_net_input(c) for c in crops[start : start + 64]]
            logits = model(torch.from_numpy(pad_batch(inputs))).softmax(1).numpy()
            for k, x in enumerate(inputs):
                probs = logits[k, :, : frames_of(x.shape[1])].T
                got = "".join(c.char for c in ctc_decode(probs))
                want = labels[start + k]
                for group in (groups[start + k], "all"):
                    s = stats.setdefault(group, [0, 0, 0, 0])
                    s[0] += char_errors(got, want)
                    s[1] += len(want)
                    s[2] += got == want
                    s[3] += 1
    model.train()
    return {g: (s[0] / s[1], s[2] / s[3]) for g, s in stats.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, nargs="+")
    parser.add_argument("--eval", nargs="*", default=[])
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--export-only", metavar="CHECKPOINT", help="write the ONNX of a saved checkpoint and stop")
    args = parser.parse_args(argv)
    if args.export_only:
        model = OcrbNet()
        model.load_state_dict(torch.load(args.export_only))
        export(model, load_lines(args.data[0])[0][0], args.out)
        return 0
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    rng = random.Random(args.seed)

    crops, labels = [], []
    for path in args.data:
        c, l, _ = load_lines(path)
        crops += c
        labels += l
    held = [load_lines(path) for path in args.eval]
    print(f"{len(crops)} training lines", file=sys.stderr)

    model = OcrbNet()
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * ((len(crops) + args.batch - 1) // args.batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    started = time.time()
    for epoch in range(args.epochs):
        total, count = 0.0, 0
        for chunk in batches(list(range(len(crops))), crops, args.batch):
            inputs = [to_net_input(augment(crops[i], rng)) for i in chunk]
            batch = torch.from_numpy(pad_batch(inputs))
            log_probs = model(batch).log_softmax(1).permute(2, 0, 1)  # (T, N, C)
            targets = torch.tensor([k for i in chunk for k in encode(labels[i])])
            input_lengths = torch.tensor([frames_of(x.shape[1]) for x in inputs])
            target_lengths = torch.tensor([len(labels[i]) for i in chunk])
            loss = ctc(log_probs, targets, input_lengths, target_lengths)
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            schedule.step()
            total += float(loss) * len(chunk)
            count += len(chunk)
        report = f"epoch {epoch + 1}: loss {total / count:.4f}, {time.time() - started:.0f} s"
        for path, (c, l, g) in zip(args.eval, held):
            scores = evaluate(model, c, l, g)
            report += " | " + " ".join(f"{k} {cer:.2%}/{exact:.0%}" for k, (cer, exact) in sorted(scores.items()))
        print(report, file=sys.stderr, flush=True)
        torch.save(model.state_dict(), args.out + ".pt")

    export(model, crops[0], args.out)
    return 0


def export(model: nn.Module, crop: np.ndarray, out: str) -> None:
    model.eval()
    example = torch.from_numpy(pad_batch([to_net_input(crop)]))
    torch.onnx.export(
        model, example, out, input_names=["image"], output_names=["logits"],
        dynamic_axes={"image": {0: "lines", 3: "width"}, "logits": {0: "lines", 2: "frames"}}, opset_version=17,
        dynamo=False,
    )
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
