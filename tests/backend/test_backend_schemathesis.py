"""openapi.yaml against the real backend: generated requests, seeded, checked by schemathesis.

Every operation of openapi.yaml gets a bounded, derandomized run (schemathesis' examples and
coverage phases, then a fuzzing phase) against `create_app` served by a real uvicorn on
loopback. An answer fails the run when it is a 5xx, when its status, content type, headers or
JSON body are not the ones openapi.yaml documents, when its body looks like a Python traceback,
or when a request openapi.yaml calls invalid is not refused (so tools reading the file can tell
a valid request from an invalid one).

Posts carry the example site's Origin, so they reach the form's rules rather than the
cross-site refusal, and ask for JSON (the page script) or HTML (a browser without JavaScript).
Most generated addresses are pointed at a real form, or at a real council, application and
file; a valid post to a real form may have its other questions answered well, so that a
made-up name or address goes all the way to storage, the mail and the exports. The admin
routes are asked twice: as generated (no token, or a made-up one) and with a real token of the
council.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from backend_support import NOW, PDF, ROOT, SITE, LiveServer, form_of, good_answers, make_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from forms_backend import auth
from forms_backend.app import create_app
from forms_backend.storage import NewApplication, StoredFile, open_storage
from forms_backend.validation import fingerprint

COUNCIL, CAMPAIGN = "wolverhampton", "come-back-to-care"
REFERENCE = "WOL-7K3QX9MD"  # openapi.yaml's example reference: the fixture stores an application under it
ACCEPTS = ("application/json", "text/html")
MADE_UP = ("full_name", "email")  # the answers kept as generated when the rest are answered well
FORMS: dict[tuple[str, str], dict] = {}  # the example region's forms: filled in by the `backend` fixture
REAL_FORMS = [
    {"council": council, "campaign": campaign}
    for council, campaign in [
        (COUNCIL, CAMPAIGN),
        ("coventry", "time-to-care"),  # checkboxes
        ("birmingham", "step-up-now"),  # a select
        ("shropshire", "winter-support-2025"),  # closed: 410
    ]
]

# The statuses that refuse a request openapi.yaml calls invalid: before its answers are read
# (no such form, a closed campaign, no token, too big), or once they are.
REFUSED = ["400", "401", "403", "404", "405", "410", "413", "415", "422", "429"]
# Names and addresses that have broken form backends, drawn now and then instead of generated ones
# for a post whose other answers are good: they go into mail headers, HTML pages and spreadsheets.
HOSTILE_NAMES = [
    "Ada\r\nBcc: someone@evil.example",
    "Ada\nLovelace",
    "Ada\x00Lovelace",
    "Ada\u2028Lovelace",
    "=?utf-8?b?QWRh?=",
    '=HYPERLINK("https://evil.example","Ada")',
    "<script>alert(1)</script>",
    "\u202eecalevoL adA",
    "Siân O'Brien-Núñez 李",
]
HOSTILE_EMAILS = [
    "ada@example.com\r\nBcc: someone@evil.example",
    "ada<b>@example.com",
    "ada\x00@example.com",
    '"ada\nb"@example.com',
    "=?utf-8?q?ada?=@example.com",
    "ada@exämple.com",
    "ädä@example.com",
    "ada@[127.0.0.1]",
]
schema = schemathesis.openapi.from_path(
    ROOT / "openapi.yaml",
    config=schemathesis.Config.from_dict(
        {
            "seed": 20261123,
            "generation": {"deterministic": True},
            "checks": {"negative_data_rejection": {"expected-statuses": REFUSED}},
        }
    ),
)

TRACEBACK = re.compile(r'Traceback \(most recent call last\)|File "|\b[A-Z]\w*(?:Error|Exception): ')


def no_traceback(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """No answer shows a Python traceback or exception name, whatever its status."""
    found = TRACEBACK.search(response.text or "")
    if found:
        raise AssertionError(
            f"The answer looks like a traceback ({found.group(0)!r}): {response.text[:300]!r}"
        )


def honeypot_filled(case: schemathesis.Case) -> bool:
    body = case.body if isinstance(case.body, dict) else {}
    values = body.get("website") or []
    return any(str(v).strip() for v in (values if isinstance(values, list) else [values]))


def invalid_requests_refused(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """A request openapi.yaml calls invalid gets a 4xx, so tools can tell the two apart. Not a
    filled-in honeypot: a bot is told it succeeded (and nothing is kept), as openapi.yaml says."""
    if honeypot_filled(case):
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    no_traceback,
    invalid_requests_refused,
]


@pytest.fixture(scope="module")
def backend(dist: Path, manifest: dict, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A live backend holding one application with a CV (under REFERENCE), and a council token."""
    settings_ = make_settings(dist, tmp_path_factory.mktemp("schemathesis"))
    storage = open_storage(settings_.database_url)
    try:
        token = auth.create_token(storage, COUNCIL, COUNCIL, NOW)[1]
        cv = StoredFile("cv.pdf", "application/pdf", PDF)
        stored = {"filename": cv.filename, "content_type": cv.content_type, "size": len(PDF)}
        answers: dict[str, Any] = good_answers(form_of(manifest, COUNCIL, CAMPAIGN))
        answers["cv"] = {**stored, "sha256": hashlib.sha256(PDF).hexdigest()}
        application = NewApplication(
            COUNCIL,
            CAMPAIGN,
            answers["email"],
            answers,
            fingerprint(COUNCIL, CAMPAIGN, answers),
            NOW,
            files={"cv": cv},
        )
        storage.save(application, lambda: REFERENCE, lambda ref: [], NOW)
    finally:
        storage.close()
    FORMS.update({(f["council"], f["campaign"]): f for f in manifest["forms"]})
    with LiveServer(create_app(settings_)) as server:
        yield {"url": server.url, "token": token}


