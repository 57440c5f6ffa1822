"""`logbook sets`: create a competing set (from hypotheses or a brainstorm), change a credence with a reason
and who gives way, add and remove members, and show a set's history, all from the command line."""

import pytest

from logbook.audit.verify import verify_logbook
from logbook.cli.main import build_parser, main


def run(capsys, logbook_db, *args):
    """Run `logbook sets ...` on the test logbook; returns (exit code, stdout, stderr)."""
    code = main(["sets", *args, "--db", str(logbook_db)])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def rivals(store):
    for statement, credence in [
        ("head 1.4 copies the previous token", 0.7),
        ("head 1.4 is an induction head", 0.8),
        ("the MLP copies it", 0.2),
        ("positional attention does it", 0.6),
    ]:
        store.add_hypothesis(statement, credence)
    return store


def total(s) -> float:
    return sum(s.credences.values()) + s.something_else


def test_create_from_hypotheses_then_change_add_remove_and_show_history(rivals, logbook_db, capsys):
    code, out, _ = run(
        capsys, logbook_db, "create", "what copies the token", "H1", "h2", "H3", "--else", "0.1"
    )
    assert code == 0 and out.startswith("C1  what copies the token\n")
    assert "head 1.4 copies the previous token" in out and "else    0.10  something else" in out
    s = rivals.competing_set(1)
    assert set(s.credences) == {"H1", "H2", "H3"} and s.something_else == pytest.approx(0.1)
    assert s.credences["H1"] == pytest.approx(0.7 * 0.9 / 1.7)

    # In proportion by default, with the reason dated in the set's and each member's history.
    before = rivals.competing_set(1)
    code, out, _ = run(capsys, logbook_db, "credence", "H1", "0.6", "--reason", "the ablation moved it")
    s = rivals.competing_set(1)
    assert code == 0 and s.credences["H1"] == pytest.approx(0.6) and total(s) == pytest.approx(1, abs=1e-12)
    others = 1 - before.credences["H1"]
    assert s.credences["H2"] == pytest.approx(before.credences["H2"] * 0.4 / others)
    assert s.history[-1].reason == "H1 to 0.60, the others gave way: the ablation moved it"
    assert rivals.hypothesis("H2").history[-1].reason == s.history[-1].reason
    assert "last change: H1 to 0.60, the others gave way: the ablation moved it" in out

    # Only the named ones give way (repeated or comma-separated, 'else' for something else).
    before = rivals.competing_set(1)
    assert run(capsys, logbook_db, "credence", "H3", "35%", "--give-way", "H2,else", "--reason", "x")[0] == 0
    s = rivals.competing_set(1)
    assert s.credences["H1"] == before.credences["H1"] and s.credences["H3"] == pytest.approx(0.35)
    assert s.history[-1].reason == "H3 to 0.35, H2, something else gave way: x"
    assert total(s) == pytest.approx(1, abs=1e-12)

    code, _, _ = run(capsys, logbook_db, "else", "C1", "0.2", "--reason", "none fits period 7")
    assert code == 0 and rivals.competing_set(1).something_else == pytest.approx(0.2)

    code, out, _ = run(capsys, logbook_db, "add", "C1", "H4", "--reason", "a fourth rival")
    s = rivals.competing_set(1)
    assert code == 0 and "H4" in s.credences and s.credences["H4"] == pytest.approx(0.6)
    assert s.history[-1].reason == "a fourth rival" and total(s) == pytest.approx(1, abs=1e-12)

    code, out, _ = run(capsys, logbook_db, "remove", "H3", "--reason", "not about copying")
    s = rivals.competing_set(1)
    assert code == 0 and "H3" not in s.credences and rivals.hypothesis("H3").set_id is None
    assert total(s) == pytest.approx(1, abs=1e-12)

    code, out, _ = run(capsys, logbook_db, "history", "C1")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "C1  what copies the token"
    assert lines[1].split() == ["when", "H1", "H2", "H3", "H4", "else", "why"]
    assert len(lines) == 2 + len(s.history) == 2 + 6
    assert lines[2].endswith("grouped as C1") and lines[-1].endswith("not about copying")
    assert lines[2].split()[5] == "-"  # H4 was not in the set yet
    assert lines[-1].split()[4] == "-"  # nor H3 any more
    assert verify_logbook(rivals).ok, verify_logbook(rivals).problems


