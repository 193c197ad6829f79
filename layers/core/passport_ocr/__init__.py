"""passport-ocr: the extraction core (pure Python, no AWS, no SQL outside `store`)."""

__version__ = "0.1.0"
