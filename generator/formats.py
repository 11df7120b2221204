"""The text formats content values take (slugs, addresses, web addresses, colours, postcodes),
as pydantic types: the content model's and the form's, written once."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# An email's body written in site.toml (a message to an applicant), several lines allowed.
Message = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
# An address alone: no name, quotes, angle brackets or control characters, which would be written
# into the To: and Reply-To: headers of every message as they are.
_ADDRESS_CHAR = r'[^@\s<>"(),;:\\\[\]\x00-\x1f\x7f-\x9f]'
EMAIL_PATTERN = rf"^{_ADDRESS_CHAR}+@{_ADDRESS_CHAR}+\.{_ADDRESS_CHAR}+$"
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=EMAIL_PATTERN)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https?://[^\s/]+(/\S*)?$")]
Colour = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^#[0-9a-fA-F]{6}$")]
# The UK postcode rule, written once: a role's location, and the form's postcode question, whose
# pattern in the manifest the backend checks answers by (after normalising them to "WV1 1SH").
UK_POSTCODE = r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$"
Postcode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=UK_POSTCODE)]
