"""Comparing what was read with what is printed."""


def edit_distance(a: str, b: str) -> int:
    """Characters inserted, dropped or changed to turn `a` into `b` (Levenshtein)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]
