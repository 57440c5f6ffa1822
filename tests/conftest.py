"""Shared fixtures: every test gets its own logbook file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from logbook.api import session
from logbook.store.core import Store


@pytest.fixture(scope="session", autouse=True)
def own_secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This test run signs predictions with a secret of its own, never the user's."""
    secret = tmp_path_factory.mktemp("secret") / "logbook_secret"
    previous = os.environ.get("LOGBOOK_SECRET_FILE")
    os.environ["LOGBOOK_SECRET_FILE"] = str(secret)
    yield secret
    if previous is None:
        os.environ.pop("LOGBOOK_SECRET_FILE", None)
    else:
        os.environ["LOGBOOK_SECRET_FILE"] = previous


@pytest.fixture
def logbook_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh logbook path, also set as LOGBOOK_DB for this process and its kernels."""
    path = tmp_path / "project" / ".logbook" / "logbook.db"
    path.parent.mkdir(parents=True)
    monkeypatch.setenv("LOGBOOK_DB", str(path))
    monkeypatch.chdir(path.parent.parent)
    session.reset()
    yield path
    session.reset()


@pytest.fixture
def store(logbook_db: Path) -> Store:
    with Store(logbook_db) as opened:
        yield opened
