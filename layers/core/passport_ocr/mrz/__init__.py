"""The MRZ reader: OCR'd lines -> validated, corrected machine-readable zone and fields."""

from .checkdigit import check_digit
from .read import MrzResult, read_mrz

__all__ = ["MrzResult", "check_digit", "read_mrz"]
