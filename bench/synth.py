"""A synthetic region of realistic size, for the build benchmarks.

`python -m bench.synth OUT --councils 200 --campaigns 10 --roles 10` writes a project: each
council runs the three shared campaigns plus its own, each with `--roles` roles of about 300
words, so Markdown repeats the way real shared campaigns repeat it.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ("come-back-to-care", "step-up-now", "time-to-care")
WORDS = [
    "care",
    "support",
    "people",
    "home",
    "team",
    "training",
    "council",
    "adults",
    "families",
    "independence",
    "assess",
    "plan",
    "review",
    "carers",
    "health",
    "community",
    "visit",
    "listen",
    "help",
    "safe",
    "well",
    "skills",
    "experience",
    "flexible",
    "shifts",
    "mentor",
    "supervision",
    "pension",
    "leave",
    "development",
    "progress",
    "local",
    "service",
    "quality",
]


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def role_yaml(rng: random.Random, c: int, k: int, r: int) -> str:
    description = "\n\n".join(paragraph(rng, 60) for _ in range(4)).replace("\n", "\n      ")
    return f"""\
  - slug: role-{r}
    title: Care role {r} ({k})
    employment_type: {rng.choice(["full-time", "part-time", "temporary"])}
    hours: {rng.choice([22, 30, 37])} hours a week
    salary: {{min: {24000 + r * 500}, max: {28000 + r * 500}}}
    location: {{name: "Office {r}, Town {c}", postcode: "WV{1 + r % 9} {1 + c % 9}AB"}}
    description: |
      {description}
    essential:
      - {paragraph(rng, 8)}
      - {paragraph(rng, 8)}
    desirable:
      - {paragraph(rng, 8)}
    reference: REF-{c}-{k}-{r}
"""


def write_region(out: Path, councils: int, campaigns: int, roles: int, seed: int = 1) -> Path:
    """Write the project to `out` (replacing it) and return it."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "campaigns").mkdir(parents=True)
    shutil.copy(ROOT / "site.toml", out / "site.toml")
    shutil.copytree(ROOT / "campaigns" / "_shared", out / "campaigns" / "_shared")
    logo = (ROOT / "campaigns" / "wolverhampton" / "assets" / "logo.svg").read_bytes()
    for c in range(councils):
        folder = out / "campaigns" / f"council-{c:03d}"
        (folder / "assets").mkdir(parents=True)
        (folder / "assets" / "logo.svg").write_bytes(logo)
        code = "".join(chr(65 + (c // 26**i) % 26) for i in range(3))
        (folder / "council.yaml").write_text(f"""\
name: Council {c}
short_name: Council {c}
code: {code}
website: https://www.council-{c}.example
brand: {{primary: "#00573f", secondary: "#00573f", logo: assets/logo.svg, logo_alt: Council {c}}}
contact: {{email: jobs@council-{c}.example, phone: "01632 960 001"}}
data_controller: {{name: Council {c}, address: "Town Hall, Town {c}", dpo_email: dpo@council-{c}.example}}
notifications: [hr@council-{c}.example]
""")
        for k in range(campaigns):
            roles_text = "".join(role_yaml(rng, c, k, r) for r in range(roles))
            if k < len(SHARED):
                head = f"extends: {SHARED[k]}\ntitle: Campaign {k} in Council {c}\n"
            else:
                head = f"""\
title: Campaign {k} in Council {c}
hashtag: Campaign{k}
audience: People who want to work in care.
opens: 2026-04-01
closes: 2027-03-31
hero: {{headline: Care is a career, intro: Join our adult social care teams.}}
body: |
  {paragraph(rng, 80)}

  {paragraph(rng, 80)}
sharing: {{text: Care jobs in Council {c}}}
"""
            (folder / f"campaign-{k}.yaml").write_text(head + "roles:\n" + roles_text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--councils", type=int, default=200)
    parser.add_argument("--campaigns", type=int, default=10)
    parser.add_argument("--roles", type=int, default=10)
    args = parser.parse_args()
    write_region(args.out, args.councils, args.campaigns, args.roles)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
