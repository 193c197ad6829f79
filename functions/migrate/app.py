"""CloudFormation custom resource: apply the database migrations on every deploy.

Create and Update run `passport_ocr.store.migrate` (idempotent, serialised by an advisory lock);
Delete does nothing, because migrations never drop data and the database has its own
DeletionPolicy. The outcome is PUT to the presigned ResponseURL CloudFormation gave us; an
answer is always sent, or the stack would wait an hour for the timeout.
"""

from __future__ import annotations

import json
import os
import urllib.request

from aws_lambda_powertools import Logger

from passport_ocr.service import database_dsn
from passport_ocr.store import migrate

logger = Logger()
PHYSICAL_ID = "passport-ocr-schema"


def send_response(event: dict, status: str, reason: str = "", data: dict | None = None) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:3000],
            "PhysicalResourceId": event.get("PhysicalResourceId") or PHYSICAL_ID,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data or {},
        }
    ).encode()
    # The presigned URL is signed without a content type: send none.
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - URL from CloudFormation
        response.read()


@logger.inject_lambda_context
def lambda_handler(event: dict, context) -> None:
    request_type = event.get("RequestType")
    try:
        if request_type in ("Create", "Update"):
            applied = migrate.apply_dsn(database_dsn(os.environ))
            logger.info("migrations applied", extra={"applied": applied})
            send_response(event, "SUCCESS", data={"Applied": ",".join(applied) or "none"})
        else:
            send_response(event, "SUCCESS")
    except Exception as error:  # noqa: BLE001 - any failure must reach CloudFormation
        logger.exception("migration failed")
        send_response(event, "FAILED", reason=f"{type(error).__name__}: {error}")
