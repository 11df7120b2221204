"""Hostile names and addresses: whatever the form accepts, every message the outbox writes reads
back with the headers composed and no others; what it refuses gets a field error, never a 500.

Display names are compared two ways. RFC 2047's decoder (email.header.decode_header, as mail
programs decode) must give the name back exactly. The email package's modern parser reads
display names with runs of spaces made one (it cannot give "Ada  Lovelace" back), so there the
name must come back alike but for spaces.
"""

from __future__ import annotations

import email
import re
from email.header import decode_header, make_header
from email.policy import compat32, default
from email.utils import parseaddr

import pytest
from backend_support import JSON, NOW, form_of, good_answers
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from forms_backend.addresses import PLAIN, email_ok
from forms_backend.mail import compose
from forms_backend.manifest import Manifest
from forms_backend.outbox import drain
from forms_backend.parsing import Submission
from forms_backend.storage import open_storage
from forms_backend.validation import validate

ACTION = "/apply/wolverhampton/come-back-to-care"
REFERENCE = "WOL-7K3Q9XAB"
HEAD = ["Content-Type", "MIME-Version", "Content-Transfer-Encoding", "From", "To", "Subject", "Date"]
HEAD += ["Message-ID", "Reply-To"]
INJECTIONS = [
    "Ada\nBcc: x@evil.example",
    "Ada\r\nBcc: x@evil.example",
    "Ada\rBcc: x@evil.example",
    "Ada\u2028Bcc: x@evil.example",
    "Ada\u0085Bcc : x@evil.example",
    "Ada\x0bSubject: win",
    "Ada\x00Lovelace",
    "Ada\x1b[31mLovelace",
]
EXAMPLES = ["Ada : Bcc x@evil.example", 'Ada "Bcc:" <x@evil.example>', "=?utf-8?q?Bcc=3A?=", "Ada  Lovelace"]
EXAMPLES += ["Zoë\u00a0Ñúñez", "محمد عبد الله", "李" * 200, "\U0001f600" * 200, "Ada\u200bLove\u202elace"]
FAST = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Text of every kind, with controls, separators and header syntax much more often than chance.
HOSTILE = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            ["\n", "\r", "\r\n", "\t", "\x0b", "\x00", "\x85", "\u2028", ":", "<", ">", '"', "\\"]
        ),
        st.sampled_from([" ", "  ", "Bcc: x@evil.example", "=?utf-8?q?x?=", "@", ",", ";", "\u00a0", "Zoë"]),
    ),
    max_size=60,
).map("".join)


class Application:
    """The example region's manifest and one form, shown short in hypothesis' reports."""

    def __init__(self, manifest: Manifest, form: dict) -> None:
        self.manifest, self.form = manifest, form

    def __iter__(self):  # noqa: ANN204
        return iter((self.manifest, self.form))

    def __getitem__(self, index: int):  # noqa: ANN204
        return (self.manifest, self.form)[index]

    def __repr__(self) -> str:
        return "Application(wolverhampton/come-back-to-care)"


@pytest.fixture(scope="module")
def application(manifest: dict) -> Application:
    return Application(Manifest(manifest), form_of(manifest, "wolverhampton", "come-back-to-care"))


def accepted(form: dict, **answers: str) -> dict | None:
    """The answers as the form keeps them, or None when it refuses one."""
    values = {**good_answers(form), **answers}
    sub = Submission({k: v if isinstance(v, list) else [v] for k, v in values.items()})
    result = validate(form["fields"], sub)
    return result.answers if result.ok else None


def read_back(raw: bytes) -> email.message.EmailMessage:
    """The message as a mail program reads it: the head's lines are headers or their folds, no
    line is longer than SMTP allows, and neither parser finds a defect."""
    head, _, _body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line for line in lines)
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    names = [line.split(b":", 1)[0].decode() for line in lines if not line.startswith((b" ", b"\t"))]
    assert names == [h for h in HEAD if h in names] and len(names) >= len(HEAD) - 1, names
    parsed = email.message_from_bytes(raw, policy=default)
    assert parsed.defects == [] and list(parsed.keys()) == names
    assert all(not parsed[name].defects for name in names)
    return parsed


def display_name(raw: bytes, header: str) -> tuple[str, str]:
    """(the name as RFC 2047 decodes it, the address) from the message's `header`."""
    name, address = parseaddr(email.message_from_bytes(raw, policy=compat32)[header])
    return str(make_header(decode_header(name))), address


def spaced(text: str) -> str:
    return "".join(text.split())


def check_messages(application: Application, answers: dict) -> None:
    manifest, form = application
    out = compose(manifest, form, REFERENCE, answers, NOW)
    assert {o.kind for o in out} == {"council", "applicant"}
    name, address = answers["full_name"], answers["email"]
    for outgoing in out:
        parsed = read_back(outgoing.message)
        header = "To" if outgoing.kind == "applicant" else "Reply-To"
        assert display_name(outgoing.message, header) == (name, ascii_form(address))
        [read] = parsed[header].addresses
        assert spaced(read.display_name) == spaced(name) and read.addr_spec == ascii_form(address)
        assert REFERENCE in str(parsed["Subject"])
        assert outgoing.recipient == ascii_form(
            address if outgoing.kind == "applicant" else outgoing.recipient
        )


def ascii_form(address: str) -> str:
    return address if address.isascii() else validate_email(address, check_deliverability=False).ascii_email


