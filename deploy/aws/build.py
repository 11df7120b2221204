"""Package the form backend for AWS Lambda into deploy/aws/build/function/ (template.yaml's CodeUri).

    .venv/bin/recruit build                      # dist/: the sites and dist/_forms/manifest.json
    .venv/bin/python deploy/aws/build.py         # for arm64, the template's default
    .venv/bin/python deploy/aws/build.py --arch x86_64

The folder holds what the backend imports, as pip installs it for Lambda's Linux whatever machine
runs this (manylinux wheels for Python 3.12 on the chosen architecture, pinned as pyproject.toml
pins them), the forms_backend package, and the built sites in dist/: the manifest, and the apply
pages and 404 pages the backend fills in for browsers without JavaScript. The generator and its
packages (Playwright, Pillow, Markdown) are left out: Lambda never builds a site. Jinja goes in,
for the workspace's pages.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = HERE / "build" / "function"
PYTHON = "3.12"  # template.yaml's Runtime, python3.12
# pip takes a wheel for any of these (Lambda's python3.12 runs on Amazon Linux 2023, glibc 2.34).
PLATFORMS = {
    "arm64": ("manylinux2014_aarch64", "manylinux_2_28_aarch64"),
    "x86_64": ("manylinux2014_x86_64", "manylinux_2_28_x86_64"),
}
# The projects of pyproject.toml's dependencies that forms_backend imports. Theirs (anyio, idna,
# soupsieve, dnspython...) come with them. boto3 is Lambda's own.
BACKEND_PACKAGES = (
    "beautifulsoup4",
    "click",
    "email-validator",
    "jinja2",
    "mangum",
    "phonenumbers",
    "psycopg",
    "psycopg-pool",
    "python-multipart",
    "starlette",
)


def project_name(requirement: str) -> str:
    """'psycopg[binary]>=3.2,<4' -> 'psycopg' (lower case, '_' and '.' as '-')."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    if match is None:
        raise ValueError(f"not a requirement: {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The backend's requirements, exactly as pyproject.toml writes them (pins and extras)."""
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    chosen = [line for line in declared if project_name(line) in BACKEND_PACKAGES]
    missing = set(BACKEND_PACKAGES) - {project_name(line) for line in chosen}
    if missing:
        raise SystemExit(f"pyproject.toml no longer lists {', '.join(sorted(missing))}: update build.py")
    return chosen


def pip_command(target: Path, arch: str, wanted: list[str]) -> list[str]:
    """pip installing `wanted` into `target` for Lambda's Python on `arch`, wheels only."""
    platforms = [arg for tag in PLATFORMS[arch] for arg in ("--platform", tag)]
    return [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        "--target", str(target), "--implementation", "cp", "--python-version", PYTHON,
        *platforms, "--only-binary=:all:", "--upgrade", *wanted,
    ]  # fmt: skip


def copy_sources(root: Path, dist: Path, target: Path) -> None:
    """forms_backend/ (without caches) and the built sites, as target/forms_backend and target/dist."""
    if not (dist / "_forms" / "manifest.json").is_file():
        raise SystemExit(f"{dist / '_forms' / 'manifest.json'} is missing: run `recruit build` first")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(root / "forms_backend", target / "forms_backend", ignore=ignore, dirs_exist_ok=True)
    shutil.copytree(dist, target / "dist", dirs_exist_ok=True)


def size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=sorted(PLATFORMS), default="arm64", help="the function's")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="the built sites (default: dist)")
    parser.add_argument("--out", type=Path, default=OUT, help="the folder to write (emptied first)")
    args = parser.parse_args(argv)
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copy_sources(ROOT, args.dist, out)
    subprocess.run(pip_command(out, args.arch, requirements()), check=True)
    megabytes = size(out) / 1024 / 1024
    print(f"{out}: {megabytes:.0f} MB unzipped for {args.arch} (Lambda allows 250 MB). Next: sam deploy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
