"""favicon.ico for the region's root: browsers and crawlers ask for it whatever the page says."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from .colour import parse_hex


def favicon_ico(primary: str, text: str) -> bytes:
    """A rounded square in the brand colour with a heart, at 16, 32 and 48 pixels."""
    size = 96
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=18, fill=parse_hex(primary))
    colour = parse_hex(text)
    r = 13  # a heart: two circles over a triangle
    draw.ellipse((48 - 2 * r - 2, 30, 48 - 2, 30 + 2 * r), fill=colour)
    draw.ellipse((50, 30, 50 + 2 * r, 30 + 2 * r), fill=colour)
    draw.polygon([(48 - 2 * r - 1, 46), (48 + 2 * r + 1, 46), (48, 76)], fill=colour)
    out = io.BytesIO()
    image.save(out, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return out.getvalue()