def test_create_from_a_brainstorm_in_one_command(store, logbook_db, capsys):
    b = store.start_brainstorm(target=4)
    store.add_hypothesis("a bigram table", 0.4, brainstorm_id=b.id)
    store.add_hypothesis("a skip-trigram", 0.3, brainstorm_id=b.id)
    store.add_hypothesis("alone", 0.5)
    code, out, _ = run(capsys, logbook_db, "create", "how does it copy", "--brainstorm", str(b.id))
    (s,) = store.competing_sets()
    assert code == 0 and set(s.credences) == {"H1", "H2"} and s.brainstorm_id == b.id
    assert s.something_else == pytest.approx(0.3) and store.hypothesis("H3").set_id is None


def test_the_list_shows_sets_nudges_and_proposals(rivals, logbook_db, capsys):
    assert run(capsys, logbook_db)[1].startswith("no competing sets yet")
    run(capsys, logbook_db, "create", "q", "H1", "H2", "--else", "0")
    code, out, _ = run(capsys, logbook_db)
    assert code == 0 and "leaves nothing to something else" in out
    assert run(capsys, logbook_db, "list")[1] == out


@pytest.mark.parametrize(
    "args, said",
    [
        (["create", "q", "H1"], "two rivals at least"),
        (["create", "q"], "name the rival hypotheses"),
        (["credence", "H4", "0.5"], "H4 is in no competing set"),
        (["credence", "H1", "0.99", "--give-way", "else"], "cannot give way enough"),
        (["credence", "H1", "0.5", "--give-way", "H1"], "H1 cannot give way"),
        (["else", "C9", "0.2"], "competing set"),
        (["add", "C1", "H2"], "H2 is already in C1"),
        (["remove", "H4"], "H4 is in no competing set"),
        (["history", "X1"], "is not a competing set id"),
    ],
)
def test_a_bad_request_exits_2_with_a_clear_message_and_changes_nothing(
    rivals, logbook_db, capsys, args, said
):
    run(capsys, logbook_db, "create", "q", "H1", "H2", "H3", "--else", "0.1")
    events = rivals.chain_head()["events"]
    code, out, err = run(capsys, logbook_db, *args)
    assert code == 2 and said in err and err.startswith("logbook: "), err
    assert rivals.chain_head()["events"] == events


def test_a_credence_out_of_range_is_an_argument_error(rivals, logbook_db, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["sets", "credence", "H1", "1.5", "--db", str(logbook_db)])
    assert exit.value.code == 2 and "between 0 and 1" in capsys.readouterr().err


def test_db_may_come_before_or_after_the_action(rivals, logbook_db, capsys):
    assert main(["sets", "--db", str(logbook_db), "create", "q", "H1", "H2"]) == 0
    assert main(["sets", "create", "r", "H3", "H4", "--db", str(logbook_db)]) == 0
    assert [s.question for s in rivals.competing_sets()] == ["q", "r"]


def test_every_sets_action_is_in_the_command_line_docs():
    from pathlib import Path

    cli_docs = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    sets = build_parser()._subparsers._group_actions[0].choices["sets"]
    actions = sets._subparsers._group_actions[0].choices
    assert set(actions) == {"list", "create", "credence", "else", "add", "remove", "history"}
    for name in actions:
        assert f"logbook sets {name}" in cli_docs, name
    assert "logbook tag H1.P2" in cli_docs and "logbook due " in cli_docs


def test_tag_adds_and_replaces_tags_and_due_lists_what_is_past_its_date(rivals, logbook_db, capsys):
    rivals.add_prediction("H1", "the loss drops", 0.7, kind="text", resolve_by="2020-01-01")
    rivals.add_prediction("H1", "later", 0.7, kind="text", resolve_by="2999-01-01")
    assert main(["tag", "H1.P1", "quick", "layer1,period7", "--db", str(logbook_db)]) == 0
    assert capsys.readouterr().out == "H1.P1: layer1, period7, quick\n"
    assert main(["tag", "h2", "induction", "--db", str(logbook_db)]) == 0
    assert main(["tag", "H2", "--replace", "--db", str(logbook_db)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "H2: no tags"
    assert (
        rivals.prediction("H1.P1").tags == ["layer1", "period7", "quick"]
        and rivals.hypothesis("H2").tags == []
    )
    assert main(["due", "--db", str(logbook_db)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("H1.P1    due 20") and line.endswith("the loss drops")
    rivals.judge_by_hand("H1.P1", held=True)
    assert main(["due", "--db", str(logbook_db)]) == 0
    assert capsys.readouterr().out == "no prediction is past its resolve-by date\n"
    assert main(["tag", "H9", "x", "--db", str(logbook_db)]) == 2
    assert verify_logbook(rivals).ok
