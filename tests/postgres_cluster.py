"""A throwaway PostgreSQL cluster for the suite and the bench: made, started, stopped, removed.

Debian's `postgresql` package (installed by the Makefile) provides initdb and pg_ctl. PostgreSQL
refuses to run as root, so as root they run as the `postgres` system user the package creates,
in a temporary folder that user owns; as anyone else, as that user. The cluster listens on a
free loopback port and on a socket in its own folder, trusts local connections, and is removed
with everything in it when the session ends.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql


def _binaries() -> Path | None:
    """The folder with initdb and pg_ctl: $PG_BIN, Debian's newest, or the PATH's."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    installed = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if Path(p, "initdb").exists()]
    if installed:
        return max(installed, key=lambda p: int(p.parent.name))
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def why_unavailable() -> str | None:
    """Why no cluster can be made on this machine (None: one can)."""
    binaries = _binaries()
    if binaries is None:
        return "PostgreSQL is not installed (make test installs Debian's postgresql package when root)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no postgres system user to run PostgreSQL as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """`with Cluster() as pg:` a running cluster; `pg.url(name)` a database's URL."""

    def __init__(self, settings: dict[str, str] | None = None, parent: Path | None = None) -> None:
        """`settings`: server settings (-c) over the defaults; `parent`: the folder to make the
        cluster in (default: the temporary folder; the bench wants a real disk, not /dev/shm)."""
        reason = why_unavailable()
        if reason:
            raise RuntimeError(reason)
        self.bin = _binaries()
        self.settings = {"max_connections": "200", "shared_buffers": "128MB", **(settings or {})}
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="recruit-pg-", dir=parent))
        self.data = self.folder / "data"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self.superuser = "postgres" if self.as_postgres else pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=True, cwd=self.folder)

    def __enter__(self) -> Cluster:
        try:
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                self.superuser,
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
            self.start()
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def start(self) -> None:
        options = " ".join(
            [f"-p {self.port}", f"-k {self.folder}", "-c listen_addresses=127.0.0.1"]
            + [f"-c {key}={value}" for key, value in self.settings.items()]
        )
        log = str(self.folder / "log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: 'fast' (clean) or 'immediate' (as a crash: no checkpoint)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.superuser}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url(database), autocommit=True)

    def create_database(self, name: str) -> str:
        """A new empty database (dropped first if it is there), and its URL."""
        with self.connect() as db:
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)
