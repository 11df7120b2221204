"""Everything the backend can be told, in one dataclass (with defaults for `make run`)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def parse_rate(text: str) -> tuple[int, float] | None:
    """'30/600' -> 30 posts per 600 seconds; 'off' -> no limit."""
    if text.strip().lower() in ("", "off", "none", "0"):
        return None
    count, _, seconds = text.partition("/")
    return int(count), float(seconds or 600)


@dataclass
class Settings:
    """How one backend runs. Paths are taken as given (relative to the working directory)."""

    dist: Path = Path("dist")
    manifest_path: Path | None = None  # default: dist/_forms/manifest.json
    database_url: str = "sqlite:///data/recruit.db"
    # Seconds to wait for a lock another connection holds (a long purge, say) before answering
    # 503 "nothing was kept" instead of storing.
    busy_timeout: float = 30.0
    mail_dir: Path = Path("data/mail")
    smtp_host: str | None = None  # None: messages are written as .eml files under mail_dir
    smtp_port: int = 25
    smtp_timeout: float = 10.0
    mail_from: str | None = None  # default: the region's contact email from the manifest
    # Per-client rate limit on POSTs: (count, seconds); None switches it off.
    rate_limit: tuple[int, float] | None = (30, 600.0)
    # Loopback clients (make run, recruit verify) are not limited. Behind a proxy, set
    # trust_forwarded so the limit applies to each real client instead.
    rate_limit_loopback: bool = False
    trust_forwarded: bool = False
    max_body_bytes: int = 10 * MB
    max_fields: int = 300
    duplicate_window: dt.timedelta = dt.timedelta(hours=24)
    outbox_interval: float = 10.0  # seconds between background drains (0: no background task)
    # The evaluation's rollups: counted again this often in the background (0: not at all, as
    # with `recruit events rollup` on a timer); raw page views kept this many days.
    rollup_interval: float = 300.0
    keep_days: int = 90
    outbox_lease: float = 900.0  # seconds a drain holds the messages it took before another may
    retry_base: float = 30.0  # first retry after this many seconds, doubling, at most an hour
    retry_cap: float = 3600.0
    # Redirect no-JS applicants to the manifest's absolute thanks_url rather than its path.
    # None: decide from the manifest (a relative backend_url means same host, so the path).
    absolute_redirects: bool | None = None
    # The workspace's address in sign-in emails (RECRUIT_WORKSPACE_URL); None: the region's
    # base_url + workspace/, never the Host a request came with.
    workspace_url: str | None = None
    clock: Callable[[], dt.datetime] = field(default=utcnow, repr=False)

    def __post_init__(self) -> None:
        self.dist = Path(self.dist)
        self.mail_dir = Path(self.mail_dir)
        if self.manifest_path is None:
            self.manifest_path = self.dist / "_forms" / "manifest.json"
        self.manifest_path = Path(self.manifest_path)

    @classmethod
    def from_env(cls, root: Path | None = None, env: dict[str, str] | None = None, **overrides) -> Settings:
        """Defaults under `root` (the project folder), then RECRUIT_* / DATABASE_URL, then overrides."""
        env = dict(os.environ if env is None else env)
        root = Path(root) if root is not None else Path(".")
        values: dict = {
            "dist": Path(env.get("RECRUIT_DIST", root / "dist")),
            "database_url": env.get("DATABASE_URL", f"sqlite:///{root / 'data' / 'recruit.db'}"),
            "mail_dir": Path(env.get("RECRUIT_MAIL_DIR", root / "data" / "mail")),
        }
        if "RECRUIT_MANIFEST" in env:
            values["manifest_path"] = Path(env["RECRUIT_MANIFEST"])
        if env.get("SMTP_HOST"):
            values["smtp_host"] = env["SMTP_HOST"]
            values["smtp_port"] = int(env.get("SMTP_PORT", "25"))
        if env.get("RECRUIT_MAIL_FROM"):
            values["mail_from"] = env["RECRUIT_MAIL_FROM"]
        if "RECRUIT_RATE_LIMIT" in env:
            values["rate_limit"] = parse_rate(env["RECRUIT_RATE_LIMIT"])
        if env.get("RECRUIT_TRUST_FORWARDED", "").lower() in ("1", "true", "yes"):
            values["trust_forwarded"] = True
        if "RECRUIT_OUTBOX_INTERVAL" in env:
            values["outbox_interval"] = float(env["RECRUIT_OUTBOX_INTERVAL"])
        if "RECRUIT_ROLLUP_INTERVAL" in env:
            values["rollup_interval"] = float(env["RECRUIT_ROLLUP_INTERVAL"])
        if "RECRUIT_KEEP_DAYS" in env:
            values["keep_days"] = int(env["RECRUIT_KEEP_DAYS"])
        if "RECRUIT_BUSY_TIMEOUT" in env:
            values["busy_timeout"] = float(env["RECRUIT_BUSY_TIMEOUT"])
        if env.get("RECRUIT_WORKSPACE_URL"):
            values["workspace_url"] = env["RECRUIT_WORKSPACE_URL"]
        if "RECRUIT_RETRY_BASE" in env:
            values["retry_base"] = float(env["RECRUIT_RETRY_BASE"])
        if env.get(
            "RECRUIT_NOW"
        ):  # pin the clock (tests, reproducible runs), as RECRUIT_TODAY does for builds
            pinned = dt.datetime.fromisoformat(env["RECRUIT_NOW"])
            pinned = pinned if pinned.tzinfo else pinned.replace(tzinfo=dt.UTC)
            values["clock"] = lambda: pinned
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def environment(self) -> dict[str, str]:
        """The variables from_env reads that give back these settings' paths, database, mail
        server and rate limit (for worker processes started with the environment alone)."""
        limit = self.rate_limit
        values = {
            "RECRUIT_DIST": str(self.dist),
            "RECRUIT_MANIFEST": str(self.manifest_path),
            "DATABASE_URL": self.database_url,
            "RECRUIT_MAIL_DIR": str(self.mail_dir),
            "RECRUIT_RATE_LIMIT": f"{limit[0]}/{limit[1]:g}" if limit else "off",
            "RECRUIT_ROLLUP_INTERVAL": f"{self.rollup_interval:g}",
            "RECRUIT_KEEP_DAYS": str(self.keep_days),
        }
        if self.smtp_host:
            values.update(SMTP_HOST=self.smtp_host, SMTP_PORT=str(self.smtp_port))
        if self.workspace_url:
            values["RECRUIT_WORKSPACE_URL"] = self.workspace_url
        return values

    def workspace_address(self, region: dict) -> str:
        """Where sign-in links point: RECRUIT_WORKSPACE_URL, else the region's base_url +
        workspace/ (never the Host header a request came with, which anyone can write)."""
        if self.workspace_url:
            return self.workspace_url
        return str(region.get("base_url", "")).rstrip("/") + "/workspace/"

    def now(self) -> dt.datetime:
        now = self.clock()
        return now if now.tzinfo else now.replace(tzinfo=dt.UTC)

    def retry_delay(self, attempts: int) -> float:
        return min(self.retry_base * 2 ** max(attempts - 1, 0), self.retry_cap)
