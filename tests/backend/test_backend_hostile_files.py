"""Hostile uploads and bodies: a CV that is a zip bomb or an archive that is not a document is
refused with the file's own message, and every error the multipart parser can raise is a 4xx."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile

import pytest
import python_multipart.exceptions as multipart_errors
from backend_support import DOCX_BODY, DOCX_RELS, DOCX_TYPES, JSON, docx, form_of, good_answers, odt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_multipart.multipart import MultipartParser

from forms_backend.documents import DOCX_PARTS, MAX_INFLATED, MAX_PARTS, ODT_PARTS, sniff
from forms_backend.parsing import BadRequest, parse_body
from forms_backend.storage import open_storage

ACTION = "/apply/wolverhampton/come-back-to-care"
FORMAT = "The selected file must be a PDF, DOC, DOCX or ODT"
DOCX_TEXT = {"[Content_Types].xml": DOCX_TYPES, "_rels/.rels": DOCX_RELS, "word/document.xml": DOCX_BODY}


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """The outside probe's CV: about 1 MB, a well-formed DOCX but for a picture of 1 GiB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in DOCX_TEXT.items():
            z.writestr(name, text)
        with z.open("word/media/image1.png", "w", force_zip64=True) as part:
            zeros = bytes(1 << 20)
            for _ in range(1024):
                part.write(zeros)
    return buffer.getvalue()


def test_the_probes_zip_bomb_is_refused_at_once_and_in_little_memory(bomb: bytes) -> None:
    assert len(bomb) < 1_100_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        assert sniff(bomb) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 1 and peak < 10 * 1024 * 1024


def test_through_the_server_the_bomb_is_a_422_and_nothing_is_kept(client, settings, manifest, bomb) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    files = {
        "cv": ("cv.docx", bomb, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    }
    r = client.post(ACTION, data=good_answers(form), files=files, headers=JSON)
    assert r.status_code == 422 and r.json()["errors"] == {"cv": FORMAT}
    ok = client.post(ACTION, data=good_answers(form), files={"cv": ("cv.docx", docx(), "")}, headers=JSON)
    assert ok.status_code == 201, ok.text
    storage = open_storage(settings.database_url)
    try:
        [kept] = storage.applications(None)
        assert kept.answers["cv"]["filename"] == "cv.docx"
    finally:
        storage.close()


def lying(data: bytes, name: str, size: int) -> bytes:
    """`data` with the central directory telling `size` as the inflated size of part `name`."""
    raw = bytearray(data)
    at = raw.index(b"PK\x01\x02")
    while raw[at + 46 : at + 46 + struct.unpack_from("<H", raw, at + 28)[0]] != name.encode():
        at = raw.index(b"PK\x01\x02", at + 4)
    struct.pack_into("<I", raw, at + 24, size)
    return bytes(raw)


def archive(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (archive({k: v for k, v in DOCX_TEXT.items() if k != "_rels/.rels"}), "no relationships part"),
        (archive({k: v for k, v in DOCX_TEXT.items() if k != "word/document.xml"}), "no document part"),
        (archive({"[Content_Types].xml": DOCX_TYPES, "word/evil.exe": b"MZ"}), "a zip named .docx"),
        (lying(docx(), "word/document.xml", 10), "a part larger than the archive says"),
        (lying(docx(), "word/document.xml", 10_000), "a part smaller than the archive says"),
        (docx({"word/media/big.bin": bytes(MAX_INFLATED)}), "inflates past the limit"),
        (docx({f"word/p{n}.xml": b"<p/>" for n in range(MAX_PARTS)}), "too many parts"),
        (archive(DOCX_TEXT, zipfile.ZIP_LZMA), "compressed as no document is"),
        (archive({"mimetype": b"application/vnd.oasis.opendocument.text"}), "an ODT with no content"),
        (
            archive({"content.xml": b"<c/>", "META-INF/manifest.xml": b"<m/>", "mimetype": b"x"}),
            "odt, mimetype last",
        ),
    ],
)
def test_archives_that_are_not_documents_are_refused(data: bytes, why: str) -> None:
    assert sniff(data) is None, why


