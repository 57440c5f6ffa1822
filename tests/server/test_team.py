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


async def test_the_dashboard_charts_the_team_and_shows_a_teammates_own_charts(
    api, logbook_file, monkeypatch, tmp_path
):
    await api("POST", "hypotheses", {"statement": "head 0.1 copies the previous token", "credence": 0.6})
    status, solo = await api("GET", "dashboard")
    assert status == 200 and solo["authors"] == ["ana"] and solo["author"] is None
    assert "team-surprises" not in [c["id"] for c in solo["charts"]], "no teammate surprise to chart yet"

    with monkeypatch.context() as bob:
        as_bob(bob, tmp_path)
        with Store(logbook_file.with_name("bob.db")) as store:
            for n in range(3):
                store.add_hypothesis(f"head 1.{n} is an induction head", 0.7)
            store.add_manual_surprise("bob's attention pattern looks odd")
    bob_before = logbook_file.with_name("bob.db").read_bytes()

    status, mine = await api("GET", "dashboard")
    assert status == 200 and mine["authors"] == ["ana", "bob"] and mine["counts"]["hypotheses"] == 1
    (team,) = [c for c in mine["charts"] if c["group"] == "team"]
    assert team["id"] == "team-surprises" and team["spec"]["data"]["values"][0]["author"] == "bob"
    assert team["details"] == [
        "ana (you): 1 hypotheses, 0 experiments, 0 open surprises",
        "bob: 3 hypotheses, 0 experiments, 1 open surprises",
    ]
    status, again = await api("GET", "dashboard", have=team["key"])
    assert [c["spec"] for c in again["charts"] if c["id"] == "team-surprises"] == [None], "unchanged: no spec"

    status, theirs = await api("GET", "dashboard", author="bob")
    assert status == 200 and theirs["author"] == "bob" and theirs["counts"]["hypotheses"] == 3
    credences = next(c for c in theirs["charts"] if c["id"] == "credences")
    assert credences["note"].startswith("3 hypotheses")
    assert logbook_file.with_name("bob.db").read_bytes() == bob_before, "read, never written"

    status, own = await api("GET", "dashboard", author="ana")
    assert status == 200 and own["author"] is None, "your own name is your own dashboard"
    status, reply = await api("GET", "dashboard", author="carol")
    assert status == 404 and "no author named carol" in reply["message"]


async def test_a_search_finds_your_records_and_each_teammates_apart(api, logbook_file, monkeypatch, tmp_path):
    await api("POST", "hypotheses", {"statement": "head 0.1 copies the previous token", "credence": 0.6})
    status, alone = await api("GET", "search", q="head")
    assert status == 200 and alone["teammates"] == [], "no teammate yet"
    with monkeypatch.context() as bob:
        as_bob(bob, tmp_path)
        with Store(logbook_file.with_name("bob.db")) as store:
            store.add_hypothesis("head 1.4 is an induction head", 0.7)
            store.add_hypothesis("the MLP stores bigrams", 0.4)
    status, found = await api("GET", "search", q="head")
    assert [h["id"] for h in found["groups"][0]["hits"]] == ["H1"], "your own records, as before"
    assert [(t["author"], t["total"], [h["id"] for h in t["hits"]]) for t in found["teammates"]] == [
        ("bob", 1, ["H1"])
    ]
    status, page = await api("GET", "search", q="head", kind="hypothesis", offset=1)
    assert status == 200 and page["teammates"] == [], "later pages are your own records' alone"


async def test_a_teammates_record_that_stops_verifying_is_named_in_the_team_view(
    api, logbook_file, monkeypatch, tmp_path, jp_serverapp
):
    from logbook.server.extension import check_team
    from tests.unit.test_verify import tamper

    assert (await api("GET", "status"))[0] == 200  # the server has opened (made) ana's own file
    with monkeypatch.context() as bob:
        as_bob(bob, tmp_path)
        with Store(logbook_file.with_name("bob.db")) as store:
            store.add_hypothesis("head 1.4 is an induction head", 0.7)
    database = jp_serverapp.web_app.settings["logbook_db"]
    assert database.team_checks is not None, "a team project's server verifies teammates"
    database.team_checks.interval = 0.0
    await check_team(database, jp_serverapp.log)
    status, view = await api("GET", "team")
    assert [(a["author"], a["verified"]) for a in view["authors"]] == [("ana", None), ("bob", True)]

    start = await feed_after(api, -1)
    with monkeypatch.context() as bob:
        as_bob(bob, tmp_path)
        with Store(logbook_file.with_name("bob.db")) as store:
            tamper(store, "UPDATE events SET payload = replace(payload, '0.7', '0.95') WHERE id = 1")
    await check_team(database, jp_serverapp.log)
    after = await feed_after(api, start["revision"])
    assert changed(start, after) == {"team"}
    status, view = await api("GET", "team")
    (theirs,) = [a for a in view["authors"] if a["author"] == "bob"]
    assert theirs["verified"] is False and "was changed" in theirs["verify_problem"]
