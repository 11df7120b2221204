"""The regional talent bank: joining from an application (joining.py), private links (links.py),
the person's own page (pages.py)."""
