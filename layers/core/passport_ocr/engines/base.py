"""The engine interface the extraction pipeline calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol

from PIL import Image

from ..ocr_types import OcrLine


# Sent to an engine's generator (Engine.mrz_candidates): look for another document's MRZ.
OTHER_DOCUMENTS = "other documents"


@dataclass
class MrzGeometry:
    """Where the MRZ sits in the image the engine was given.

    `corners` are the MRZ block's four corners (top-left, top-right, bottom-right,
    bottom-left) in the input image's pixel coordinates, in reading order of the upright
    document; `angle_deg` is the rotation that makes the document upright (counter-clockwise
    positive); `char_height_px` is the height of one MRZ character in the input image. The
    visual zone stage uses these to locate and scale the data page.
    """

    corners: list[tuple[float, float]]
    angle_deg: float
    char_height_px: float


@dataclass
class MrzReading:
    """One hypothesis of the MRZ text lines (top to bottom) with where they were found."""

    lines: list[OcrLine]
    geometry: MrzGeometry | None = None
    notes: list[str] = field(default_factory=list)


class Engine(Protocol):
    name: str
    # Whether mrz_candidates honours OTHER_DOCUMENTS: only then does the pipeline ask.
    finds_other_documents: bool

    def mrz_candidates(self, image: Image.Image) -> Iterator[MrzReading]:
        """Readings of the MRZ, most plausible first.

        The pipeline parses each in turn and stops at the first whose check digits all pass,
        so an engine can yield cheap hypotheses first (the best-located zone, upright) and
        costlier ones after (other rotations, other zones). Raises NoMrzFound when the
        image has nothing that looks like an MRZ.

        When it is a generator, the pipeline `send()`s it, with each request for the next
        hypothesis, the MRZ lines (0 = top) still in doubt after a reading, or None
        when there is no such focus. An engine may then re-read only those lines in its
        later hypotheses of the same zone; one that cannot simply ignores what it is sent.

        Once the pipeline holds its reading it sends an engine that `finds_other_documents`
        OTHER_DOCUMENTS: its later hypotheses then come from other places of the image that
        could hold a second document's MRZ (a visa beside the passport page, two cards on
        one scan), and stop when there are none.
        """
        ...
