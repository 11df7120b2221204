"""What an uploaded CV really is, read from its bytes. Pure: bytes in, a verdict out.

A PDF and a Word 97 document are known by their first bytes. DOCX and ODT are zip archives,
so a file named cv.docx may be anything zipped, a zip bomb among them (a megabyte that inflates
to a gigabyte in the council's hands): an archive counts as a document only when it holds the
parts that make one, every part inflates to what the archive says and checks against its CRC,
and all of it together inflates to at most MAX_INFLATED bytes.
"""

from __future__ import annotations

import io
import zipfile

OLE = bytes.fromhex("D0CF11E0A1B11AE1")
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX_PARTS = ("[Content_Types].xml", "_rels/.rels", "word/document.xml")
ODT_PARTS = ("mimetype", "content.xml", "META-INF/manifest.xml")

# A CV of 5 MB, pictures and all, inflates to a few times that; ten times the largest upload
# leaves room for any real document and none for a bomb.
MAX_INFLATED = 50 * 1024 * 1024
# Word writes a few dozen parts, a document full of pictures a few hundred.
MAX_PARTS = 2_000
# Office and LibreOffice store or deflate their parts; nothing else is a document's.
METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
CHUNK = 1024 * 1024
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError)


def sniff(data: bytes) -> str | None:
    """The document type the bytes really are ('.pdf', '.doc', '.docx', '.odt'), or None."""
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(OLE):
        return ".doc"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _archive_type(archive)
    except _ZIP_ERRORS:
        return None


def _archive_type(archive: zipfile.ZipFile) -> str | None:
    infos = archive.infolist()
    if not infos or len(infos) > MAX_PARTS:
        return None
    names = {info.filename for info in infos}
    if all(part in names for part in ODT_PARTS):
        mimetype = infos[0]  # ODF puts it first, stored, so a program can read it at a fixed offset
        if mimetype.filename != "mimetype" or mimetype.file_size > 100:
            return None
        kind = ".odt" if archive.read(mimetype).strip() == ODT_MIMETYPE else None
    elif all(part in names for part in DOCX_PARTS):
        kind = ".docx"
    else:
        return None
    return kind if _inflates_within(archive, infos) else None


def _inflates_within(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> bool:
    """Every part unencrypted, stored or deflated, inflating to its stated size and CRC (zipfile
    checks both as it reads), and the stated sizes together within MAX_INFLATED. Reading stops
    at a part's stated size, so the sum bounds the work too."""
    if sum(info.file_size for info in infos) > MAX_INFLATED:
        return False
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in METHODS:
            return False
        read = 0
        with archive.open(info) as part:
            while chunk := part.read(CHUNK):
                read += len(chunk)
        if read != info.file_size:
            return False
    return True
