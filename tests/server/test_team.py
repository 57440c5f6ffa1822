"""``GET team`` and the feed in a team project: a teammate's write moves the feed's team version alone, and
every author's records come attributed, with their file's state, through a real Jupyter server."""

import pytest

from logbook.store.core import Store
from tests.server import test_routes as test_server
from tests.server.test_feed import changed, feed_after

pytest_plugins = ["pytest_jupyter.jupyter_server"]

jp_server_config = test_server.jp_server_config
api = test_server.api


@pytest.fixture
def logbook_file(jp_root_dir, monkeypatch):
    """ana's own file in a team project the server serves."""
    path = jp_root_dir / ".logbook" / "authors" / "ana.db"
    path.parent.mkdir(parents=True)
    monkeypatch.setenv("LOGBOOK_DB", str(path))
    return path


def as_bob(monkeypatch, tmp_path):
    monkeypatch.setenv("LOGNAME", "bob")
    monkeypatch.setenv("USER", "bob")
    monkeypatch.setenv("LOGBOOK_SECRET_FILE", str(tmp_path / "bob-secret"))


async def test_a_teammates_write_moves_the_team_version_alone(api, logbook_file, monkeypatch, tmp_path):
    await api("POST", "hypotheses", {"statement": "head 0.1 copies the previous token", "credence": 0.6})
    start = await feed_after(api, -1)
    status, view = await api("GET", "team")
    assert status == 200 and view["team"] is True
    assert [(a["author"], a["mine"], a["hypotheses"]) for a in view["authors"]] == [("ana", True, 1)]
    assert [h["label"] for h in view["hypotheses"]] == ["H1"]

    with monkeypatch.context() as bob:
        as_bob(bob, tmp_path)
        with Store(logbook_file.with_name("bob.db")) as store:
            store.add_hypothesis("head 1.4 is an induction head", 0.7)
            store.add_manual_surprise("bob's attention pattern looks odd")
    after = await feed_after(api, start["revision"])
    assert changed(start, after) == {"team"}

    status, view = await api("GET", "team")
    assert [(a["author"], a["state"], a["open_surprises"]) for a in view["authors"]] == [
        ("ana", "ok", 0),
        ("bob", "ok", 1),
    ]
    assert [(h["label"], h["author"]) for h in view["hypotheses"]] == [("H1·ana", "ana"), ("H1·bob", "bob")]
    assert [(s["label"], s["what"]) for s in view["surprises"]] == [
        ("S1·bob", "flagged by hand: bob's attention pattern looks odd")
    ]
    status, only_bob = await api("GET", "team", author="bob")
    assert [h["label"] for h in only_bob["hypotheses"]] == ["H1·bob"] and len(only_bob["authors"]) == 2


async def test_a_damaged_teammate_is_shown_as_such_and_never_blocks_your_own_record(api, logbook_file):
    bob = logbook_file.with_name("bob.db")
    bob.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    before = bob.read_bytes()
    assert (await api("GET", "status"))[0] == 200  # the server has opened (made) ana's own file
    status, view = await api("GET", "team")
    assert status == 200
    assert [(a["author"], a["state"]) for a in view["authors"]] == [("ana", "ok"), ("bob", "damaged")]
    status, created = await api("POST", "hypotheses", {"statement": "still recording", "credence": 0.5})
    assert status == 201 and bob.read_bytes() == before
    assert sorted(p.name for p in bob.parent.iterdir() if "damaged" in p.name) == []
