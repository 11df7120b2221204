"""A stand-in for the form backend, shaped like its API (issue 3), for verify's own tests.

verify uses forms_backend's real app when it exists. These tests also need a backend they can
break on purpose (one that answers 500), and one to drive the form checks before the real
backend lands. It checks only what an empty or valid submission needs: required answers and
the email format.
"""

from __future__ import annotations

import html
import re
import secrets
import sqlite3
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Mount, Route

from generator.serve import static_app
from generator.verify.server import Backend, CountsNothing, Lookup

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


async def _answers(request: Request) -> dict[str, list[str]]:
    body = await request.body()
    kind = request.headers.get("content-type", "")
    found: dict[str, list[str]] = {}
    if kind.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {kind}\r\n\r\n".encode() + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            value = part.get_filename() or payload.decode("utf-8", "replace") if name else ""
            if name and value:
                found.setdefault(name, []).append(value)
    else:
        for name, value in parse_qsl(body.decode("utf-8", "replace")):
            if value:
                found.setdefault(name, []).append(value)
    return found


def _errors(form: dict[str, Any], answers: dict[str, list[str]]) -> dict[str, str]:
    errors = {}
    for f in form["fields"]:
        fid = f["id"]
        given = answers.get(fid) or (
            [answers[f"{fid}-day"][0]] if f["type"] == "date" and f"{fid}-day" in answers else []
        )
        if f["required"] and not given:
            errors[fid] = f["messages"]["required"]
        elif f["type"] == "email" and given and not re.fullmatch(r"[^\s@]+@[^\s@]+\.[^\s@]+", given[0]):
            errors[fid] = f["messages"]["format"]
    return errors


def _target(field: dict[str, Any]) -> str:
    if field["type"] in ("radios", "checkboxes"):
        return f"{field['id']}-0"
    return f"{field['id']}-day" if field["type"] == "date" else field["id"]


def error_page(dist: Path, form: dict[str, Any], errors: dict[str, str]) -> str:
    """The built apply page with its error summary filled in, as the real backend shows it."""
    page = (dist / form["form_path"].strip("/") / "index.html").read_text(encoding="utf-8")
    items = "".join(
        f'<li><a href="#{_target(f)}">{html.escape(errors[f["id"]])}</a></li>'
        for f in form["fields"]
        if f["id"] in errors
    )
    # The theme's markup, whatever other attributes its elements carry (data-error-list and the like)
    page = re.sub(r'(<ul class="rc-error-summary__list"[^>]*>)', lambda m: m.group(1) + items, page, count=1)
    page = re.sub(r'(data-error-summary tabindex="-1" autofocus) hidden>', r"\1>", page, count=1)
    for fid, message in errors.items():
        page = re.sub(
            rf'(<p class="rc-error-message" id="{fid}-error"[^>]*?) hidden>'
            r"(.*?)<span data-error-text></span>",
            lambda m, msg=message: (
                f"{m.group(1)}>{m.group(2)}<span data-error-text>{html.escape(msg)}</span>"
            ),
            page,
        )
    return page.replace("<head>", f'<head>\n<base href="{form["form_url"]}">', 1)


def stub_lookup(database: Path) -> Lookup:
    """Is the application in the stub's own table?"""

    def lookup(council: str, campaign: str, reference: str) -> bool:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            query = "SELECT 1 FROM applications WHERE council = ? AND campaign = ? AND reference = ?"
            found = db.execute(query, (council, campaign, reference)).fetchone() is not None
        db.close()
        return found

    return lookup


def stub_backend(fail_with: int | None = None, forget: bool = False, bare_errors: bool = False):  # noqa: ANN201
    """A BackendFactory; with fail_with, every application answers that status instead; with
    forget, valid applications get a reference but are never stored (an acknowledged one lost);
    with bare_errors, a browser without JavaScript gets the form back with no error summary."""

    def factory(dist: Path, workdir: Path, manifest: dict[str, Any]) -> Backend:
        database = workdir / "stub.db"
        with sqlite3.connect(database) as db:
            db.execute("CREATE TABLE applications (reference TEXT, council TEXT, campaign TEXT, email TEXT)")
        forms = {(f["council"], f["campaign"]): f for f in manifest["forms"]}

        async def apply(request: Request):  # noqa: ANN202
            key = (request.path_params["council"], request.path_params["campaign"])
            if key not in forms:
                return PlainTextResponse("No such form", 404)
            if fail_with:
                return PlainTextResponse("Internal Server Error", fail_with)
            form = forms[key]
            answers = await _answers(request)
            errors = _errors(form, answers)
            wants_json = "application/json" in request.headers.get("accept", "")
            if errors:
                if wants_json:
                    return JSONResponse({"errors": errors}, 422)
                return HTMLResponse(error_page(dist, form, {} if bare_errors else errors), 422)
            code = manifest["councils"][key[0]]["code"]
            reference = f"{code}-" + "".join(secrets.choice(ALPHABET) for _ in range(8))
            if not forget:
                with sqlite3.connect(database) as db:
                    db.execute(
                        "INSERT INTO applications VALUES (?, ?, ?, ?)",
                        (reference, key[0], key[1], (answers.get("email") or [""])[0]),
                    )
            if wants_json:
                return JSONResponse({"reference": reference}, 201)
            return RedirectResponse(f"{form['thanks_url']}?ref={reference}", 303)

        app = Starlette(
            routes=[
                Route("/api/apply/{council}/{campaign}", apply, methods=["POST"]),
                Mount("/", app=static_app(dist)),
            ]
        )
        what = f" answering {fail_with}" if fail_with else " storing nothing" if forget else ""
        return Backend(CountsNothing(app), f"test stub{what}", stub_lookup(database))

    return factory
