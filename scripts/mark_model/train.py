"""Train the diacritic-mark classifier and export it to ONNX (softmax inside the graph).

    /work/main/.venv-train/bin/python scripts/mark_model/train.py \
        --train /tmp/marks/train.npz --val /tmp/marks/val.npz --epochs 8   # the shipped model (README.md: how its set was made)

Runs torch on 2 threads (CPU).  Writes layers/core/passport_ocr/viz/onnx/marks.onnx and
/tmp/marks/ref.npz (a batch of inputs with torch's outputs, for the onnxruntime check in
eval.py).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_data import ABOVE, ATTACHED, BELOW, HEIGHT, WIDTH  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "layers/core/passport_ocr/viz/onnx/marks.onnx"


def block(cin, cout, n=2, stride=1):
    layers = []
    for k in range(n):
        layers += [nn.Conv2d(cin if k == 0 else cout, cout, 3, stride=stride if k == 0 else 1,
                             padding=1, bias=False),
                   nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
    return layers


class MarkNet(nn.Module):
    """48x40 -> 24x20 -> 12x10 -> 6x5 (stride-2 convs, no pooling) feature map, flattened (position
    matters: marks are above / below / through the centre letter), then three linear heads.
    Kept light so that a few epochs of ~180k crops train in ~20 min on 2 CPU threads."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            *block(1, 16, 1, 2),                  # 24x20
            *block(16, 32, 1, 2),                 # 12x10
            *block(32, 64, 1, 2),                 # 6x5
            *block(64, 64, 1),
            nn.Conv2d(64, 32, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
        )
        self.fc = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(32 * 6 * 5, 128),
                                nn.ReLU(inplace=True), nn.Dropout(0.2))
        self.above = nn.Linear(128, len(ABOVE))
        self.below = nn.Linear(128, len(BELOW))
        self.attached = nn.Linear(128, len(ATTACHED))

    def forward(self, x):
        h = self.fc(self.features(x))
        return self.above(h), self.below(h), self.attached(h)


class Exported(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, crops):
        a, b, s = self.net(crops)
        return F.softmax(a, 1), F.softmax(b, 1), F.softmax(s, 1)


def load(path):
    d = np.load(path)
    x = torch.from_numpy(d["x"]).unsqueeze(1)  # uint8 (N,1,48,40)
    y = torch.from_numpy(np.stack([d["above"], d["below"], d["attached"]], 1).astype(np.int64))
    return x, y


@torch.no_grad()
def evaluate(net, x, y, bs=1024):
    net.eval()
    hits = torch.zeros(4)
    for i in range(0, len(x), bs):
        xb = x[i:i + bs].float() / 255.0
        preds = torch.stack([o.argmax(1) for o in net(xb)], 1)
        ok = preds == y[i:i + bs]
        hits[:3] += ok.sum(0).float()
        hits[3] += ok.all(1).sum().float()
    return (hits / len(x)).tolist()


def export(net, path: Path):
    import onnx
    model = Exported(net).eval()
    dummy = torch.rand(2, 1, HEIGHT, WIDTH)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, (dummy,), str(path), input_names=["crops"],
                      output_names=["above", "below", "attached"], opset_version=17,
                      dynamic_axes={"crops": {0: "n"}, "above": {0: "n"}, "below": {0: "n"},
                                    "attached": {0: "n"}}, dynamo=False)
    m = onnx.load(str(path))
    meta = {"above": ",".join(ABOVE), "below": ",".join(BELOW), "attached": ",".join(ATTACHED),
            "height": str(HEIGHT), "width": str(WIDTH),
            "input": "grey line resized to height 48 (bilinear), 48x40 window centred on the "
                     "letter, padded with the median border value, float32 pixel/255"}
    del m.metadata_props[:]
    for k, v in meta.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, str(path))
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", default="/tmp/marks/train.npz")
    ap.add_argument("--val", default="/tmp/marks/val.npz")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--bs", type=int, default=256)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--max-minutes", type=float, default=25.0)
    ap.add_argument("--schedule", choices=["onecycle", "time"], default="onecycle",
                    help="onecycle: OneCycleLR over the epochs (the shipped model: 3 epochs); "
                         "time: warm-up + cosine ending at --max-minutes or the last epoch")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)

    x, y = load(args.train)
    xv, yv = load(args.val)
    net = MarkNet()
    print("parameters:", sum(p.numel() for p in net.parameters()), flush=True)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    steps_per_epoch = len(x) // args.bs
    total = steps_per_epoch * args.epochs
    budget = args.max_minutes * 60

    def set_lr(elapsed):
        # Warm-up then cosine decay over whichever runs out first: the steps or the time budget
        # (CPU speed varies a lot on this machine, so the schedule must end with the time).
        if args.schedule == "onecycle":
            if step == 0 and not hasattr(set_lr, "sched"):
                set_lr.sched = torch.optim.lr_scheduler.OneCycleLR(
                    opt, max_lr=args.lr, total_steps=total, pct_start=0.15)
            elif step <= total - 1:
                set_lr.sched.step()
            return 1.0 if elapsed > budget or step >= total else 0.0
        progress = min(1.0, max(step / total, elapsed / budget))
        lr = args.lr * (progress / 0.05 if progress < 0.05 else
                        0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * (progress - 0.05) / 0.95)))
        for grp in opt.param_groups:
            grp["lr"] = lr
        return progress
    t0 = time.time()
    step = 0
    stop = False
    set_lr(0.0)
    for epoch in range(args.epochs):
        net.train()
        perm = torch.randperm(len(x))
        run = 0.0
        for k in range(steps_per_epoch):
            idx = perm[k * args.bs:(k + 1) * args.bs]
            xb = x[idx].float() / 255.0
            yb = y[idx]
            # small photometric augmentation: random gain / offset
            if True:
                g = torch.empty(len(xb), 1, 1, 1).uniform_(0.85, 1.1)
                o = torch.empty(len(xb), 1, 1, 1).uniform_(-0.08, 0.08)
                xb = (xb * g + o).clamp(0, 1)
            a, b, s = net(xb)
            loss = F.cross_entropy(a, yb[:, 0]) + F.cross_entropy(b, yb[:, 1]) + F.cross_entropy(s, yb[:, 2])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            if set_lr(time.time() - t0) >= 1.0:
                stop = True
                break
            run += loss.item()
            if (k + 1) % 200 == 0:
                print(f"epoch {epoch} step {k + 1}/{steps_per_epoch} loss {run / 200:.4f} "
                      f"{time.time() - t0:.0f}s", flush=True)
                run = 0.0
        acc = evaluate(net, xv, yv)
        print(f"epoch {epoch} val(held-out fonts) above {acc[0]:.4f} below {acc[1]:.4f} "
              f"attached {acc[2]:.4f} triple {acc[3]:.4f}  {time.time() - t0:.0f}s", flush=True)
        torch.save(net.state_dict(), "/tmp/marks/marknet.pt")
        if stop:
            print("stopped on the time limit", flush=True)
            break

    model = export(net, Path(args.out))
    ref = xv[:64].float() / 255.0
    with torch.no_grad():
        outs = model(ref)
    np.savez("/tmp/marks/ref.npz", x=ref.numpy(), above=outs[0].numpy(), below=outs[1].numpy(),
             attached=outs[2].numpy())
    print("exported", args.out, Path(args.out).stat().st_size, "bytes", flush=True)


if __name__ == "__main__":
    main()
