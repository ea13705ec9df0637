"""Database URLs: the plain `postgresql://` form of the README opens the server with psycopg (version 3)."""

from __future__ import annotations

import pytest

from rehearse.app.runtime import check_db_url
from rehearse.store import SessionStore
from rehearse.store.db import database_url


@pytest.mark.parametrize(
    ("given", "opened"),
    [
        ("postgresql://kim@team/rehearse", "postgresql+psycopg://kim@team/rehearse"),
        ("postgres://kim:pw@team:5433/rehearse", "postgresql+psycopg://kim:pw@team:5433/rehearse"),
        ("postgresql+psycopg://kim@team/rehearse", "postgresql+psycopg://kim@team/rehearse"),
        ("postgresql+psycopg2://kim@team/rehearse", "postgresql+psycopg2://kim@team/rehearse"),
        ("sqlite:////tmp/rehearse.db", "sqlite:////tmp/rehearse.db"),
        ("notaurl", "notaurl"),
    ],
)
def test_plain_postgresql_urls_use_psycopg_and_others_are_left_as_given(given, opened):
    assert database_url(given) == opened


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_plain_postgresql_url_opens_the_server(postgres, tmp_path, scheme):
    url = postgres.new_database().replace("postgresql+psycopg://", f"{scheme}://")
    check_db_url(url)
    store = SessionStore(url=url, folder=tmp_path)
    assert store.on_postgresql
    assert store.session(store.start_session("kim", "internet-outage", seed=0))["learner"] == "kim"
