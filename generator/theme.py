"""The theme chain: a council's templates/ over the chosen theme over themes/default.

An override can extend the template it replaces with `{% extends "!default/landing.html" %}`
(or `"!theme/..."` for the region's chosen theme).
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from . import jsonld
from .markdown import Markdown

DEFAULT_THEME = "default"
# The themes that come with the generator, for projects that do not carry their own copy.
BUILTIN_THEMES = Path(__file__).resolve().parent.parent / "themes"


def theme_dir(root: Path, name: str) -> Path | None:
    """A theme folder: the project's own themes/NAME first, then the generator's."""
    for base in (root / "themes", BUILTIN_THEMES):
        if (base / name / "templates").is_dir():
            return base / name
    return None


def theme_names(root: Path) -> list[str]:
    return sorted(
        {
            p.name
            for base in (root / "themes", BUILTIN_THEMES)
            if base.is_dir()
            for p in base.iterdir()
            if (p / "templates").is_dir()
        }
    )


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the build cache's folder, so each build process need not compile
    them again (Jinja checks each template's source against what was compiled)."""
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only project: compile every time
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


class ThemeChain:
    """Template folders in lookup order, and the Jinja environment built over them."""

    def __init__(
        self,
        root: Path,
        theme: str,
        council_templates: Path | None = None,
        compiled: Path | None = None,  # where to keep compiled templates (none kept without it)
        markdown: Markdown | None = None,  # the build cache's, so its texts are converted once
    ):
        self.root = root
        base = theme_dir(root, DEFAULT_THEME) or BUILTIN_THEMES / DEFAULT_THEME
        chosen = theme_dir(root, theme) or base
        dirs = []
        if council_templates is not None and council_templates.is_dir():
            dirs.append(council_templates)
        if chosen != base:
            dirs.append(chosen / "templates")
        dirs.append(base / "templates")
        self.dirs = dirs
        self.static_dirs = [d for d in (chosen / "static", base / "static") if d.is_dir()]
        prefixes = {
            "!default": jinja2.FileSystemLoader(base / "templates"),
            "!theme": jinja2.FileSystemLoader(chosen / "templates"),
        }
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(
                [jinja2.PrefixLoader(prefixes, delimiter="/"), jinja2.FileSystemLoader(dirs)]
            ),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # one build, one set of templates: no stat() per page
            bytecode_cache=_bytecode_cache(compiled),
        )
        self._selected: dict[tuple[str, ...], jinja2.Template] = {}
        markdown = markdown or Markdown()
        self.env.filters["markdown"] = markdown.html
        # a council template's `| tojson` is as safe in a <script> as the generator's own JSON
        self.env.policies["json.dumps_function"] = jsonld.dumps
        self.env.filters["markdown_inline"] = markdown.inline

    def select(self, names: list[str]) -> jinja2.Template:
        """The most specific template that exists, e.g. landing-<campaign>.html then landing.html."""
        key = tuple(names)
        if key not in self._selected:
            self._selected[key] = self.env.select_template(names)
        return self._selected[key]

    def static_file(self, name: str) -> Path:
        for folder in self.static_dirs:
            if (folder / name).is_file():
                return folder / name
        raise FileNotFoundError(name)
