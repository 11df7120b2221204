"""The pure core: parsing a body, every validation rule, file sniffing, references."""

from __future__ import annotations

import pytest
from backend_support import PDF, docx, form_of, good_answers, odt

from forms_backend.parsing import BadRequest, Submission, Upload, parse_body
from forms_backend.references import ALPHABET, LENGTH, is_reference, new_reference
from forms_backend.validation import fingerprint, phone_ok, postcode, sniff, validate
from generator.formats import UK_POSTCODE

MSG = {
    "required": "Enter it",
    "format": "Wrong format",
    "too_long": "Too long",
    "pattern": "Bad pattern",
    "option": "Pick one",
    "min": "Too small",
    "max": "Too big",
    "too_big": "File too big",
    "empty": "Empty",
}


def spec(kind: str, **extra) -> dict:
    return {"id": "q", "type": kind, "label": "Question", "required": True, "messages": MSG, **extra}


def check(field: dict, **values) -> tuple[dict, dict]:
    sub = Submission({k: v if isinstance(v, list) else [v] for k, v in values.items()})
    result = validate([field], sub)
    return result.answers, result.errors


def test_required_and_optional_text() -> None:
    assert check(spec("text"), q="  ")[1] == {"q": "Enter it"}
    assert check({**spec("text"), "required": False}, q="") == ({}, {})
    assert check(spec("text"), q="  Zoë  ")[0] == {"q": "Zoë"}


def test_max_length_counts_characters_not_bytes() -> None:
    field = spec("text", max_length=5)
    assert check(field, q="ééééé")[1] == {}
    assert check(field, q="ééééé!")[1] == {"q": "Too long"}


def test_textarea_line_breaks_count_once() -> None:
    assert check(spec("textarea", max_length=3), q="a\r\nb")[0] == {"q": "a\nb"}


@pytest.mark.parametrize("value", ["name@example.com", "first.last+tag@sub.example.co.uk"])
def test_good_emails(value: str) -> None:
    assert check(spec("email"), q=value) == ({"q": value}, {})


@pytest.mark.parametrize("value", ["name", "name@example", "a b@example.com", "@example.com", "a@@b.com"])
def test_bad_emails(value: str) -> None:
    assert check(spec("email"), q=value)[1] == {"q": "Wrong format"}


@pytest.mark.parametrize(
    "value",
    [
        "0121 303 1111",
        "07911 123456",
        "+44 808 157 0192",
        "07700 900982",
        "+1 202 555 0123",
        "(0121) 303-1111",
    ],
)
def test_good_phones(value: str) -> None:
    assert phone_ok(value)


@pytest.mark.parametrize("value", ["12", "12345", "phone me", "0121 303 1111 1111", "+44 12"])
def test_bad_phones(value: str) -> None:
    assert not phone_ok(value)
    assert check(spec("tel"), q=value)[1] == {"q": "Wrong format"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("wv11sh", "WV1 1SH"),
        (" WV1   1SH ", "WV1 1SH"),
        ("b1 1bb", "B1 1BB"),
        ("EC1A1BB", "EC1A 1BB"),
        ("w1a 0ax", "W1A 0AX"),
    ],
)
def test_postcodes_in_any_spacing_or_case(typed: str, stored: str) -> None:
    assert postcode(typed, UK_POSTCODE) == stored
    assert check(spec("postcode", max_length=10, pattern=UK_POSTCODE), q=typed)[0] == {"q": stored}


@pytest.mark.parametrize("typed", ["WV1", "12345", "WV1 1S", "ZZZ 1AA"])
def test_bad_postcodes(typed: str) -> None:
    assert check(spec("postcode", pattern=UK_POSTCODE), q=typed)[1] == {"q": "Wrong format"}


def test_pattern_must_match_whole_value() -> None:
    field = spec("text", pattern="[A-Z]{2}[0-9]{4}")
    assert check(field, q="AB1234")[1] == {}
    assert check(field, q="xAB1234")[1] == {"q": "Bad pattern"}
    assert check(field, q="AB12345")[1] == {"q": "Bad pattern"}


def test_numbers_with_limits() -> None:
    field = spec("number", min=0, max=50)
    assert check(field, q="1,5")[0] == {"q": "1,5"}  # commas are thousands separators, as in the script
    assert check(field, q="-1")[1] == {"q": "Too small"}
    assert check(field, q="51")[1] == {"q": "Too big"}
    for bad in ("ten", "1_0", "nan", "inf", "1e999"):
        assert check(field, q=bad)[1] == {"q": "Wrong format"}, bad


def test_options_outside_the_list_are_rejected_and_reported() -> None:
    field = spec("radios", options=[{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}])
    assert check(field, q="yes")[0] == {"q": "yes"}
    sub = Submission({"q": ["maybe"]})
    result = validate([field], sub)
    assert result.errors == {"q": "Pick one"} and result.tampering == [("q", "maybe")]
    assert validate([field], Submission({"q": ["yes", "no"]})).tampering


def test_checkboxes_keep_option_order_and_reject_strangers() -> None:
    options = [{"value": v, "label": v} for v in ("a", "b", "c")]
    field = spec("checkboxes", options=options)
    assert check(field, q=["c", "a"])[0] == {"q": ["a", "c"]}
    assert check(field, q=[])[1] == {"q": "Enter it"}
    assert check(field, q=["a", "z"])[1] == {"q": "Pick one"}


def test_consent_must_be_yes() -> None:
    field = spec("consent")
    assert check(field, q="yes")[0] == {"q": True}
    assert check(field)[1] == {"q": "Enter it"}
    assert check({**field, "required": False})[0] == {"q": False}
    result = validate([field], Submission({"q": ["sure"]}))
    assert result.errors and result.tampering == [("q", "sure")]


