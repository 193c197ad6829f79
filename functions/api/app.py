"""The HTTP API: routes -> Service / Repository. Thin: parsing lives in small helpers beside it.

Error bodies are {"error": {"code", "message"}}; `http_status` is the one place that maps the
product's typed errors to HTTP status codes.
"""


import base64
import binascii
import dataclasses
import hmac
import json
import os
import re
import uuid
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from typing import Annotated, Literal

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Query
from botocore.exceptions import ClientError
from pydantic import BaseModel

from passport_ocr import errors
from passport_ocr.service import Service, make_source
from passport_ocr.settings import Settings

# No Powertools Metrics here: API Gateway already counts requests, 4xx, 5xx and latency per
# route; extraction outcomes are counted by the ingest function and visible in the store.
logger = Logger()
tracer = Tracer()
app = APIGatewayRestResolver(enable_validation=True)
app.enable_swagger(path="/swagger", title="passport-ocr", version="1.0.0")

# API Gateway answers 504 after 29 s, the function's timeout. One OCR.Space page, retries
# included, must be given up on well before that, so the client gets our 503 and not a 504
# (the settings' defaults are sized for the ingest function's 120 s).
API_OCR_READ_TIMEOUT_S = 12.0
API_OCR_DEADLINE_S = 24.0


def within_api_gateway_limit(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        ocrspace_timeout_s=min(settings.ocrspace_timeout_s, API_OCR_READ_TIMEOUT_S),
        ocrspace_deadline_s=min(settings.ocrspace_deadline_s, API_OCR_DEADLINE_S),
    )


service = Service.from_env()
service.settings = within_api_gateway_limit(service.settings)

# Images uploaded through the API live outside `uploads/`, which the S3 notification
# watches: storing them there would extract every API upload a second time.
API_PREFIX = "api/"
SEARCH_LIMIT_DEFAULT = 50
SEARCH_LIMIT_MAX = 200
# Routes that answer without a token: load balancer health checks and API docs.
OPEN_ROUTES = {("GET", "/"), ("GET", "/openapi.json"), ("GET", "/swagger")}
# Presigned uploads: the suffixes the S3 notification of template.yaml watches.
UPLOAD_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".pdf")
# Scans often arrive as PDFs (the first page is read); every other accepted type is image/*.
PDF_MEDIA_TYPE = "application/pdf"
UPLOAD_EXPIRES_S = 900
SAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