def test_an_encrypted_part_is_refused() -> None:
    raw = bytearray(docx())
    at = raw.index(b"PK\x01\x02")
    struct.pack_into("<H", raw, at + 8, struct.unpack_from("<H", raw, at + 8)[0] | 0x1)
    assert sniff(bytes(raw)) is None


def test_real_shaped_documents_pass() -> None:
    assert sniff(docx()) == ".docx" and sniff(odt()) == ".odt"
    assert sniff(docx({"word/media/image1.png": bytes(MAX_INFLATED // 2)})) == ".docx"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from([".docx", ".odt"]),
    left_out=st.sets(st.integers(0, 2), max_size=2),
    extra=st.dictionaries(
        st.from_regex(r"(word|media|Pictures)/[a-z]{1,8}\.(xml|png|bin)", fullmatch=True),
        st.integers(0, MAX_INFLATED // 3),
        max_size=4,
    ),
    method=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2]),
)
def test_an_archive_is_a_document_exactly_when_it_holds_the_parts_within_the_limits(
    kind: str, left_out: set[int], extra: dict[str, int], method: int
) -> None:
    required = DOCX_PARTS if kind == ".docx" else ODT_PARTS
    parts = {
        name: b"application/vnd.oasis.opendocument.text" if name == "mimetype" else b"<x/>"
        for name in required
    }
    parts = {name: data for n, (name, data) in enumerate(parts.items()) if n not in left_out}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data, zipfile.ZIP_STORED if name == "mimetype" else method)
        for name, size in extra.items():
            z.writestr(name, bytes(size), method)
    total = sum(map(len, parts.values())) + sum(extra.values())
    expected = kind if not left_out and total <= MAX_INFLATED and method != zipfile.ZIP_BZIP2 else None
    assert sniff(buffer.getvalue()) == expected


def multipart(boundary: str, parts: str) -> tuple[bytes, str]:
    return parts.replace("{b}", boundary).encode("latin-1"), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        multipart("B" * 257, '--{b}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--{b}--\r\n'),
        multipart("B" * 5000, "--{b}--\r\n"),
        multipart("B", "--{b}\r\nX-Long: " + "x" * 20_000 + "\r\n\r\n1\r\n--{b}--\r\n"),
        multipart("B", "--{b}\r\n" + "".join(f"X-{n}: y\r\n" for n in range(200)) + "\r\n1\r\n--{b}--\r\n"),
        multipart("B", "--{b}\r\nContent-Disposition: form-data\r\n\r\n1\r\n--{b}--\r\n"),
        multipart("B", "--{b}X\r\n"),
    ],
)
def test_multipart_bodies_the_parser_refuses_are_400(body: bytes, content_type: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_body(body, content_type, 100)
    assert refused.value.status == 400 and "multipart body" in refused.value.message


def every_error(kind: type[Exception]) -> list[type[Exception]]:
    return [kind] + [e for sub in kind.__subclasses__() for e in every_error(sub)]


@pytest.mark.parametrize(
    "error",
    sorted(set(every_error(multipart_errors.FormParserError)), key=lambda e: e.__name__)
    + [IndexError, KeyError, TypeError, ValueError],
    ids=lambda e: e.__name__,
)
def test_every_error_the_multipart_parser_raises_is_a_400(
    monkeypatch, client, error: type[Exception]
) -> None:  # noqa: ANN001
    """The parser's own exception types, all of them (and the plain errors a bug in it would
    raise), as raised from inside it, through the real server."""
    assert {"FormParserError", "ParseError", "MultipartParseError", "DecodeError"} <= {
        e.__name__ for e in every_error(multipart_errors.FormParserError)
    }

    def fail(self, data: bytes) -> int:  # noqa: ANN001
        raise error("the parser gave up")

    monkeypatch.setattr(MultipartParser, "write", fail)
    body, content_type = multipart(
        "B", '--{b}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--{b}--\r\n'
    )
    for accept in (JSON, {"Accept": "text/html"}):
        r = client.post(ACTION, content=body, headers={**accept, "Content-Type": content_type})
        assert r.status_code == 400 and "Traceback" not in r.text, r.text
