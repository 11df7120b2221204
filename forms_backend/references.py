"""Application references such as WOL-7K3QX9MD: the council's short code and 8 random characters.

The alphabet leaves out look-alikes (0/O, 1/I/L), so a reference read over the phone or typed
from a letter comes out right: 31 characters, 31**8 (about 8.5e11) references per council.
Uniqueness is the database's UNIQUE constraint; storage draws again on a collision.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
# What the page script and the thank-you page accept (apply.js: /^[A-Z]{2,4}-[A-Z0-9]{6,10}$/).
PATTERN = re.compile(r"[A-Z]{2,4}-[A-Z0-9]{6,10}")


def new_reference(code: str) -> str:
    """`code` and LENGTH characters drawn uniformly from ALPHABET, from one call for randomness."""
    number = secrets.randbelow(len(ALPHABET) ** LENGTH)
    chars = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return f"{code}-" + "".join(chars)


def is_reference(text: str) -> bool:
    return PATTERN.fullmatch(text or "") is not None
