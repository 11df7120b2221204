"""Parts of a page rendered once per council and reused while that council and the theme are unchanged.

The hub lists every open campaign of every council, so rendering every council's rows again
would make a one-campaign edit wait for all of them. The hub renders each council's rows with
`part(template, council)` instead; a part is rendered again only when its council's view is a new
object (views.build_views keeps it while everything loaded for the council is unchanged) or
when anything else a part can see changed: the theme chain (the same object while its files are
unchanged), the region, the site, the date, the page it is on. The BuildCache keeps the parts
between builds (the identity rule: generator/cache.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .contract import check_part
from .models import Region
from .theme import ThemeChain
from .views import CouncilView

if TYPE_CHECKING:
    from .cache import BuildCache


class Setting:
    """What every council's part on one page depends on besides the council (compared by identity
    once it has been found equal to the last build's)."""

    def __init__(self, key: tuple[Any, ...]) -> None:
        self.key = key


class Parts:
    """`part(template, council)` for one page: each council's part, rendered or as last rendered."""

    def __init__(
        self,
        cache: BuildCache,
        chain: ThemeChain,
        path: str,
        region: Region,
        site: Any,
        today: dt.date,
        base_url: str | None,
        rel: Callable[[str], str],
    ) -> None:
        key = (chain, region, site, today, base_url)
        setting = cache.part_settings.get(path)
        if setting is None or setting.key != key:
            setting = cache.part_settings[path] = Setting(key)
        self.setting, self.chain = setting, chain
        self.context = {"region": region, "site": site, "today": today, "rel": rel}
        self.known = cache.parts.get(path, {})
        self.used: dict[tuple[str, str], tuple[Setting, CouncilView, Markup]] = {}
        cache.parts[path] = self.used  # what this render used: councils gone are forgotten

    def __call__(self, template: str, council: CouncilView) -> Markup:
        key = (template, council.slug)
        kept = self.known.get(key)
        if kept is None or kept[0] is not self.setting or kept[1] is not council:
            context = {**self.context, "council": council}
            check_part(context)
            html = Markup(self.chain.select([template]).render(context))
            kept = (self.setting, council, html)
        self.used[key] = kept
        return kept[2]
