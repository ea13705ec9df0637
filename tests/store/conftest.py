"""The store's tests run against each database it supports: a SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import os

import pytest

from tests.store.postgres import PostgresServer, PostgresUnavailable


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server started for this test run and stopped after it. In CI (`CI` set) a server that
    cannot start fails the tests: they must never be skipped there."""
    try:
        server = PostgresServer()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the PostgreSQL tests must run in CI, but the server did not start: {exc}")
        pytest.skip(f"no PostgreSQL server for the tests ({exc}); scripts/setup.sh installs it")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> str:
    """A URL of an empty database of the parametrized kind."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres").new_database()
    return f"sqlite:///{tmp_path / 'sessions.db'}"
