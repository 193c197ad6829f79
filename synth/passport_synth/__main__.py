"""python -m passport_synth --out DIR --n 200 --seed 1 [--conditions clean,scan] [--formats TD3,TD1]"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from .degrade import CONDITIONS
from .generate import DEFAULT_FORMAT_MIX, FORMATS, write_set


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m passport_synth", description=__doc__)
    parser.add_argument("--out", required=True, help="directory for the images and truth.jsonl")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--conditions", default=",".join(CONDITIONS), help=f"comma-separated, of {','.join(CONDITIONS)}")
    parser.add_argument("--formats", default="", help=f"comma-separated, of {','.join(FORMATS)} (default: a passport-heavy mix)")
    args = parser.parse_args(argv)
    conditions = [c for c in args.conditions.split(",") if c]
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown:
        parser.error(f"unknown conditions {unknown}")
    mix = DEFAULT_FORMAT_MIX
    if args.formats:
        formats = [f for f in args.formats.split(",") if f]
        if any(f not in FORMATS for f in formats):
            parser.error(f"formats must be among {FORMATS}")
        mix = tuple((f, 1.0) for f in formats)
    truths = write_set(args.out, args.n, conditions, args.seed, mix)
    counts = Counter((t["condition"], t["format"]) for t in truths)
    print(f"wrote {len(truths)} images and truth.jsonl to {args.out}", file=sys.stderr)
    for (condition, doc_format), count in sorted(counts.items()):
        print(f"  {condition:7s} {doc_format:5s} {count}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