class ApiError(Exception):
    """A request-level error that is not one of the product's errors (404, 401, bad query)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


_STATUS_BY_ERROR: list[tuple[type[errors.PassportOcrError], int]] = [
    # Most specific first.
    (errors.InputTooLarge, 413),
    (errors.ImageTooLarge, 413),
    (errors.UnsupportedFormat, 415),
    (errors.NoMrzFound, 422),
    (errors.UnreadableMrz, 422),
    (errors.UnreadableImage, 422),
    (errors.AnimatedImage, 422),
    (errors.OcrServiceError, 422),
    (errors.BadInput, 400),
    (errors.ServiceError, 503),
]


def _all_error_classes(cls: type[errors.PassportOcrError]) -> list[type[errors.PassportOcrError]]:
    return [cls] + [sub for child in cls.__subclasses__() for sub in _all_error_classes(child)]


# Stored failures carry only the error's code: find its class again to map it.
_ERROR_CLASS_BY_CODE = {cls.code: cls for cls in _all_error_classes(errors.PassportOcrError)}


def http_status(error: errors.PassportOcrError | type[errors.PassportOcrError] | str) -> int:
    """The HTTP status of a product error, given the error, its class or its stable code."""
    if isinstance(error, str):
        error = _ERROR_CLASS_BY_CODE.get(error, errors.PassportOcrError)
    cls = error if isinstance(error, type) else type(error)
    for error_class, status in _STATUS_BY_ERROR:
        if issubclass(cls, error_class):
            return status
    return 500


def error_response(status: int, code: str, message: str) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"error": {"code": code, "message": message}},
    )


@app.exception_handler(errors.PassportOcrError)
def handle_product_error(error: errors.PassportOcrError) -> Response:
    status = http_status(error)
    log = logger.warning if status >= 500 else logger.info
    log("request failed", extra={"code": error.code, "status": status})
    return error_response(status, error.code, error.message)


@app.exception_handler(ApiError)
def handle_api_error(error: ApiError) -> Response:
    return error_response(error.status, error.code, error.message)


@app.exception_handler(RequestValidationError)
def handle_validation_error(error: RequestValidationError) -> Response:
    details = "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in error.errors())
    return error_response(400, "invalid_request", details or "invalid request")


@app.not_found
def handle_not_found(_: NotFoundError) -> Response:
    return error_response(404, "not_found", "no such route")


def require_bearer_token(app: APIGatewayRestResolver, next_middleware):
    """Locally (API_AUTH_TOKEN set) every route but the open ones needs the bearer token.

    In the cloud API Gateway's Cognito authorizer checks the caller before we are invoked.
    """
    token = os.environ.get("API_AUTH_TOKEN")
    event = app.current_event
    if token and (event.http_method, event.path) not in OPEN_ROUTES:
        given = event.headers.get("Authorization") or event.headers.get("authorization") or ""
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return error_response(401, "unauthorized", "missing or invalid bearer token")
    return next_middleware(app)


app.use(middlewares=[require_bearer_token])


@dataclass
class FilePart:
    data: bytes
    filename: str | None
    content_type: str


def multipart_file(body: bytes, content_type: str, field: str = "file") -> FilePart | None:
    """The `field` part of a multipart/form-data body, or None when there is none.

    The stdlib email parser understands MIME multipart and keeps binary parts byte-exact.
    """
    if "boundary=" not in content_type:
        raise errors.BadInput("multipart/form-data without a boundary")
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise errors.BadInput("the multipart body could not be parsed")
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == field:
            return FilePart(part.get_payload(decode=True) or b"", part.get_filename(), part.get_content_type())
    return None


def is_accepted_media_type(media_type: str) -> bool:
    """Whether a body or upload of this media type may be a document we read. Only a hint:
    load_image decides by the bytes themselves."""
    media_type = media_type.lower()
    return media_type.startswith("image/") or media_type == PDF_MEDIA_TYPE


def presign_key(filename: str, content_type: str) -> str:
    """`uploads/<uuid>/<safe filename>`: no path from the client survives, and the suffix
    must be one the S3 notification watches or the upload would never be extracted."""
    if not is_accepted_media_type(content_type):
        raise errors.UnsupportedFormat(f"content_type must be image/* or {PDF_MEDIA_TYPE}, not {content_type!r}")
    basename = filename.replace("\\", "/").rsplit("/", 1)[-1]
    safe = SAFE_FILENAME_CHARS.sub("_", basename).lstrip(".")[:120]
    if not safe.lower().endswith(UPLOAD_SUFFIXES):
        raise errors.UnsupportedFormat(f"the filename must end with one of {', '.join(UPLOAD_SUFFIXES)}")
    # Lower-case the suffix: the notification filters are case-sensitive.
    stem, _, suffix = safe.rpartition(".")
    return f"uploads/{uuid.uuid4()}/{stem}.{suffix.lower()}"


def _body_bytes() -> bytes:
    event = app.current_event
    body = event.body or ""
    if not event.is_base64_encoded:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise errors.BadInput("the request body is not valid base64") from None


def _label(filename: str | None) -> str | None:
    """The client's file name without its directories: a label, never a path."""
    if filename is None:
        return None
    return filename.replace("\\", "/").rsplit("/", 1)[-1] or None


def _store_image(key: str, data: bytes, media_type: str) -> str | None:
    """Store the image under its content address; returns the S3 version id.

    The same bytes are put once: a second put would add a version that deleting the record
    (which removes the version it knows) would leave behind.
    """
    try:
        try:
            return service.s3.head_object(Bucket=service.bucket_name, Key=key).get("VersionId")
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
        put = service.s3.put_object(Bucket=service.bucket_name, Key=key, Body=data, ContentType=media_type)
        return put.get("VersionId")
    except ClientError as error:
        raise errors.StorageUnavailable("could not store the image") from error


def _extraction_response(stored, created: bool) -> Response[dict]:
    body = stored.to_api()
    if stored.status == "failed":
        # The failed record was stored (its id is in the body); the status says why.
        error = body.get("error") or {}
        code = error.get("code") if isinstance(error, dict) else error
        return Response(status_code=http_status(code or ""), content_type=content_types.APPLICATION_JSON, body=body)
    return Response(status_code=201 if created else 200, content_type=content_types.APPLICATION_JSON, body=body)


def _parse_id(passport_id: str) -> str:
    try:
        return str(uuid.UUID(passport_id))
    except ValueError:
        raise ApiError(400, "invalid_id", "the id must be a UUID") from None


# --- routes --------------------------------------------------------------------------------
@app.get("/", summary="Health: database reachability and the OCR engine in use")
def health() -> Response[dict]:
    try:
        reachable = service.repository.ping()
    except Exception:  # noqa: BLE001 - a missing configuration is "down" too
        reachable = False
    database = "ok" if reachable else "error"
    if not reachable:
        logger.warning("health: database unreachable")
    body = {"status": "ok" if database == "ok" else "degraded", "database": database, "engine": service.engine_name}
    return Response(status_code=200 if database == "ok" else 503, content_type=content_types.APPLICATION_JSON, body=body)


