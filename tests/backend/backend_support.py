"""Helpers for the backend tests: the pinned clock, a live uvicorn server, answers that pass."""

from __future__ import annotations

import datetime as dt
import io
import os
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from support import ROOT as ROOT  # the example region, and its pinned clock: the same for every test
from support import TODAY

from forms_backend.settings import Settings

NOW = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
SITE = "https://careers.westmidlands.example"
JSON = {"Accept": "application/json"}
ORIGIN = {"Origin": SITE}  # what a browser sends with a post from the example region's pages
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving `app` on 127.0.0.1 in a thread; a context manager."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def start_server(
    dist: Path, db: str, port: int, tmp_path: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """`recruit backend serve` in a process of its own, on `port`, once its /health answers 200."""
    command = [
        str(Path(sys.executable).parent / "recruit"),
        "backend",
        "serve",
        "--port",
        str(port),
        "--dist",
        str(dist),
        "--database",
        db,
        "--mail-dir",
        str(tmp_path / "mail"),
        "--rate-limit",
        "off",
        *extra,
    ]
    env = {**os.environ, "RECRUIT_NOW": NOW.isoformat(), "RECRUIT_OUTBOX_INTERVAL": "0", **(env or {})}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(f"the server did not start: {process.communicate()[1].decode()[-2000:]}")


def site_client(base_url: str = "", **kwargs: Any) -> httpx.Client:
    """An HTTP client that posts as the sites' pages do: with the Origin of the example site.
    The backend refuses a post that says neither where it comes from nor Sec-Fetch-Site."""
    kwargs.setdefault("timeout", 30)
    return httpx.Client(base_url=base_url, headers=ORIGIN, **kwargs)


def make_settings(dist: Path, folder: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "dist": dist,
        "database_url": f"sqlite:///{folder / 'recruit.db'}",
        "mail_dir": folder / "mail",
        "clock": lambda: NOW,
        "outbox_interval": 0.0,
        "rollup_interval": 0.0,  # counted when a test says so
        "rate_limit": None,
    }
    values.update(overrides)
    return Settings(**values)


def form_of(manifest: dict, council: str, campaign: str) -> dict:
    return next(f for f in manifest["forms"] if f["council"] == council and f["campaign"] == campaign)


def good_answers(form: dict, email: str = "ada@example.com", name: str = "Ada Lovelace") -> dict[str, Any]:
    """Answers that pass every rule of `form` (files aside), as a browser would send them."""
    answers: dict[str, Any] = {}
    for spec in form["fields"]:
        kind, fid = spec["type"], spec["id"]
        options = [o["value"] for o in spec.get("options") or []]
        if kind == "email":
            answers[fid] = email
        elif kind == "tel":
            answers[fid] = "0121 303 1111"
        elif kind == "postcode":
            answers[fid] = "B1 1BB"
        elif kind == "number":
            answers[fid] = str(int(spec.get("min") or 0) + 1)
        elif kind in ("radios", "select"):
            answers[fid] = options[0]
        elif kind == "checkboxes":
            answers[fid] = options[:2]
        elif kind == "consent":
            answers[fid] = "yes"
        elif kind == "date":
            answers.update({f"{fid}-day": "3", f"{fid}-month": "4", f"{fid}-year": "2020"})
        elif kind == "file":
            continue
        elif fid == "full_name":
            answers[fid] = name
        else:
            answers[fid] = "Some words"
    return answers


DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
DOCX_BODY = (
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Ada Lovelace: curriculum vitae</w:t></w:r></w:p></w:body></w:document>"
)


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    """The smallest document Word opens, with `extra` parts (deflated) added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", DOCX_TYPES)
        z.writestr("_rels/.rels", DOCX_RELS)
        z.writestr("word/document.xml", DOCX_BODY)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


def odt(extra: dict[str, bytes] | None = None) -> bytes:
    """The smallest document LibreOffice opens: the mimetype first and stored, as ODF asks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        z.writestr(
            "content.xml",
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'office:version="1.3"><office:body><office:text/></office:body></office:document-content>',
        )
        z.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
            'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>',
        )
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()
