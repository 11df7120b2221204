"""AWS Lambda entry points: `handler` for API Gateway HTTP API (v2) events, `drain_outbox` on a timer.

Configured by environment (see Settings.from_env): RECRUIT_DIST (the built sites, shipped with
the function), RECRUIT_MANIFEST, DATABASE_URL, SMTP_HOST/SMTP_PORT, RECRUIT_MAIL_FROM. The API's
`/api` prefix (RECRUIT_API_BASE_PATH) is stripped before routing. Lambda runs no background
task: schedule `drain_outbox` (an EventBridge rule every minute) to send the outbox.
"""

from __future__ import annotations

import os
from typing import Any

from mangum import Mangum

from .app import create_app
from .outbox import drain
from .settings import Settings
from .storage import open_storage

_handlers: dict[str, Mangum] = {}


def _settings() -> Settings:
    root = os.environ.get("LAMBDA_TASK_ROOT", ".")
    return Settings.from_env(root, outbox_interval=0.0)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One request; the app is made on the first and kept while the container lives."""
    if "app" not in _handlers:
        base_path = os.environ.get("RECRUIT_API_BASE_PATH", "/api")
        _handlers["app"] = Mangum(create_app(_settings()), lifespan="off", api_gateway_base_path=base_path)
    return _handlers["app"](event, context)


def drain_outbox(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Send what is due in the outbox once (the scheduled twin of `recruit outbox send`)."""
    settings = _settings()
    storage = open_storage(settings.database_url, settings.busy_timeout)
    try:
        report = drain(storage, settings)
    finally:
        storage.close()
    return {"sent": report.sent, "retried": report.retried, "failed": report.failed}
