"""The extraction pipeline: image bytes -> Record. Pure orchestration, no AWS."""

from __future__ import annotations

import time
from datetime import date

from PIL import Image

from .engines.base import Engine, MrzReading
from .errors import NoMrzFound, UnreadableMrz
from .imaging.load import load_image
from .mrz import MrzResult, read_mrz
from .record import Record
from .settings import Settings
from .viz import read_visual_zone

FIELDS_ALL = "all"
FIELDS_MRZ = "mrz"


def best_mrz_reading(engine: Engine, image: Image.Image, today: date | None = None) -> tuple[MrzResult, MrzReading]:
    """The engine's MRZ hypotheses parsed in turn: the first valid one, else the best scored.

    Raises NoMrzFound when no hypothesis reads as an MRZ (the engine's own NoMrzFound included).
    """
    best: MrzResult | None = None
    best_reading: MrzReading | None = None
    for reading in engine.mrz_candidates(image):
        try:
            result = read_mrz(reading.lines, today=today)
        except UnreadableMrz:
            continue
        if best is None or result.score > best.score:
            best, best_reading = result, reading
        if result.info.valid:
            break
    if best is None or best_reading is None:
        raise NoMrzFound("no machine-readable zone could be read in the image")
    return best, best_reading


def extract(
    data: bytes,
    *,
    engine: Engine,
    settings: Settings,
    fields: str = FIELDS_ALL,
    today: date | None = None,
) -> Record:
    """Extract one document from image bytes.

    Raises a BadInput subclass for unusable input (the caller records a failure) and a
    ServiceError subclass when an OCR service is down (the caller retries later).
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    image = load_image(data, max_bytes=settings.max_input_bytes, max_pixels=settings.max_pixels)
    timings["decode"] = (time.perf_counter() - started) * 1000

    mrz_started = time.perf_counter()
    best, best_reading = best_mrz_reading(engine, image, today)
    timings["mrz"] = (time.perf_counter() - mrz_started) * 1000

    record = Record(
        fields=dict(best.fields),
        confidence=dict(best.confidence),
        warnings=list(best.warnings),
        mrz=best.info,
        engine=engine.name,
    )
    if fields == FIELDS_ALL:
        # The visual zone adds what the MRZ lacks (date of issue, place of birth, authority,
        # full names, four-digit years) and cross-checks the rest; it never fails the record.
        viz_started = time.perf_counter()
        read_visual_zone(image, best_reading, record, engine, settings)
        timings["viz"] = (time.perf_counter() - viz_started) * 1000
    timings["total"] = (time.perf_counter() - started) * 1000
    record.timings_ms = timings
    return record
