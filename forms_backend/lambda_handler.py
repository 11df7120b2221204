"""AWS Lambda entry points: `handler` for API Gateway HTTP API (v2) events, `drain_outbox` on a timer.

Configured by environment (see Settings.from_env): RECRUIT_DIST (the built sites, shipped with
the function), RECRUIT_MANIFEST, SMTP_HOST/SMTP_PORT, RECRUIT_MAIL_FROM. The database URL is
DATABASE_URL, or is read from the Secrets Manager secret RECRUIT_DATABASE_SECRET or the SSM
parameter RECRUIT_DATABASE_PARAMETER (secrets.py), once per container. The API's `/api` prefix
(RECRUIT_API_BASE_PATH) is stripped before routing. Lambda runs no background task: schedule
`drain_outbox` (an EventBridge rule every minute) to send the outbox. deploy/aws/template.yaml
deploys both.
"""

from __future__ import annotations

import os
from typing import Any

from mangum import Mangum

from .app import create_app
from .bank.sweep import sweep
from .evaluation import rollup
from .manifest import load
from .outbox import drain
from .secrets import database_url
from .settings import Settings
from .storage import open_storage

_handlers: dict[str, Any] = {}


def _settings() -> Settings:
    """The settings, made once per container: the database's secret is read on the first call."""
    if "settings" not in _handlers:
        root = os.environ.get("LAMBDA_TASK_ROOT", ".")
        url = database_url(os.environ)
        _handlers["settings"] = Settings.from_env(root, outbox_interval=0.0, database_url=url)
    return _handlers["settings"]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One request; the app is made on the first and kept while the container lives."""
    if "app" not in _handlers:
        base_path = os.environ.get("RECRUIT_API_BASE_PATH", "/api")
        _handlers["app"] = Mangum(create_app(_settings()), lifespan="off", api_gateway_base_path=base_path)
    return _handlers["app"](event, context)


def drain_outbox(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Send what is due in the outbox once (the scheduled twin of `recruit outbox send`), and
    count the evaluation's rollups again when they are older than the rollup interval."""
    settings = _settings()
    storage = open_storage(settings.database_url, settings.busy_timeout)
    try:
        report = drain(storage, settings)
        counted = None
        if rollup.due(storage, settings):
            counted = rollup.catch_up(storage, settings)
            sweep(storage, settings, load(settings.manifest_path))
    finally:
        storage.close()
    return {"sent": report.sent, "retried": report.retried, "failed": report.failed,
            "rolled_up_days": counted.days if counted else 0}  # fmt: skip
