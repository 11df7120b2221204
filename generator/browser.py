"""Find and launch Chromium for Playwright: a system Chromium first, Playwright's own otherwise."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

# Chromium's headless shell first: the browser without the parts a window needs, which Playwright
# itself runs for headless work; every page, axe run and screenshot costs less CPU in it. Then
# the full browser (Lighthouse needs it).
SHELLS = ("/usr/lib/chromium/chromium-headless-shell", "chromium-headless-shell", "chrome-headless-shell")
CANDIDATES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
# Flags that let Chromium run as root in a container and stop it calling out to the network.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def system_chromium(shell: bool = True) -> Path | None:
    """$RECRUIT_CHROMIUM, else the headless shell (unless `shell` is False), else the first
    Chromium on PATH; None when there is none."""
    pinned = os.environ.get("RECRUIT_CHROMIUM")
    if pinned:
        return Path(pinned) if Path(pinned).is_file() else None
    for name in (*(SHELLS if shell else ()), *CANDIDATES):
        found = name if os.path.isabs(name) and os.access(name, os.X_OK) else shutil.which(name)
        if found:
            return Path(found)
    return None


def launch(playwright: Any, **options: Any) -> Any:
    """A headless Chromium browser; raises RuntimeError with a fix-it hint when none is found."""
    executable = system_chromium()
    kwargs: dict[str, Any] = {"headless": True, "args": ARGS, **options}
    if executable is not None:
        kwargs["executable_path"] = str(executable)
    try:
        return playwright.chromium.launch(**kwargs)
    except Exception as exc:  # Playwright raises its own Error type for a missing browser
        raise RuntimeError(
            "no Chromium to drive: install Debian's `chromium` package (make test does), "
            "set RECRUIT_CHROMIUM to a Chromium binary, or run `playwright install chromium`"
            f" ({exc.__class__.__name__}: {str(exc).splitlines()[0]})"
        ) from None
