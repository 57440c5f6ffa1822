"""``logbook merge OTHER.json``: a teammate's JSON export becomes their read-only record in a team project, once it
verifies alone and holds the whole logbook; the file it becomes holds what their own logbook holds."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from logbook.audit.verify import load_export, verify_logbook
from logbook.cli.main import main
from logbook.errors import LogbookError, NotKept
from logbook.models import utcnow
from logbook.paths import find_logbook
from logbook.store.core import Store
from logbook.team.merge import merge_record
from logbook.team.restore import NotRestorable, restore_export
from logbook.team.view import team_view
from tests.unit import test_team as team

#: The team project (the working folder) and ``with author("ana"):``, as the team's own tests make them.
project, author = team.project, team.author
files_in, run, write_research = team.files_in, team.run, team.write_research


def judged(store: Store, prediction_id: str, score: float, held: bool) -> None:
    """A cell that measured ``score`` two days ago, and the verdict on a prediction it decided, as the kernel writes them."""
    with store.transaction():
        experiment = store.insert_experiment(
            {
                "source": f"score = {score}",
                "started_at": (utcnow() - timedelta(days=2)).isoformat(),
                "duration_ms": 12.5,
                "ok": 1,
                "names": json.dumps({"score": {"type": "float", "value": score}}),
                "notebook": "probe.ipynb",
            },
            [{"mime": "image/png", "data": f"a plot of {score}".encode(), "size": 14, "truncated": False}],
        )
        store.add_judgement(
            held=held,
            prediction=store.prediction(prediction_id),
            observed={"score": {"type": "float", "value": score}},
            surprisal_bits=0.32 if held else 2.32,
            experiment_id=experiment,
            steps=[{"text": "score", "value": str(score)}, {"text": f"{score} > 0.5", "value": str(held)}],
        )


@pytest.fixture
def bobs_logbook(author, tmp_path) -> Path:
    """bob's logbook in a project of his own: rival hypotheses in a competing set, predictions judged, revised and
    proposed an update, surprises open and resolved, notes, a mode switch and a comment on ana's record."""
    path = tmp_path / "bob-laptop" / ".logbook" / "logbook.db"
    path.parent.mkdir(parents=True)
    with author("bob"), Store(path) as store:
        induction = store.add_hypothesis("head 1.4 is an induction head", 0.6, tags="layer1")
        store.add_hypothesis("head 1.4 copies by position", 0.3)
        store.create_set("what does head 1.4 copy?", ["H1", "H2"], something_else=0.2)
        store.set_mode("confirm")
        first = store.add_prediction(induction.id, "score > 0.5", 0.8, likelihoods={"H2": 0.3, "else": 0.5})
        judged(store, first.id, 0.3, held=False)
        judged(store, first.id, 0.2, held=False)
        store.propose_update(first.id)
        store.decide_proposal("U1", "accepted", "the score is low twice")
        revised = store.update_prediction(first.id, expression="score > 0.1")
        judged(store, revised.id, 0.2, held=True)
        store.resolve_surprise(1, "explained", explanation="the score was taken on layer 0", by="bob")
        store.add_manual_surprise("the attention pattern is striped", hypothesis_id="H2")
        store.add_note("rerun with seed 1", hypothesis_id="H1")
        store.add_note("the striping comes from the period")
        store.comment("ana", "H1", "does your head 0.1 feed mine?")
    return path


def exported(author, logbook: Path, name: str = "bob.json", *selection: str) -> Path:
    """bob's logbook written out with ``logbook export`` (as JSON, with ``selection`` when given)."""
    out = logbook.parent.parent / name
    with author("bob"):
        assert main(["export", "--db", str(logbook), "--format", "json", "-o", str(out), *selection]) == 0
    return out


def read_as_ana(author, path: Path):
    with author("ana"), Store(path, guest=True) as store:
        return store.export().model_dump(exclude={"exported_at"}), store.team_remarks()


# -- a whole export is merged -----------------------------------------------------------------


def test_a_json_export_is_merged_as_the_record_it_was(project, author, bobs_logbook):
    write_research(author, "ana", "head 0.1 copies the previous token")
    with author("ana"):
        merged = merge_record(exported(author, bobs_logbook), find_logbook(), "bob")
    assert (merged.author, merged.path.name, merged.replaced) == ("bob", "bob.db", False)
    theirs, remarks = read_as_ana(author, bobs_logbook)
    assert read_as_ana(author, merged.path) == (theirs, remarks)
    kinds = ("experiments", "surprises", "evidence", "sets", "proposals")
    assert [len(theirs[kind]) for kind in kinds] == [3, 2, 1, 1, 1]
    assert [(r.kind, r.about_id, r.author) for r in remarks] == [("comment", "H1", "bob")]
    with author("ana"), Store(merged.path, guest=True) as store:
        assert verify_logbook(store).ok
        assert merged.events == store.chain_head()["events"]
    with author("ana"):
        view = team_view(find_logbook())
    assert sorted((h.label, h.statement) for h in view.hypotheses if h.author == "bob") == [
        ("H1·bob", "head 1.4 is an induction head"),
        ("H2·bob", "head 1.4 copies by position"),
    ]


