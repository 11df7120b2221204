"""Checks across a file's parts, run on whatever in it is valid: a campaign's role slugs, dates
and field ids, each council's code, and the images a file names (which must exist)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .formats import Text
from .loading import Document, load_yaml
from .problems import Loc, Problem, cut, did_you_mean, shown
from .sites import CouncilSite
from .validate import Checked, problem_at

IMAGE_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif"}


def image_path(doc: Document, loc: Loc, src: str, problems: list[Problem]) -> Path | None:
    """Where an image named in a file really is: relative to the file that named it."""
    mark = doc.mark_for(loc)
    path = (mark.file.parent / src).resolve()
    if path.suffix.lower() not in IMAGE_TYPES:
        problems.append(
            problem_at(
                doc,
                loc,
                f"{shown(src)} is not an image type the web can show",
                "use .svg, .png, .jpg, .webp or .gif",
            )
        )
        return None
    try:
        found = path.is_file()
        folder = path.parent
        near = [] if found or not folder.is_dir() else [p.name for p in folder.iterdir()]
    except OSError as exc:  # a name longer than the system allows, a folder that cannot be read
        message = f"cannot open image {shown(src)} ({exc.strerror})"
        problems.append(problem_at(doc, loc, message, "correct the path"))
        return None
    if not found:
        guess = did_you_mean(path.name, near)
        where = os.path.relpath(folder, mark.file.parents[2])  # from the project folder
        problems.append(
            problem_at(
                doc,
                loc,
                f"image {shown(src)} does not exist (looked in {cut(where)}/)",
                f"did you mean '{guess}'?" if guess else "put the file there, or correct the path",
            )
        )
        return None
    return path


def check_campaign(checked: Checked, problems: list[Problem]) -> dict[Loc, Path]:
    """Checks across a campaign's parts (role slugs, dates, field ids, images), run on whatever
    in the file is valid; returns where each image is."""
    doc, get = checked.doc, checked.get
    opens, closes = get(("opens",), dt.date), get(("closes",), dt.date)
    seen: dict[str, int] = {}
    for i in range(checked.count(("roles",))):
        slug = get(("roles", i, "slug"), str)
        if slug is not None:
            if slug in seen:
                problems.append(
                    problem_at(
                        doc,
                        ("roles", i, "slug"),
                        f"role slug '{slug}' is used twice (also roles[{seen[slug]}])",
                        "each role needs its own slug: it is the role page's URL",
                    )
                )
            seen.setdefault(slug, i)
        role_closes = get(("roles", i, "closes"), dt.date)
        if role_closes and closes and role_closes > closes:
            problems.append(
                problem_at(
                    doc,
                    ("roles", i, "closes"),
                    f"the role closes ({role_closes}) after the campaign closes ({closes})",
                    "move the role's closing date earlier, or the campaign's later",
                )
            )
        if role_closes and opens and role_closes < opens:
            problems.append(
                problem_at(
                    doc,
                    ("roles", i, "closes"),
                    f"the role closes ({role_closes}) before the campaign opens ({opens})",
                )
            )
    ids: dict[str, int] = {}
    for i in range(checked.count(("form", "fields"))):
        fid = get(("form", "fields", i, "id"), str)
        if fid is None:
            continue
        if fid in ids:
            problems.append(
                problem_at(
                    doc,
                    ("form", "fields", i, "id"),
                    f"field id '{fid}' is used twice",
                    "give each question its own id",
                )
            )
        ids.setdefault(fid, i)
    images: dict[Loc, Path] = {}
    locs: list[Loc] = [("hero", "image"), ("sharing", "image")]
    locs += [("stories", i, "image") for i in range(checked.count(("stories",)))]
    for loc in locs:
        src = get(loc + ("src",), Text)
        if src is not None:
            path = image_path(doc, loc + ("src",), src, problems)
            if path:
                images[loc] = path
    return images


def check_codes(councils: list[CouncilSite], problems: list[Problem]) -> None:
    seen: dict[str, str] = {}
    for council in councils:
        code = council.model.code
        if code in seen:
            doc, _ = load_yaml(council.folder / "council.yaml")
            assert doc is not None  # it loaded cleanly moments ago
            problems.append(
                problem_at(
                    doc,
                    ("code",),
                    f"code '{code}' is also used by {seen[code]}",
                    "each council needs its own code: it starts application references",
                )
            )
        seen.setdefault(code, council.slug)
