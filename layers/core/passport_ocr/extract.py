"""The extraction pipeline: image bytes -> Record. Pure orchestration, no AWS."""

from __future__ import annotations

import time
from datetime import date
from typing import Iterator

import numpy as np
from PIL import Image

from .engines.base import OTHER_DOCUMENTS, Engine, MrzReading
from .errors import NoMrzFound, UnreadableMrz
from .imaging.load import load_image
from .mrz import MrzResult, read_mrz
from .mrz.choose import Candidate, choose, is_settled, likeliest, lines_in_doubt
from .mrz.vote import consensus, flag_disputes
from .record import Record, Warning
from .settings import Settings
from .viz import read_visual_zone

FIELDS_ALL = "all"
FIELDS_MRZ = "mrz"
# Hypotheses tried for a settled reading once a valid but doubtful one is in hand: about one
# zone's worth of repaired crops (the local engine yields up to five per zone).
MORE_READINGS_AFTER_VALID = 3
# Readings of other places spent looking for a second document once the MRZ is read: its
# upright and turned readings and the first repaired crops.
OTHER_DOCUMENT_READINGS = 4


def best_mrz_reading(engine: Engine, image: Image.Image, today: date | None = None) -> tuple[MrzResult, MrzReading]:
    """The engine's MRZ hypotheses parsed in turn until one is settled (valid, nothing in
    doubt), then the most trustworthy of those seen (mrz.choose).

    Once a valid reading is in hand, at most MORE_READINGS_AFTER_VALID further hypotheses are
    tried for a settled one. Then, if the engine can, other places of the image are read for
    a second document's MRZ: one found flags the record (`another_document`), since the
    caller would lose it. Raises NoMrzFound when no hypothesis reads as an MRZ (the engine's
    own NoMrzFound included).
    """
    candidates: list[Candidate[MrzReading]] = []
    tried_since_valid: int | None = None
    readings = iter(engine.mrz_candidates(image))
    # Engines whose hypotheses come from a generator are told which lines are in doubt
    # (Engine.mrz_candidates): they can re-read those alone. An invalid reading tells too:
    # when its failed checks and doubts all lie on one line, nothing doubts the others, and
    # a repaired crop of them breaks them as often as it mends them (binarising blurred names).
    send = getattr(readings, "send", None) or (lambda _doubted: next(readings))
    doubted: frozenset[int] | None = None
    # The budget is checked before the next hypothesis is asked for: the engine does its
    # recognition work to produce one, so asking and then dropping it would waste a reading.
    while True:
        try:
            reading = send(doubted)
        except StopIteration:
            break
        if tried_since_valid is not None:
            tried_since_valid += 1
        try:
            result = read_mrz(reading.lines, today=today)
        except UnreadableMrz:
            result = None
        if result is not None:
            candidates.append(Candidate(result, reading))
            if is_settled(result):
                break
            doubted = lines_in_doubt(result) or doubted
            if result.info.valid and tried_since_valid is None:
                tried_since_valid = 0
        if tried_since_valid is not None and tried_since_valid >= MORE_READINGS_AFTER_VALID:
            break
    if not candidates:
        raise NoMrzFound("no machine-readable zone could be read in the image")
    if not is_settled(candidates[-1].result):
        voted = voted_reading(candidates, today)
        if voted is not None:
            candidates.append(voted)
    best = choose(candidates, same_zone)
    other = another_document(best, candidates)
    if other is None and getattr(engine, "finds_other_documents", False):
        other = another_document(best, _other_zone_candidates(send, today))
    if other is not None:
        best.result.warnings.append(
            Warning(
                "another_document",
                f"the image also holds the MRZ of another document ({other.result.info.format}); "
                "only one document is read per image: send each in its own",
            )
        )
    return best.result, best.source


def voted_reading(candidates: list[Candidate[MrzReading]], today: date | None) -> Candidate[MrzReading] | None:
    """One more candidate when no reading settled: the readings of the likeliest one's zone
    voted character by character (mrz.vote), or None when they give nothing to vote on.

    Its fields holding a character the readings read differently are flagged, unless a
    check digit decided; choose() then weighs it with the others, and flags a field where it
    passes every check but another valid reading of the zone gives it otherwise.
    """
    first = likeliest(candidates)
    zone = [first] + [c for c in candidates if c is not first and same_zone(first.source, c.source)]
    voted = consensus([c.result for c in zone])
    if voted is None:
        return None
    try:
        result = read_mrz(voted.lines, today=today)
    except UnreadableMrz:
        return None
    flag_disputes(result, voted.disputed)
    notes = [f"consensus of the readings of the zone ({len(zone)})"]
    return Candidate(result, MrzReading(lines=voted.lines, geometry=first.source.geometry, notes=notes))


def _other_zone_candidates(send, today: date | None) -> Iterator[Candidate[MrzReading]]:
    """Parsed readings of the places the engine thinks could hold another document's MRZ
    (OTHER_DOCUMENTS), at most OTHER_DOCUMENT_READINGS of them."""
    for _ in range(OTHER_DOCUMENT_READINGS):
        try:
            reading = send(OTHER_DOCUMENTS)
        except StopIteration:
            return
        try:
            yield Candidate(read_mrz(reading.lines, today=today), reading)
        except UnreadableMrz:
            continue


def another_document(best: Candidate[MrzReading], candidates) -> Candidate[MrzReading] | None:
    """The first valid reading among `candidates` of another place than `best` with another
    MRZ: a second document in the image."""
    for other in candidates:
        if (
            other.result.info.valid
            and not same_zone(best.source, other.source)
            and other.result.info.lines != best.result.info.lines
        ):
            return other
    return None


def same_zone(a: MrzReading, b: MrzReading) -> bool:
    """Two hypotheses read the same place of the image (not another document beside it)."""
    if a.geometry is None or b.geometry is None:
        return True
    (ax, ay), (bx, by) = (np.mean(r.geometry.corners, axis=0) for r in (a, b))
    width = float(np.linalg.norm(np.subtract(a.geometry.corners[1], a.geometry.corners[0])))
    return float(np.hypot(ax - bx, ay - by)) < 0.5 * width


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
