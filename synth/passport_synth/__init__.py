"""Synthetic travel documents with their true records, for tests and the benchmark.

    from passport_synth import generate, write_set
    sample = generate(seed=3, condition="photo", doc_format="TD1")
    sample.image, sample.truth, sample.data
"""

from .degrade import CONDITIONS, PRESETS
from .generate import DEFAULT_FORMAT_MIX, FORMATS, Sample, generate, write_set
from .identity import REFERENCE_DATE
from .mrz import build_mrz, check_digit, verify_mrz

__all__ = [
    "CONDITIONS",
    "DEFAULT_FORMAT_MIX",
    "FORMATS",
    "PRESETS",
    "REFERENCE_DATE",
    "Sample",
    "build_mrz",
    "check_digit",
    "generate",
    "verify_mrz",
    "write_set",
]
