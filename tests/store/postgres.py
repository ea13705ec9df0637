"""A real PostgreSQL server for the tests: `initdb` into a temp folder, `pg_ctl start` on a free port.

The server refuses to run as root (as the tests do here and in CI): then it runs as the unprivileged
`nobody`, owning the folder. The superuser `postgres` logs in over the folder's unix socket (trust); every
other role over TCP with its password, as a learner or trainer on another machine would.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from sqlalchemy import make_url


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries here, or the server did not start (the message says why)."""


class PostgresServer:
    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            raise PostgresUnavailable("no /usr/lib/postgresql/*/bin/pg_ctl: install the 'postgresql' package")
        self.bin = Path(found[-1]).parent
        self.folder = Path(tempfile.mkdtemp(prefix="rehearse-pg-"))
        self.port = _free_port()
        self._names = itertools.count(1)
        self._as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        if self._as_user:
            shutil.chown(self.folder, "nobody", "nogroup")
        self._run("initdb", "-D", "data", "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", "data", "-l", "server.log", "-w", "-o", options, "start")

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*self._as_user, str(self.bin / program), *args], cwd=self.folder, capture_output=True, text=True
        )
        if done.returncode != 0:
            log = self.folder / "server.log"
            detail = (done.stderr or done.stdout).strip() + (f"\n{log.read_text()[-2000:]}" if log.exists() else "")
            raise PostgresUnavailable(f"{program} failed: {detail}")

    def admin(self, database: str = "postgres") -> psycopg.Connection:
        """A superuser connection (autocommit), for what only the server's owner may do."""
        return psycopg.connect(host=str(self.folder), port=self.port, user="postgres", dbname=database, autocommit=True)

    def new_database(self) -> str:
        """A fresh, empty database; returns its superuser URL."""
        name = f"test{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://postgres@/{name}?host={self.folder}&port={self.port}"

    def login_url(self, database_url: str, user: str, password: str) -> str:
        """The URL a role logs in with over TCP, with its password."""
        name = make_url(database_url).database
        return f"postgresql+psycopg://{user}:{password}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._run("pg_ctl", "-D", "data", "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