def test_dates_arrive_in_three_parts() -> None:
    field = spec("date")
    assert check(field, **{"q-day": "3", "q-month": "4", "q-year": "2020"})[0] == {"q": "2020-04-03"}
    assert check(field, **{"q-day": "31", "q-month": "2", "q-year": "2020"})[1] == {"q": "Wrong format"}
    assert check(field, **{"q-day": "1", "q-month": "1", "q-year": "20"})[1] == {"q": "Wrong format"}
    assert check(field)[1] == {"q": "Enter it"}


def upload(name: str, data: bytes) -> Submission:
    return Submission(files={"q": [Upload(name, "application/octet-stream", data)]})


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cv.pdf", PDF),
        ("CV.DOC", bytes.fromhex("D0CF11E0A1B11AE1") + b"x" * 50),
        ("cv.docx", docx()),
        ("cv.odt", odt()),
    ],
)
def test_documents_are_recognised_by_content(name: str, data: bytes) -> None:
    result = validate(
        [spec("file", extensions=[".pdf", ".doc", ".docx", ".odt"], max_bytes=5 << 20)], upload(name, data)
    )
    assert result.errors == {} and result.files["q"].data == data
    assert result.answers["q"]["filename"] == name and result.answers["q"]["size"] == len(data)


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("cv.exe", PDF, "Wrong format"),
        ("cv.pdf", b"MZ\x90\x00 not a pdf", "Wrong format"),
        ("cv.docx", odt(), "Wrong format"),
        ("cv.odt", docx(), "Wrong format"),
        ("cv.docx", b"PK\x03\x04 broken zip", "Wrong format"),
        ("cv.pdf", b"", "Empty"),
        ("cv.pdf", b"%PDF-" + b"x" * (5 << 20), "File too big"),
    ],
)
def test_bad_files(name: str, data: bytes, error: str) -> None:
    result = validate(
        [spec("file", extensions=[".pdf", ".doc", ".docx", ".odt"], max_bytes=5 << 20)], upload(name, data)
    )
    assert result.errors == {"q": error}


def test_no_file_chosen_is_an_empty_part() -> None:
    assert validate([spec("file")], upload("", b"")).errors == {"q": "Enter it"}
    assert sniff(b"") is None


def test_example_form_rules_and_messages_come_from_the_manifest(manifest: dict) -> None:
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    sub = Submission({k: v if isinstance(v, list) else [v] for k, v in good_answers(form).items()})
    sub.fields["unknown_field"] = ["dropped"]
    result = validate(form["fields"], sub)
    assert result.errors == {} and "unknown_field" not in result.answers
    empty = validate(form["fields"], Submission())
    required = {f["id"]: f["messages"]["required"] for f in form["fields"] if f["required"]}
    assert empty.errors == required


def test_fingerprint_is_stable_and_content_sensitive() -> None:
    a = fingerprint("c", "k", {"x": "1", "y": ["a"]})
    assert a == fingerprint("c", "k", {"y": ["a"], "x": "1"})
    assert a != fingerprint("c", "k", {"x": "2", "y": ["a"]})
    assert a != fingerprint("c", "other", {"x": "1", "y": ["a"]})


def test_references_have_no_look_alikes() -> None:
    assert not set("01OIL") & set(ALPHABET)
    refs = {new_reference("WOL") for _ in range(500)}
    assert len(refs) == 500
    for ref in refs:
        code, tail = ref.split("-")
        assert code == "WOL" and len(tail) == LENGTH and set(tail) <= set(ALPHABET) and is_reference(ref)
    assert not is_reference("WOL-7K3<Q9X") and not is_reference("")


def test_parse_urlencoded_and_multipart() -> None:
    sub = parse_body(b"a=1&b=%C3%A9&b=2&c=", "application/x-www-form-urlencoded", 10)
    assert sub.fields == {"a": ["1"], "b": ["é", "2"], "c": [""]}
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="name"\r\n\r\nZo\xc3\xab\r\n'
        b'--XX\r\nContent-Disposition: form-data; name="cv"; filename="cv.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + PDF + b"\r\n--XX--\r\n"
    )
    sub = parse_body(body, "multipart/form-data; boundary=XX", 10)
    assert sub.fields == {"name": ["Zoë"]} and sub.files["cv"][0].data == PDF
    sub = parse_body('{"name": "Zoë", "roles": ["a", "b"]}'.encode(), "application/json; charset=utf-8", 10)
    assert sub.fields == {"name": ["Zoë"], "roles": ["a", "b"]} and sub.files == {}


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"a=%FF", "application/x-www-form-urlencoded", 400),
        (b"a=\xff\xfe", "application/x-www-form-urlencoded", 400),
        (
            b'--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff\r\n--XX--\r\n',
            "multipart/form-data; boundary=XX",
            400,
        ),
        (b"garbage", "multipart/form-data; boundary=XX", 400),
        (b"--XX\r\nbad header\r\n\r\n", "multipart/form-data; boundary=XX", 400),
        (b"a=1", "multipart/form-data", 400),
        (b"a=1", "text/plain", 415),
        (b'{"a": 1}', "application/json", 400),
        (b'{"a": ["x", null]}', "application/json", 400),
        (b"not json", "application/json", 400),
        (b"[]", "application/json", 400),
        (b'{"a": "\xff"}', "application/json", 400),
        (b'{"a": ["1", "2", "3"]}', "application/json", 400),
        (b"a=1", None, 415),
        (b"&".join([b"f=1"] * 1000), "application/x-www-form-urlencoded", 400),
    ],
)
def test_unreadable_bodies(body: bytes, content_type: str | None, status: int) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_body(body, content_type, 2)
    assert caught.value.status == status and caught.value.message
