"""LOGBOOK_DB naming a folder instead of a file: one clear message from the store, the CLI and the server."""

import json

import pytest
from tornado.httpclient import HTTPClientError

from logbook.cli.main import main
from logbook.errors import LogbookUnavailable
from logbook.store.core import Store

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def folder_as_logbook(tmp_path, monkeypatch):
    folder = tmp_path / "logbooks"
    folder.mkdir()
    monkeypatch.setenv("LOGBOOK_DB", str(folder))
    return folder


def test_the_store_says_the_variable_names_a_folder(folder_as_logbook):
    with pytest.raises(LogbookUnavailable) as refused:
        Store()
    assert str(refused.value) == (
        f"LOGBOOK_DB points to a folder: {folder_as_logbook}. "
        f"Name a file instead, e.g. {folder_as_logbook / 'logbook.db'}"
    )


def test_a_folder_given_directly_is_refused_too(tmp_path):
    with pytest.raises(LogbookUnavailable, match="the logbook path is a folder"):
        Store(tmp_path)


def test_the_command_line_says_so(folder_as_logbook, capsys):
    assert main(["list"]) == 2
    assert capsys.readouterr().err == (
        f"logbook: LOGBOOK_DB points to a folder: {folder_as_logbook}. "
        f"Name a file instead, e.g. {folder_as_logbook / 'logbook.db'}\n"
    )


@pytest.fixture
def jp_server_config(jp_server_config):
    return {"ServerApp": {"jpserver_extensions": {"logbook.server": True}}}


async def test_every_route_of_the_server_says_so(folder_as_logbook, jp_fetch):
    for route in ("status", "hypotheses", "experiments", "brainstorms"):
        with pytest.raises(HTTPClientError) as refused:
            await jp_fetch("logbook", "api", route)
        body = json.loads(refused.value.response.body)
        assert refused.value.code == 503
        assert body.get("error", body.get("message")).startswith("LOGBOOK_DB points to a folder")
