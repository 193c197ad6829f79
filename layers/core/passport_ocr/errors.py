"""Typed errors of the whole product.

Every failure the product can report is one of these. Each carries a stable machine `code`
(used in API error bodies, CLI JSON lines and the `failure_reason` of stored records) and
whether retrying the same input can help (`retryable`): the ingest handler turns retryable
errors into SQS batch item failures and the rest into `failed` records. HTTP status codes
are mapped in exactly one place, the API handler.
"""

from __future__ import annotations


class PassportOcrError(Exception):
    code = "internal_error"
    retryable = False

    def __init__(self, message: str | None = None):
        super().__init__(message or self.__doc__ or self.code)

    @property
    def message(self) -> str:
        return str(self)

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


# --- the input itself is unusable: retrying cannot help --------------------------------
class BadInput(PassportOcrError):
    """The input cannot be processed."""

    code = "bad_input"


class EmptyInput(BadInput):
    """The input is empty."""

    code = "empty_input"


class UnsupportedFormat(BadInput):
    """The file is not a supported image (JPEG, PNG, TIFF, WebP, BMP, GIF, or PDF first page)."""

    code = "unsupported_format"


class UnreadableImage(BadInput):
    """The file looks like an image but cannot be decoded (truncated or corrupt)."""

    code = "unreadable_image"


class EncryptedPdf(UnreadableImage):
    """The PDF is password-protected: send it without a password, or an image of the page."""

    code = "encrypted_pdf"


class InputTooLarge(BadInput):
    """The file is larger than the configured limit."""

    code = "input_too_large"


class ImageTooLarge(BadInput):
    """The image has more pixels than the configured limit (possible decompression bomb)."""

    code = "image_too_large"


class AnimatedImage(BadInput):
    """Animated images are not supported: send one still frame."""

    code = "animated_image"


class NoMrzFound(BadInput):
    """No machine-readable zone was found in the image."""

    code = "no_mrz_found"


class UnreadableMrz(BadInput):
    """A machine-readable zone was found but could not be read."""

    code = "unreadable_mrz"


# --- a service we depend on failed: retrying later can help ----------------------------
class ServiceError(PassportOcrError):
    code = "service_error"
    retryable = True


class OcrServiceUnavailable(ServiceError):
    """The OCR service did not answer (timeout, connection error, 5xx) after retries."""

    code = "ocr_service_unavailable"


class OcrServiceRateLimited(ServiceError):
    """The OCR service refused the request for rate limits (HTTP 429) after retries."""

    code = "ocr_service_rate_limited"


class OcrServiceError(PassportOcrError):
    """The OCR service processed the request and reported an error for this input."""

    code = "ocr_service_error"
    retryable = False


class OcrServiceAuthError(ServiceError):
    """The OCR service rejected the API key (configuration problem, retried after a fix)."""

    code = "ocr_service_auth_error"


class DatabaseUnavailable(ServiceError):
    """The database could not be reached or dropped the connection."""

    code = "database_unavailable"


class StorageUnavailable(ServiceError):
    """The object store could not be reached."""

    code = "storage_unavailable"
