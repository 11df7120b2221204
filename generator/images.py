"""Smaller copies of raster images, so a phone downloads a picture the size of its screen.

`variants` is pure (bytes in, bytes out) and deterministic: the same source gives the same bytes
in every build, so builds stay byte-reproducible and its results can be cached by content hash.
"""

from __future__ import annotations

import io

from PIL import Image, ImageCms, ImageOps

WIDTHS = (480, 960, 1440)
RASTER = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
# Fixed encoder settings; no metadata (EXIF, ICC, text chunks) is copied into a variant.
SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "PNG": {"optimize": True},
    "JPEG": {"quality": 82, "optimize": True, "progressive": True, "subsampling": "4:2:0"},
    "WEBP": {"quality": 80, "method": 6},
}


def is_raster(suffix: str) -> bool:
    return suffix.lower() in RASTER


def _upright(image: Image.Image) -> Image.Image:
    """The picture as browsers show it: EXIF orientation applied."""
    return ImageOps.exif_transpose(image) or image


def _plain(image: Image.Image, kind: str) -> Image.Image:
    """RGB or RGBA in sRGB, with no metadata left to copy (a colour profile is applied, not kept)."""
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if alpha and kind != "JPEG" else "RGB"
    profile = image.info.get("icc_profile")
    plain = image.convert(mode)
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            plain = ImageCms.profileToProfile(plain, source, ImageCms.createProfile("sRGB"), outputMode=mode)
        except (ImageCms.PyCMSError, OSError):
            pass  # an unreadable profile: keep the pixels as they are
    plain.info = {}
    return plain


def variants(source_bytes: bytes, suffix: str) -> list[tuple[int, int, bytes]]:
    """(width, height, bytes) for each of WIDTHS narrower than the source; never upscaled.

    The source itself stays the widest candidate, so it is not among them.
    """
    kind = RASTER.get(suffix.lower())
    if kind is None:
        return []
    with Image.open(io.BytesIO(source_bytes)) as opened:
        image = _plain(_upright(opened), kind)
    found = []
    for width in WIDTHS:
        if width >= image.width:
            break
        height = max(1, round(image.height * width / image.width))
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, kind, **SAVE_OPTIONS[kind])
        found.append((width, height, buffer.getvalue()))
    return found


def display_size(image: Image.Image) -> tuple[int, int]:
    """Width and height as shown (EXIF orientations 5-8 turn the picture a quarter)."""
    turned = image.getexif().get(0x0112) in (5, 6, 7, 8)
    return (image.height, image.width) if turned else image.size
