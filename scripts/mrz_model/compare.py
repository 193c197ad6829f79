"""Character error rate and exact lines of both MRZ recognisers on held-out crops (make_data --from-set).

    python scripts/mrz_model/compare.py /tmp/eval.npz [--model layers/core/passport_ocr/models/ocrb_mrz.onnx]

Greedy decoding, no correction: what each network reads, before the check digits help.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from passport_ocr.engines.ocrb_net import MODEL_FILE, OcrbNet
from passport_ocr.engines.recognizer import MrzRecognizer, ctc_decode

from lines import char_errors, load_lines


def score(frame_probs, crops, labels, groups) -> tuple[dict, float]:
    stats: dict[str, list[int]] = {}
    cpu = 0.0
    for crop, want, group in zip(crops, labels, groups):
        started = time.process_time()
        (probs,) = frame_probs([crop])
        cpu += time.process_time() - started
        got = "".join(c.char for c in ctc_decode(probs))
        for key in (group, "all"):
            s = stats.setdefault(key, [0, 0, 0, 0])
            s[0] += char_errors(got, want)
            s[1] += len(want)
            s[2] += got == want
            s[3] += 1
    return {k: (s[0] / s[1], s[2] / s[3], s[3]) for k, s in stats.items()}, cpu / len(crops)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval")
    parser.add_argument("--model", default=str(MODEL_FILE))
    args = parser.parse_args(argv)
    crops, labels, groups = load_lines(args.eval)
    pp = MrzRecognizer()
    pp.load()
    ocrb = OcrbNet(args.model)
    ocrb.load()
    for name, recogniser in (("pp-ocrv6", pp), ("ocrb", ocrb)):
        stats, cpu = score(recogniser.frame_probs, crops, labels, groups)
        cells = "  ".join(f"{k} {cer:.2%} CER {exact:.1%} exact (n={n})" for k, (cer, exact, n) in sorted(stats.items()))
        print(f"{name:9s} {cpu * 1000:.1f} ms/line  {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
