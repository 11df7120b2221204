"""dist/_headers: the headers a static host sends (Netlify, Cloudflare Pages).

The pages need no inline script or style, so the Content-Security-Policy allows only the site's
own files, and the form backend's origin when it lives on another host (forms post there, and
page views are counted there). Stylesheets, scripts and
images have content-hashed names, so browsers may keep them for a year: a changed file gets a
new name, and the pages that use it link the new one.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def content_security_policy(backend_url: str) -> str:
    parts = urlsplit(backend_url)
    backend = f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data:{backend}",  # the view counter's image, without JavaScript
            "font-src 'self'",
            f"connect-src 'self'{backend}",
            f"form-action 'self'{backend}",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


HEADERS = {
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


IMMUTABLE = "public, max-age=31536000, immutable"
# Folders of fingerprinted files: the hub's, and each council's (also at a council domain's root).
FINGERPRINTED = ("/_static/*", "/_assets/*", "/*/_static/*", "/*/_assets/*")


def headers_file(backend_url: str) -> str:
    """The `_headers` file for the folder published at a site's root."""
    lines = [
        "# Security headers for every page (Netlify and Cloudflare Pages read this file).",
        "# Written by `recruit build`; see the README for other hosts.",
        "/*",
        f"  Content-Security-Policy: {content_security_policy(backend_url)}",
    ]
    lines += [f"  {name}: {value}" for name, value in HEADERS.items()]
    lines.append("# Fingerprinted files (a new version gets a new name): cache for a year.")
    for pattern in FINGERPRINTED:
        lines += [pattern, f"  Cache-Control: {IMMUTABLE}"]
    return "\n".join(lines) + "\n"
