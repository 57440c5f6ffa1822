"""Team logbooks: each author writes their own file under .logbook/authors/, reads the others' without ever
writing them, sees every author's records attributed, verifies every chain, and merges a teammate's record."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from logbook.api import session
from logbook.cli.main import main
from logbook.errors import LogbookError
from logbook.paths import find_logbook, project_folder
from logbook.store.core import Store
from logbook.team.authors import author_file_name, author_of
from logbook.team.checks import TeamChecks
from logbook.team.members import team_members
from logbook.team.merge import MERGED_APPLICATION_ID, merge_record
from logbook.team.remarks import write_remark
from logbook.team.verify import verify_team
from logbook.team.view import team_view
from tests.unit.test_verify import tamper


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A team project (its .logbook/authors/ folder exists), the working folder of this test."""
    root = tmp_path / "project"
    (root / ".logbook" / "authors").mkdir(parents=True)
    monkeypatch.delenv("LOGBOOK_DB", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.chdir(root)
    session.reset()
    yield root
    session.reset()


@pytest.fixture
def author(monkeypatch, tmp_path):
    """``with author("ana"):`` runs as the user ana, with ana's own secret (each person has their own)."""

    @contextlib.contextmanager
    def as_author(name: str):
        with monkeypatch.context() as patch:
            patch.setenv("LOGNAME", name)
            patch.setenv("USER", name)
            patch.setenv("LOGBOOK_SECRET_FILE", str(tmp_path / "secrets" / name))
            yield

    return as_author


def write_research(author, name: str, statement: str) -> Path:
    """``name`` states a hypothesis with a prediction and flags a surprise, in their own file."""
    with author(name):
        path = find_logbook()
        with Store(path) as store:
            h = store.add_hypothesis(statement, 0.6)
            store.add_prediction(h.id, "score > 0.5", 0.8)
            store.add_manual_surprise(f"{name}'s attention pattern looks odd")
    return path


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def run(capsys, *args) -> tuple[int, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


# -- each author's own file ----------------------------------------------------------


def test_each_author_writes_their_own_file_in_a_team_project(project, author):
    with author("ana"):
        assert find_logbook() == project / ".logbook" / "authors" / "ana.db"
    with author("bob"):
        assert find_logbook() == project / ".logbook" / "authors" / "bob.db"
    assert project_folder(project / ".logbook" / "authors" / "bob.db") == project


def test_the_jupyter_user_names_the_file_on_a_jupyterhub(project, author, monkeypatch):
    with author("jovyan"):
        monkeypatch.setenv("JUPYTERHUB_USER", "ana")
        assert find_logbook().name == "ana.db"


def test_a_project_without_an_authors_folder_keeps_one_logbook(tmp_path, monkeypatch):
    (tmp_path / ".logbook").mkdir()
    monkeypatch.delenv("LOGBOOK_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert find_logbook() == tmp_path / ".logbook" / "logbook.db"


def test_an_author_name_becomes_a_safe_file_name_and_back():
    for name in ("ana", "ana.lee@lab", "../etc/passwd", "ünï cödé", ".hidden"):
        file_name = author_file_name(name)
        assert "/" not in file_name and not file_name.startswith(".") and file_name.endswith(".db")
        assert author_of(file_name) == name
    with pytest.raises(LogbookError, match="needs an author name"):
        author_file_name("  ")


def test_starting_a_team_moves_the_logbook_to_its_first_authors_file(tmp_path, monkeypatch, author, capsys):
    root = tmp_path / "solo"
    (root / ".logbook").mkdir(parents=True)
    monkeypatch.delenv("LOGBOOK_DB", raising=False)
    monkeypatch.chdir(root)
    with author("ana"):
        with Store(find_logbook()) as store:
            store.add_hypothesis("layer 1 has an induction head", 0.5)
        code, printed = run(capsys, "team", "--start")
        assert code == 0 and "your record is" in printed
        assert not (root / ".logbook" / "logbook.db").exists()
        with Store(find_logbook()) as store:
            assert find_logbook().name == "ana.db"
            assert [h.statement for h in store.hypotheses()] == ["layer 1 has an induction head"]
        code, printed = run(capsys, "team", "--start")
        assert code == 2 and "a team project already" in printed


def test_a_team_is_not_started_while_another_process_has_the_logbook_open(tmp_path, monkeypatch, capsys):
    root = tmp_path / "busy"
    (root / ".logbook").mkdir(parents=True)
    monkeypatch.delenv("LOGBOOK_DB", raising=False)
    monkeypatch.chdir(root)
    with Store(root / ".logbook" / "logbook.db") as running:
        running.add_hypothesis("held open by a running kernel", 0.5)
        code, printed = run(capsys, "team", "--start")
    assert code == 2 and "open in another process" in printed
    assert not (root / ".logbook" / "authors").exists() and (root / ".logbook" / "logbook.db").exists()


# -- one view of the team ---------------------------------------------------------------


def test_the_team_shows_every_authors_records_attributed(project, author, capsys):
    write_research(author, "ana", "head 0.1 copies the previous token")
    write_research(author, "bob", "head 1.4 is an induction head")
    with author("ana"):
        code, printed = run(capsys, "team")
    assert code == 0
    assert "2 authors" in printed
    assert "ana (you): 1 hypotheses, 0 experiments, 1 open surprises" in printed
    assert "bob: 1 hypotheses" in printed
    assert "H1·ana" in printed and "H1·bob" in printed and "S1·bob" in printed
    assert "head 1.4 is an induction head" in printed
    with author("ana"):
        code, printed = run(capsys, "team", "--author", "bob")
    assert "H1·bob" in printed and "H1·ana" not in printed
    with author("ana"):
        code, printed = run(capsys, "team", "--author", "carol")
    assert code == 2 and "no author named carol here; the authors are ana, bob" in printed


def test_the_team_view_holds_each_hypothesis_predictions_and_each_authors_latest_experiments(project, author):
    write_research(author, "ana", "head 0.1 copies the previous token")
    with author("bob"), Store(find_logbook()) as store:
        h = store.add_hypothesis("head 1.4 is an induction head", 0.6)
        first = store.add_prediction(h.id, "score > 0.5", 0.8)
        store.update_prediction(first.id, "score > 0.6")
        with store.transaction():
            for source, ok in (("# setup\n\nimport torch", 1), ("cache = run(x)\n1/0", 0)):
                row = {"source": source, "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0}
                store.insert_experiment(
                    {**row, "ok": ok, "notebook": str(project / "nb" / "probe.ipynb")}, []
                )
    with author("ana"):
        view = team_view(find_logbook(), ["bob"])
    (bobs,) = view.hypotheses
    assert [(p.label, p.expression, p.state) for p in bobs.predictions] == [
        ("H1.P1·bob", "score > 0.6", "pending")
    ]
    assert [(e.label, e.summary, e.ok, e.notebook) for e in view.experiments] == [
        ("E2·bob", "cache = run(x)", False, "nb/probe.ipynb"),
        ("E1·bob", "import torch", True, "nb/probe.ipynb"),
    ]
    assert {a.author: a.state_words for a in view.authors} == {"ana": "ok", "bob": "ok"}


def test_one_author_reads_plain_ids(project, author, capsys):
    write_research(author, "ana", "head 0.1 copies the previous token")
    with author("ana"):
        code, printed = run(capsys, "team")
    assert code == 0 and "    H1 " in printed and "·" not in printed


def test_reading_a_teammates_file_writes_nothing_to_it_or_beside_it(project, author, capsys):
    write_research(author, "ana", "head 0.1 copies the previous token")
    bob = write_research(author, "bob", "head 1.4 is an induction head")
    before = files_in(bob.parent)
    stamp = bob.stat().st_mtime_ns
    with author("ana"):
        assert run(capsys, "team")[0] == 0
        assert run(capsys, "verify")[0] == 0
        members = team_members(find_logbook())
    assert files_in(bob.parent) == before and bob.stat().st_mtime_ns == stamp
    assert [(m.author, m.mine) for m in members] == [("ana", True), ("bob", False)]
    with Store(bob, guest=True) as guest, pytest.raises(LogbookError, match="read-only"):
        guest.add_hypothesis("written into bob's record by ana", 0.5)


def test_a_teammate_writing_live_is_read_as_of_their_last_commit(project, author):
    bob = write_research(author, "bob", "head 1.4 is an induction head")
    with author("bob"), Store(bob) as live:
        live.add_hypothesis("written while ana reads", 0.3)  # bob's connection stays open: his WAL is there
        with author("ana"):
            (member,) = [m for m in team_members(find_logbook()) if m.author == "bob"]
        assert member.state == "ok" and member.hypotheses == 2


# -- bad teammates' files -----------------------------------------------------------------


def test_a_damaged_teammates_file_is_named_with_its_author_and_left_alone(project, author, capsys):
    write_research(author, "ana", "head 0.1 copies the previous token")
    bob = project / ".logbook" / "authors" / "bob.db"
    bob.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    before = files_in(bob.parent)
    with author("ana"):
        code, printed = run(capsys, "team")
        assert "bob: damaged: not read" in printed and code == 1
        assert "ana (you): 1 hypotheses" in printed
        with Store(find_logbook()) as mine:  # recording goes on
            mine.add_note("still recording")
        code, printed = run(capsys, "verify")
    assert code == 1 and "the record of bob fails" in printed and "ana (you): ok" in printed
    after = files_in(bob.parent)
    assert after["bob.db"] == before["bob.db"] and not [n for n in after if "damaged" in n]


def test_a_teammates_file_from_a_newer_logbook_is_named_and_not_read(project, author, capsys):
    bob = write_research(author, "bob", "head 1.4 is an induction head")
    db = sqlite3.connect(bob)
    db.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('logbook', 'm999_from_the_future', '2027-01-01 00:00:00+00:00')"
    )
    db.commit()
    db.close()
    write_research(author, "ana", "head 0.1 copies the previous token")
    with author("ana"):
        code, printed = run(capsys, "team")
    assert code == 1 and "bob: from a newer Logbook: not read" in printed


def test_a_half_copied_teammates_file_says_where_its_records_are(project, author, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere.db"
    with author("bob"), Store(elsewhere) as live:
        live.add_hypothesis("only in the WAL", 0.5)
        shutil.copyfile(elsewhere, project / ".logbook" / "authors" / "bob.db")  # copied without its WAL
    write_research(author, "ana", "head 0.1 copies the previous token")
    with author("ana"):
        code, printed = run(capsys, "team")
    assert code == 1 and "bob: half-copied" in printed and "bob.db-wal is not beside bob.db" in printed


# -- verify ----------------------------------------------------------------------------------


def test_verify_checks_every_author_and_names_whose_record_fails(project, author, capsys):
    write_research(author, "ana", "head 0.1 copies the previous token")
    bob = write_research(author, "bob", "head 1.4 is an induction head")
    with author("ana"):
        code, printed = run(capsys, "verify")
    assert code == 0 and "ana (you): ok" in printed and "bob: ok" in printed
    with author("bob"), Store(bob) as store:
        tamper(store, "UPDATE events SET payload = replace(payload, '0.6', '0.9') WHERE id = 1")
    with author("ana"):
        code, printed = run(capsys, "verify")
        assert code == 1 and "the record of bob fails" in printed and "ana (you): ok" in printed
        assert "bob: event 1" in printed and "was changed" in printed
        assert run(capsys, "verify", "--author", "ana")[0] == 0
        assert [c.ok for c in verify_team(find_logbook())] == [True, False]


def test_a_server_verifies_teammates_in_the_background_and_the_view_names_whose_record_fails(project, author):
    ana = write_research(author, "ana", "head 0.1 copies the previous token")
    bob = write_research(author, "bob", "head 1.4 is an induction head")
    checks = TeamChecks(interval=0.0)
    assert team_view(ana, checks=checks).authors[1].verified is None, "not checked yet"
    with author("ana"):
        assert checks.run(ana) is True
    first = checks.verdict("bob")
    assert first is not None and first.ok and checks.verdict("ana") is None, "your own is yours to verify"
    assert [(a.author, a.verified) for a in team_view(ana, checks=checks).authors] == [
        ("ana", None),
        ("bob", True),
    ]
    with author("ana"):
        assert checks.run(ana) is False and checks.verdict("bob") is first, (
            "an unchanged file is not read again"
        )
    generation = checks.generation
    with author("bob"), Store(bob) as store:
        tamper(store, "UPDATE events SET payload = replace(payload, '0.6', '0.9') WHERE id = 1")
    with author("ana"):
        assert checks.run(ana) is True and checks.generation == generation + 1
        (_, theirs) = team_view(ana, checks=checks).authors
    assert (
        theirs.verified is False
        and "event 1" in theirs.verify_problem
        and "was changed" in theirs.verify_problem
    )
    assert theirs.state == "ok", "still read and shown: only its verdict says it fails"


def test_a_teammate_is_verified_at_most_once_per_interval_however_often_they_write(project, author):
    ana = write_research(author, "ana", "head 0.1 copies the previous token")
    bob = write_research(author, "bob", "head 1.4 is an induction head")
    checks = TeamChecks(interval=3600.0)
    with author("ana"):
        checks.run(ana)
    first = checks.verdict("bob")
    with author("bob"), Store(bob) as store:
        store.add_hypothesis("one more", 0.5)
    with author("ana"):
        assert checks.run(ana) is False and checks.verdict("bob") is first


# -- merge ----------------------------------------------------------------------------------


def bobs_own_project(author, tmp_path, statement="head 1.4 is an induction head") -> Path:
    """bob's record in a project of his own, elsewhere."""
    path = tmp_path / "bob-laptop" / ".logbook" / "logbook.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    with author("bob"), Store(path) as store:
        h = store.add_hypothesis(statement, 0.6)
        store.add_prediction(h.id, "score > 0.5", 0.8)
    return path


def test_a_teammates_record_from_elsewhere_is_merged_read_only(project, author, tmp_path, capsys):
    write_research(author, "ana", "head 0.1 copies the previous token")
    theirs = bobs_own_project(author, tmp_path)
    with author("ana"):
        code, printed = run(capsys, "merge", str(theirs))
        assert code == 0 and "added bob's record" in printed and "verified" in printed
        merged = project / ".logbook" / "authors" / "bob.db"
        assert not os.access(merged, os.W_OK) or os.geteuid() == 0
        assert oct(merged.stat().st_mode & 0o777) == oct(0o444)
        with sqlite3.connect(f"file:{merged}?mode=ro", uri=True) as db:
            assert db.execute("PRAGMA application_id").fetchone()[0] == MERGED_APPLICATION_ID
        code, printed = run(capsys, "team")
        assert "H1·bob" in printed and "head 1.4 is an induction head" in printed
        assert run(capsys, "verify")[0] == 0


def test_a_record_that_does_not_verify_is_refused(project, author, tmp_path):
    theirs = bobs_own_project(author, tmp_path)
    with author("bob"), Store(theirs) as store:
        tamper(store, "DELETE FROM events WHERE id = 2")
    with author("ana"), pytest.raises(LogbookError, match="does not verify, so nothing was merged"):
        merge_record(theirs, find_logbook())
    assert not (project / ".logbook" / "authors" / "bob.db").exists()


def test_a_later_record_of_the_same_author_replaces_the_merged_one_and_a_parted_one_is_refused(
    project, author, tmp_path
):
    theirs = bobs_own_project(author, tmp_path)
    with author("ana"):
        merge_record(theirs, find_logbook())
    with author("bob"), Store(theirs) as store:
        store.add_note("bob went on working")
    with author("ana"):
        again = merge_record(theirs, find_logbook())
    assert again.replaced and again.line().startswith("updated bob's record")
    other = bobs_own_project(author, tmp_path / "other", "a different history")
    with author("ana"), pytest.raises(LogbookError, match="does not continue bob's record here"):
        merge_record(other, find_logbook())


def test_two_people_of_one_name_are_told_apart_by_their_keys(project, author, tmp_path, monkeypatch):
    theirs = bobs_own_project(author, tmp_path)
    with author("ana"):
        merge_record(theirs, find_logbook())
    other_bob = tmp_path / "other-bob" / "logbook.db"
    other_bob.parent.mkdir()
    with author("bob"):
        monkeypatch.setenv("LOGBOOK_SECRET_FILE", str(tmp_path / "secrets" / "another-bob"))
        with Store(other_bob) as store:
            store.add_hypothesis("another bob's idea", 0.5)
    with author("ana"):
        with pytest.raises(
            LogbookError, match="is another bob's: it is sealed with key .* merge it under another"
        ):
            merge_record(other_bob, find_logbook())
        assert merge_record(other_bob, find_logbook(), "bob-2").path.name == "bob-2.db"


def test_merge_never_replaces_an_author_who_writes_here_nor_takes_your_own_name(project, author, tmp_path):
    write_research(author, "bob", "bob works in this project")
    theirs = bobs_own_project(author, tmp_path)
    with author("ana"):
        with pytest.raises(LogbookError, match="bob writes .* in this project already"):
            merge_record(theirs, find_logbook())
        with pytest.raises(LogbookError, match="ana is your own name"):
            merge_record(theirs, find_logbook(), "ana")
        with pytest.raises(LogbookError, match="is a JSON export"):
            (tmp_path / "log.json").write_text("{}")
            merge_record(tmp_path / "log.json", find_logbook())


def test_merge_outside_a_team_project_says_how_to_start_one(logbook_db, tmp_path, author):
    theirs = bobs_own_project(author, tmp_path)
    with pytest.raises(LogbookError, match="logbook team --start"):
        merge_record(theirs, logbook_db)


# -- remarks crossing authors ------------------------------------------------------------------


def test_a_comment_is_written_in_yours_and_shown_beside_their_record(project, author, capsys):
    write_research(author, "ana", "head 0.1 copies the previous token")
    bob = write_research(author, "bob", "head 1.4 is an induction head")
    before = bob.read_bytes()
    with author("ana"):
        code, printed = run(capsys, "comment", "H1·bob", "the score was taken on layer 0, not 1")
        assert code == 0 and "R1 comment on H1·bob" in printed
        view = team_view(find_logbook())
    assert bob.read_bytes() == before, "a remark is written in the writer's file only"
    (bobs,) = [h for h in view.hypotheses if h.author == "bob"]
    assert [(r.label, r.kind, r.text, r.about) for r in bobs.remarks] == [
        ("R1·ana", "comment", "the score was taken on layer 0, not 1", "H1·bob")
    ]
    with author("bob"):
        code, printed = run(capsys, "team", "--author", "bob")  # bob reads it in his own view
    assert code == 0


def test_a_challenge_is_a_prediction_of_yours_under_your_copy_of_their_hypothesis(project, author):
    write_research(author, "ana", "head 0.1 copies the previous token")
    write_research(author, "bob", "head 1.4 is an induction head")
    with author("ana"), Store(find_logbook()) as store:
        first = write_remark(
            store, "challenge", "bob", "H1", expression="induction_score < 0.2", credence=0.3
        )
        second = write_remark(store, "challenge", "bob", "H1", expression="ablated_loss > 3")
        copy = store.hypothesis(first.hypothesis_id)
        assert copy.statement == "H1·bob: head 1.4 is an induction head"
        assert second.hypothesis_id == first.hypothesis_id, "one copy per hypothesis challenged"
        assert [p.expression for p in copy.predictions] == ["induction_score < 0.2", "ablated_loss > 3"]
        with pytest.raises(LogbookError):
            write_remark(store, "challenge", "bob", "H1", expression="import os")
        assert len(store.hypotheses()) == 2, "a refused challenge leaves nothing behind"
    with author("ana"):
        view = team_view(find_logbook())
    (challenged,) = [h for h in view.hypotheses if h.label == "H1·bob"]
    assert [(r.kind, r.made) for r in challenged.remarks] == [
        ("challenge", "H2.P1·ana"),
        ("challenge", "H2.P2·ana"),
    ]
    (copy_row,) = [h for h in view.hypotheses if h.label == "H2·ana"]
    assert copy_row.answers == "H1·bob", "linked both ways"


def test_a_follow_up_is_a_hypothesis_of_yours_linked_to_their_surprise(project, author, capsys):
    write_research(author, "ana", "head 0.1 copies the previous token")
    write_research(author, "bob", "head 1.4 is an induction head")
    with author("ana"):
        code, printed = run(capsys, "follow-up", "S1@bob", "the odd pattern is a previous-token head")
        assert code == 0
        view = team_view(find_logbook())
    (surprise,) = [s for s in view.surprises if s.author == "bob"]
    assert [(r.kind, r.made) for r in surprise.remarks] == [("follow-up", "H2·ana")]
    assert [h.answers for h in view.hypotheses if h.author == "ana"] == [None, "S1·bob"]


def test_a_remark_on_a_record_that_is_not_there_is_refused_with_why(project, author, capsys):
    write_research(author, "ana", "head 0.1 copies the previous token")
    write_research(author, "bob", "head 1.4 is an induction head")
    with author("ana"):
        assert "bob has no H9" in run(capsys, "comment", "H9·bob", "hm")[1]
        assert "no author named carol" in run(capsys, "comment", "H1·carol", "hm")[1]
        assert "is your own: write a note" in run(capsys, "comment", "H1·ana", "hm")[1]
        assert "names no teammate's record" in run(capsys, "comment", "H1", "hm")[1]
        with Store(find_logbook()) as store:
            assert store.team_remarks() == []


def test_remarks_are_in_the_chain_and_an_edited_one_fails_verify(project, author, capsys):
    write_research(author, "ana", "head 0.1 copies the previous token")
    write_research(author, "bob", "head 1.4 is an induction head")
    with author("ana"):
        run(capsys, "comment", "H1·bob", "the score was taken on layer 0")
        assert run(capsys, "verify")[0] == 0
        with Store(find_logbook()) as store:
            store.db.execute("UPDATE remarks SET text = 'the score is fine'")
            store.db.conn.commit()
        code, printed = run(capsys, "verify")
    assert code == 1 and "remark 1's text differs from its recorded history" in printed


# -- exports ------------------------------------------------------------------------------------


def test_every_export_holds_every_authors_records_attributed(project, author, capsys):
    write_research(author, "ana", "head 0.1 copies the previous token")
    write_research(author, "bob", "head 1.4 is an induction head | with a pipe")
    with author("ana"):
        run(capsys, "comment", "H1·bob", "was it the same seed?")
        assert run(capsys, "export", "--format", "md", "-o", "log.md")[0] == 0
        assert run(capsys, "export", "--format", "json", "-o", "log.json")[0] == 0
        assert run(capsys, "export", "--format", "html", "-o", "log.html")[0] == 0
        assert run(capsys, "verify", "log.json")[0] == 0, "the team view rides beside the chain, not in it"
    markdown = (project / "log.md").read_text()
    team = markdown.split('## <a id="team"></a>Team\n', 1)[1]
    assert "### ana (this logbook)" in team and "### bob" in team
    assert "**H1·bob** 0.60, active: head 1.4 is an induction head \\| with a pipe" in team
    assert "R1·ana comment: was it the same seed?" in team
    assert "**S1·bob** open: flagged by hand: bob's attention pattern looks odd" in team
    data = json.loads((project / "log.json").read_text())
    assert [a["author"] for a in data["team"]["authors"]] == ["ana", "bob"]
    assert {h["label"] for h in data["team"]["hypotheses"]} == {"H1·ana", "H1·bob"}
    html = (project / "log.html").read_text()
    assert "H1·bob" in html and "R1·ana comment: was it the same seed?" in html


def test_a_solo_logbooks_export_has_no_team(store, logbook_db, capsys):
    store.add_hypothesis("alone", 0.5)
    data = json.loads(run(capsys, "export", "--format", "json")[1])
    assert data["team"] is None
    assert "Team" not in run(capsys, "export", "--format", "md")[1].split("## ")[-1]


def test_search_across_the_team_names_each_author(project, author, capsys):
    write_research(author, "ana", "head 0.1 copies the previous token")
    write_research(author, "bob", "head 1.4 is an induction head")
    with author("ana"):
        code, printed = run(capsys, "search", "head", "--team")
        assert code == 0
        assert printed.index("== ana (you): ") < printed.index("== bob: ")
        assert "«head» 1.4 is an induction" in printed
        assert run(capsys, "search", "nowhere", "--team")[0] == 1