@app.post(
    "/upload",
    summary="Extract one image or PDF (its first page) now: multipart/form-data `file`, or a raw image/* or application/pdf body",
)
@tracer.capture_method
def upload(fields: Annotated[Literal["all", "mrz"], Query()] = "all") -> Response[dict]:
    content_type = (app.current_event.headers.get("Content-Type") or app.current_event.headers.get("content-type") or "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    body = _body_bytes()
    if media_type == "multipart/form-data":
        part = multipart_file(body, content_type)
        if part is None:
            raise ApiError(400, "missing_file", "the multipart body has no `file` field")
        data, filename, media_type = part.data, _label(part.filename), part.content_type
    elif is_accepted_media_type(media_type):
        data, filename = body, None
    else:
        raise errors.UnsupportedFormat(
            f"send multipart/form-data, or an image/* or {PDF_MEDIA_TYPE} body, not {media_type or 'nothing'}"
        )
    if not data:
        raise errors.EmptyInput()
    limit = service.settings.max_input_bytes
    if len(data) > limit:
        raise errors.InputTooLarge(f"the file has {len(data)} bytes, the limit is {limit}")

    source = make_source(data, bucket=service.bucket_name, key=None, filename=filename, content_type=media_type)
    if service.bucket_name:
        key = f"{API_PREFIX}{source.image_sha256}"
        version = _store_image(key, data, media_type)
        source = make_source(
            data, bucket=service.bucket_name, key=key, version=version, filename=filename, content_type=media_type
        )
    stored, created = service.process(data, source, fields=fields)
    logger.info("upload processed", extra={"id": str(stored.id), "status": stored.status, "new_row": created})
    return _extraction_response(stored, created)


class PresignRequest(BaseModel):
    filename: str
    content_type: str


@app.post("/uploads", summary="A presigned S3 POST to upload an image or PDF for asynchronous extraction")
def presign_upload(request: PresignRequest) -> Response[dict]:
    if not service.bucket_name:
        raise errors.StorageUnavailable("no bucket is configured")
    key = presign_key(request.filename, request.content_type)
    try:
        post = service.s3.generate_presigned_post(
            Bucket=service.bucket_name,
            Key=key,
            Fields={"Content-Type": request.content_type},
            Conditions=[{"Content-Type": request.content_type}, ["content-length-range", 1, service.settings.max_input_bytes]],
            ExpiresIn=UPLOAD_EXPIRES_S,
        )
    except ClientError as error:
        raise errors.StorageUnavailable("could not presign the upload") from error
    body = {"url": post["url"], "fields": post["fields"], "key": key, "expires_in": UPLOAD_EXPIRES_S}
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=body)


@app.get("/passports", summary="Search stored extractions, newest first")
def search(
    document_number: Annotated[str | None, Query()] = None,
    surname: Annotated[str | None, Query()] = None,
    nationality: Annotated[str | None, Query()] = None,
    status: Annotated[Literal["extracted", "needs_review", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1)] = SEARCH_LIMIT_DEFAULT,
    cursor: Annotated[str | None, Query()] = None,
) -> dict:
    try:
        rows, next_cursor = service.repository.search(
            document_number=document_number,
            surname=surname,
            nationality=nationality,
            status=status,
            limit=min(limit, SEARCH_LIMIT_MAX),
            cursor=cursor,
        )
    except ValueError:
        raise ApiError(400, "invalid_cursor", "the cursor is not one this API returned") from None
    return {"items": [row.to_api() for row in rows], "next_cursor": next_cursor}


@app.get("/passports/<passport_id>", summary="One stored extraction")
def get_passport(passport_id: str) -> dict:
    stored = service.repository.get(_parse_id(passport_id))
    if stored is None:
        raise ApiError(404, "not_found", "no extraction with this id")
    return stored.to_api()


@app.delete("/passports/<passport_id>", summary="Delete a stored extraction and its image")
def delete_passport(passport_id: str) -> Response[None]:
    stored = service.repository.delete(_parse_id(passport_id))
    if stored is None:
        raise ApiError(404, "not_found", "no extraction with this id")
    source = stored.source
    if source.bucket and source.key:
        location = {"Bucket": source.bucket, "Key": source.key}
        if source.version:
            # Delete the version itself: a delete marker would keep the passport image.
            location["VersionId"] = source.version
        try:
            service.s3.delete_object(**location)
        except ClientError as error:
            raise errors.StorageUnavailable("the record was deleted but its image could not be") from error
    logger.info("extraction deleted", extra={"id": str(stored.id)})
    return Response(status_code=204, body=None)


@app.get("/openapi.json", summary="The OpenAPI document of this API")
def openapi() -> Response[dict]:
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=json.loads(app.get_openapi_json_schema(title="passport-ocr", version="1.0.0")),
    )


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
