"""One call, one sample: identity -> page -> capture condition, all from the seed."""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from .degrade import CONDITIONS, PRESETS, degrade, encode
from .identity import random_document
from .mrz import LAYOUTS
from .render import MRZ_CAP_HEIGHT_MM, render_page, with_facing_page

FORMATS: tuple[str, ...] = tuple(LAYOUTS)
BOOKLET_FORMATS = ("TD3", "MRVA")  # pages of a passport booklet; the others are cards or stickers
# The mix of a generated set: mostly passports, like real traffic.
DEFAULT_FORMAT_MIX: tuple[tuple[str, float], ...] = (("TD3", 70), ("TD1", 12), ("TD2", 10), ("MRVA", 4), ("MRVB", 4))


@dataclass
class Sample:
    image: Image.Image  # exactly what `data` decodes to
    truth: dict
    data: bytes  # the file as a scanner/phone would deliver it (PNG or JPEG)
    extension: str  # 'png' or 'jpg'


def generate(seed: int, condition: str, doc_format: str = "TD3") -> Sample:
    if condition not in PRESETS:
        raise ValueError(f"unknown condition {condition!r}: use one of {list(CONDITIONS)}")
    # Separate streams: the same seed gives the same person and page layout in every condition.
    document = random_document(random.Random(f"identity:{seed}:{doc_format}"), doc_format)
    capture_rng = random.Random(f"capture:{seed}:{doc_format}:{condition}")
    preset = PRESETS[condition]
    px_per_mm = capture_rng.uniform(*preset.px_per_mm)
    page = render_page(random.Random(f"page:{seed}:{doc_format}"), document, px_per_mm)
    if doc_format in BOOKLET_FORMATS and capture_rng.random() < preset.facing_page_share:
        page = with_facing_page(capture_rng, page, px_per_mm)
    captured, jpeg_quality = degrade(capture_rng, page, preset, MRZ_CAP_HEIGHT_MM * px_per_mm)
    data = encode(captured, jpeg_quality)
    image = Image.open(io.BytesIO(data))
    image.load()
    truth = document.truth()
    truth["condition"] = condition
    return Sample(image=image, truth=truth, data=data, extension="png" if jpeg_quality is None else "jpg")


def pick_format(seed: int, index: int, mix=DEFAULT_FORMAT_MIX) -> str:
    names, weights = zip(*mix)
    return random.Random(f"format:{seed}:{index}").choices(names, weights=weights)[0]


def write_set(out_dir, n: int, conditions=CONDITIONS, seed: int = 1, format_mix=DEFAULT_FORMAT_MIX) -> list[dict]:
    """Writes n images (conditions in turn, formats from the mix) and truth.jsonl; returns the truths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    truths = []
    for index in range(n):
        condition = conditions[index % len(conditions)]
        doc_format = pick_format(seed, index, format_mix)
        sample_seed = seed * 100_000 + index
        sample = generate(sample_seed, condition, doc_format)
        name = f"{index:04d}_{condition}_{doc_format}.{sample.extension}"
        (out / name).write_bytes(sample.data)
        truths.append({"file": name, "seed": sample_seed, **sample.truth})
    with open(out / "truth.jsonl", "w", encoding="utf-8") as fh:
        for truth in truths:
            fh.write(json.dumps(truth, ensure_ascii=False) + "\n")
    return truths