@settings(max_examples=300, **FAST)
@given(name=HOSTILE)
@example(name="Ada Lovelace")
@example(name="Bcc: x@evil.example" * 4)  # plain, but too long to stay on one line quoted
def test_any_name_the_form_accepts_reads_back_from_every_message(application, name: str) -> None:  # noqa: ANN001
    answers = accepted(application[1], full_name=name)
    if answers is not None:
        check_messages(application, answers)


@pytest.mark.parametrize("name", EXAMPLES)
def test_names_of_every_kind_read_back(application, name: str) -> None:  # noqa: ANN001
    answers = accepted(application[1], full_name=name)
    assert answers is not None and answers["full_name"] == name
    check_messages(application, answers)


@pytest.mark.parametrize("name", INJECTIONS)
def test_a_name_holding_a_line_break_or_control_is_refused(application, name: str) -> None:  # noqa: ANN001
    form = application[1]
    values = {**good_answers(form), "full_name": name}
    result = validate(
        form["fields"], Submission({k: v if isinstance(v, list) else [v] for k, v in values.items()})
    )
    assert set(result.errors) == {"full_name"}
    assert result.errors["full_name"].startswith("Full name must")


def test_a_tab_in_a_name_is_a_space_and_word_line_breaks_in_a_textarea_are_line_breaks() -> None:
    one_line = {"id": "q", "type": "text", "label": "Full name", "messages": {}}
    textarea = {"id": "t", "type": "textarea", "label": "About you", "messages": {}}
    result = validate(
        [one_line, textarea], Submission({"q": ["Ada\tLovelace"], "t": ["One\vtwo\r\nthree\u2028"]})
    )
    assert result.errors == {} and result.answers == {"q": "Ada Lovelace", "t": "One\ntwo\nthree"}
    refused = validate([textarea], Submission({"t": ["One\x00two"]}))
    assert refused.errors == {
        "t": "About you must not include control characters: type it in again rather than pasting it"
    }


ADDRESSES = [
    "a<b>@example.com",
    'a"b@example.com',
    "a\x00b@example.com",
    "a\x01@example.com",
    "ada@example.com\n",
]
ADDRESSES += ["ada@example.com>, x@evil.example", "ada@[127.0.0.1]", "ada@localhost", "ada@example.invalid"]
ADDRESSES += ["ada@-example.com", "ada..lovelace@example.com", "zoë@example.com", "ada@ex ample.com"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_addresses_no_mail_server_would_take_are_refused(address: str) -> None:
    assert not email_ok(address)


@pytest.mark.parametrize(
    "address", ["ada@example.com", "Ada.Lovelace+cv@council.gov.uk", "o'neil@example.ie"]
)  # noqa: E501
def test_ordinary_and_international_addresses_are_accepted(application, address: str) -> None:  # noqa: ANN001
    for each in (address, "ada@bücher.example", "ada@straße.example"):
        answers = accepted(application[1], email=each)
        assert answers is not None and answers["email"] == each
        check_messages(application, answers)


def library_accepts(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return False
    return True


@settings(max_examples=400, **FAST)
@given(address=st.one_of(st.from_regex(PLAIN, fullmatch=True), st.emails(), HOSTILE))
def test_the_quick_check_accepts_nothing_email_validator_refuses(address: str) -> None:
    assert email_ok(address) == (library_accepts(address) and "=?" not in address)


@settings(max_examples=200, **FAST)
@given(address=st.one_of(st.emails(), HOSTILE.map(lambda t: t + "@example.com")))
def test_any_address_the_form_accepts_reads_back_from_every_message(application, address: str) -> None:  # noqa: ANN001
    answers = accepted(application[1], email=address)
    if answers is not None:
        check_messages(application, answers)


@pytest.mark.parametrize("name", INJECTIONS)
def test_through_the_server_an_injected_name_is_a_422_and_nothing_is_kept(
    client, settings, openapi, manifest, name: str
) -> None:  # noqa: ANN001,E501
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    answers = {**good_answers(form), "full_name": name}
    for send in ({"json": answers}, {"data": answers}):
        r = openapi.check(client.post(ACTION, headers=JSON, **send))
        assert r.status_code == 422 and set(r.json()["errors"]) == {"full_name"}, r.text
        page = openapi.check(client.post(ACTION, headers={"Accept": "text/html"}, **send))
        assert page.status_code == 422 and "Full name must" in page.text
    storage = open_storage(settings.database_url)
    try:
        assert storage.applications(None) == [] and storage.outbox_counts()["waiting"] == 0
    finally:
        storage.close()


def test_through_the_server_odd_names_and_addresses_go_out_as_written(client, settings, manifest) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    sent = [("Ada : Bcc x@evil.example", "ada@example.com"), ("Zoë  Ñúñez", "zoe@bücher.example")]
    for name, address in sent:
        r = client.post(ACTION, json={**good_answers(form, name=name, email=address)}, headers=JSON)
        assert r.status_code == 201, r.text
    settings_ = settings
    storage = open_storage(settings_.database_url)
    try:
        report = drain(storage, settings_)
    finally:
        storage.close()
    files = sorted(settings_.mail_dir.glob("*-applicant-*.eml"))
    assert report.failed == 0 and len(files) == len(sent)
    got = set()
    for file in files:
        raw = file.read_bytes()
        read_back(raw)
        got.add(display_name(raw, "To"))
    assert got == {(name, ascii_form(address)) for name, address in sent}
    assert not any(re.search(rb"^Bcc:", f.read_bytes(), re.M) for f in settings_.mail_dir.glob("*.eml"))