def test_the_export_merged_from_the_command_line_is_read_only_and_verifies(
    project, author, bobs_logbook, capsys
):
    write_research(author, "ana", "head 0.1 copies the previous token")
    theirs = exported(author, bobs_logbook)
    with author("ana"):
        code, printed = run(capsys, "merge", str(theirs), "--as", "bob")
        assert code == 0 and "added bob's record" in printed and "verified" in printed
        assert oct((project / ".logbook" / "authors" / "bob.db").stat().st_mode & 0o777) == oct(0o444)
        assert run(capsys, "verify")[0] == 0


def test_a_json_export_names_no_author_so_merge_asks_whose_it_is(project, author, bobs_logbook, capsys):
    theirs = exported(author, bobs_logbook)
    with author("ana"):
        code, printed = run(capsys, "merge", str(theirs))
    assert code == 2 and "whose record is bob.json? a JSON export names no author" in printed
    assert "--as NAME" in printed
    assert files_in(project / ".logbook" / "authors") == {}


def test_an_outputs_bytes_are_not_in_an_export_so_the_merged_record_knows_it_by_hash_and_size(
    project, author, bobs_logbook
):
    with author("ana"):
        merged = merge_record(exported(author, bobs_logbook), find_logbook(), "bob")
    with Store(merged.path, guest=True) as store:
        (output,) = store.experiment(1).outputs
        assert (output.mime, output.size) == ("image/png", 14)
        with pytest.raises(NotKept):
            store.experiments.blob(output.sha256)


def test_the_same_export_merged_twice_updates_the_record_and_a_later_one_continues_it(
    project, author, bobs_logbook
):
    theirs = exported(author, bobs_logbook)
    with author("ana"):
        merge_record(theirs, find_logbook(), "bob")
        again = merge_record(theirs, find_logbook(), "bob")
    assert again.replaced and again.line().startswith("updated bob's record")
    assert list(files_in(project / ".logbook" / "authors")) == ["bob.db"]
    with author("bob"), Store(bobs_logbook) as store:
        store.add_note("bob went on working")
    with author("ana"):
        later = merge_record(exported(author, bobs_logbook, "bob-later.json"), find_logbook(), "bob")
    assert later.replaced and later.events == again.events + 1


def test_an_export_of_another_history_does_not_replace_the_record_merged(
    project, author, bobs_logbook, tmp_path
):
    with author("ana"):
        merge_record(exported(author, bobs_logbook), find_logbook(), "bob")
    other = team.bobs_own_project(author, tmp_path / "elsewhere", "a different history")
    with author("ana"), pytest.raises(LogbookError, match="does not continue bob's record here"):
        merge_record(exported(author, other), find_logbook(), "bob")


# -- what is refused, with nothing written ----------------------------------------------------------


def test_an_edited_export_is_refused_naming_what_differs(project, author, bobs_logbook):
    theirs = exported(author, bobs_logbook)
    data = json.loads(theirs.read_text())
    data["hypotheses"][0]["credence"] = 0.95
    theirs.write_text(json.dumps(data))
    before = files_in(project / ".logbook" / "authors")
    with author("ana"), pytest.raises(LogbookError) as refused:
        merge_record(theirs, find_logbook(), "bob")
    assert "bob.json does not verify: hypothesis H1's credence differs from the export's own chain" in str(
        refused.value
    )
    assert str(refused.value).endswith("Nothing was merged")
    assert files_in(project / ".logbook" / "authors") == before


@pytest.mark.parametrize(
    "selection, left_out",
    [
        (["--hypothesis", "H2"], "1 hypothesis, 2 predictions"),
        (["--since", (utcnow() - timedelta(days=1)).isoformat()], "3 experiments"),
    ],
)
def test_an_export_of_part_of_the_logbook_is_refused(project, author, bobs_logbook, selection, left_out):
    theirs = exported(author, bobs_logbook, "part.json", *selection)
    with author("ana"), pytest.raises(LogbookError) as refused:
        merge_record(theirs, find_logbook(), "bob")
    message = str(refused.value)
    assert f"part.json holds part of the logbook: it leaves out {left_out}" in message
    assert "exported with a selection" in message and "Nothing was merged" in message
    assert files_in(project / ".logbook" / "authors") == {}


@pytest.mark.parametrize(
    "text, said",
    [
        ('{"cells": [], "nbformat": 4}', "is not a logbook export: cells: Extra inputs are not permitted"),
        ("[1, 2", "is not a logbook export"),
        ("{}", "is a JSON export without its history (no events)"),
    ],
)
def test_a_json_file_that_is_not_a_whole_export_is_refused_clearly(project, author, tmp_path, text, said):
    theirs = tmp_path / "notes.json"
    theirs.write_text(text)
    with author("ana"), pytest.raises(LogbookError, match="Nothing was merged") as refused:
        merge_record(theirs, find_logbook(), "bob")
    assert said in str(refused.value)
    assert files_in(project / ".logbook" / "authors") == {}


# -- restoring alone ----------------------------------------------------------------------------------


def test_restoring_writes_a_logbook_that_verifies_and_refuses_an_export_that_does_not(
    author, bobs_logbook, tmp_path
):
    export = load_export(exported(author, bobs_logbook))
    assert restore_export(export, tmp_path / "restored.db").ok
    export.notes[0].text = "rerun with seed 2"
    with pytest.raises(NotRestorable, match="note 1's text differs from the export's own chain"):
        restore_export(export, tmp_path / "edited.db")
    assert not (tmp_path / "edited.db").exists()