@schema.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """A post comes from the example site's page; it asks for JSON or HTML (fixed per case)."""
    if case.method.upper() == "POST":
        accept = ACCEPTS[zlib.crc32(repr((case.path_parameters, case.body)).encode()) % 2]
        case.headers = {**(case.headers or {}), "Origin": SITE, "Accept": accept}
    return case


@schema.hook
def before_add_examples(context: schemathesis.HookContext, examples: list[schemathesis.Case]) -> None:
    """The examples of openapi.yaml are posted from the site's page too."""
    for case in examples:
        map_case(context, case)


@schema.hook
def flatmap_case(context: schemathesis.HookContext, case: schemathesis.Case) -> Any:
    """In the fuzzing phase a post asks for JSON or HTML, drawn like the rest. A valid one to a
    real form may have its other questions answered well, so a made-up name or address reaches
    storage, the mail and the exports instead of stopping at a phone number that is not one (an
    invalid one is left as generated: it must be refused)."""
    if case.method.upper() != "POST":
        return st.just(case)
    where = case.path_parameters or {}
    form = FORMS.get((where.get("council"), where.get("campaign")))
    positive = case.meta is not None and case.meta.generation.mode == schemathesis.GenerationMode.POSITIVE

    def drawn(accept: str, answered: bool, name: str | None, email: str | None) -> schemathesis.Case:
        case.headers = {**case.headers, "Accept": accept}
        if answered and form is not None and isinstance(case.body, dict) and positive:
            kept = {k: v for k, v in case.body.items() if k in MADE_UP}
            hostile = {k: v for k, v in (("full_name", name), ("email", email)) if v is not None}
            case.body = {**case.body, **good_answers(form), **kept, **hostile}
        return case

    return st.builds(
        drawn,
        st.sampled_from(ACCEPTS),
        st.sampled_from([True, False]),
        st.none() | st.sampled_from(HOSTILE_NAMES),
        st.none() | st.sampled_from(HOSTILE_EMAILS),
    )


@schema.hook
def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: dict[str, Any] | None) -> Any:
    """A real form, or council, application and file, or else the made-up values."""
    if not path_parameters:
        return st.just(path_parameters)
    if "campaign" in path_parameters:
        real = st.sampled_from(REAL_FORMS)
    else:
        real = st.just({"slug": COUNCIL, "reference": REFERENCE, "field": "cv"})
    keys = set(path_parameters)
    return st.one_of(
        real.map(lambda found: {**path_parameters, **{k: v for k, v in found.items() if k in keys}}),
        st.just(path_parameters),
    )


SETTINGS = dict(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],  # big generated bodies on a busy 2-core machine
)
APPLY = "/apply/{council}/{campaign}"


@schema.include(path=APPLY).parametrize()
@settings(max_examples=150, **SETTINGS)
def test_applications_hold_to_openapi(case: schemathesis.Case, backend: dict[str, str]) -> None:
    case.call_and_validate(base_url=backend["url"], checks=CHECKS)


@schema.exclude(path=APPLY).parametrize()
@settings(max_examples=30, **SETTINGS)
def test_health_and_admin_hold_to_openapi(case: schemathesis.Case, backend: dict[str, str]) -> None:
    case.call_and_validate(base_url=backend["url"], checks=CHECKS)
    if case.operation.path.startswith("/councils/"):
        token = {"Authorization": f"Bearer {backend['token']}"}
        case.call_and_validate(base_url=backend["url"], headers=token, checks=CHECKS)
