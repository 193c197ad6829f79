"""Write the held-out real specimens of truth.jsonl into a directory that bench/run.py reads.

    .venv/bin/python bench/heldout/materialise.py --mirrors /work/.mirror --out /tmp/heldout
    .venv/bin/python bench/run.py --n 0 --real-dir /tmp/heldout [--fields mrz]

The images are not in this repository: each row names the public repository, path and
commit it comes from. `--mirrors` holds bare clones named `<owner>+<name>/repo` (what the
tool library's `fetch` brings); a file is taken with `git show <commit>:<path>`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, required=True, help="directory of <owner>+<name>/repo git mirrors")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = [json.loads(line) for line in open(HERE / "truth.jsonl") if line.strip()]
    missing = 0
    for row in rows:
        repo = args.mirrors / row["source_repo"].replace("/", "+") / "repo"
        try:
            data = subprocess.run(
                ["git", "-C", str(repo), "show", f"{row['source_commit']}:{row['source_path']}"],
                check=True, capture_output=True,
            ).stdout
        except (subprocess.CalledProcessError, FileNotFoundError):
            print(f"missing: {row['source_repo']} {row['source_path']}", file=sys.stderr)
            missing += 1
            continue
        (args.out / row["file"]).write_bytes(data)
    shutil.copy(HERE / "truth.jsonl", args.out / "truth.jsonl")
    print(f"{len(rows) - missing} of {len(rows)} images in {args.out}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
