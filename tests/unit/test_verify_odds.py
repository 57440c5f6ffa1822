"""`logbook verify` replays what a prediction states besides its credence (likelihoods under rivals, base
rate, resolve-by date, tags) and a hypothesis' tags, and catches an edit of each made behind its back."""

import json

import pytest

from logbook.audit.verify import verify_export, verify_logbook
from logbook.cli.main import main
from tests.unit.test_competing_sets import judge
from tests.unit.test_verify import edit, tamper, verify


@pytest.fixture
def stated(store):
    """A set of two rivals; H1.P1 states every optional field; H3 is alone with a base-rate prediction."""
    store.add_hypothesis("head 1.4 copies the previous token", 0.6, tags=["copying"])
    store.add_hypothesis("an induction circuit copies it", 0.3)
    store.create_set("what copies the token?", ["H1", "H2"], something_else=0.1)
    store.add_prediction(
        "H1",
        "score > 0.5",
        0.8,
        likelihoods={"H2": 0.3, "else": 0.5},
        resolve_by="2030-01-31",
        tags=["quick", "layer1"],
    )
    store.add_hypothesis("the MLP does it", 0.4)
    store.add_prediction("H3", "the plot is flat", 0.7, kind="text", base_rate=0.2)
    return store


def problems(store) -> list[str]:
    return verify_logbook(store).problems


def test_a_logbook_with_odds_and_tags_verifies_and_so_does_its_export(stated):
    assert problems(stated) == []
    export = stated.export()
    p = export.hypotheses[0].predictions[0]
    assert p.likelihoods == {"H2": 0.3, "else": 0.5} and p.tags == ["layer1", "quick"]
    assert export.hypotheses[0].tags == ["copying"]
    assert verify_export(export).ok, verify_export(export).problems
    assert verify_export(export, stated).ok


@pytest.mark.parametrize(
    "sql, name",
    [
        (
            "UPDATE predictions SET likelihoods = '{\"H2\": 0.9, \"else\": 0.5}' WHERE id = 'H1.P1'",
            "likelihoods",
        ),
        ("UPDATE predictions SET likelihoods = NULL WHERE id = 'H1.P1'", "likelihoods"),
        ("UPDATE predictions SET base_rate = 0.6 WHERE id = 'H3.P1'", "base_rate"),
        ("UPDATE predictions SET base_rate = 0.5 WHERE id = 'H1.P1'", "base_rate"),
        ("UPDATE predictions SET resolve_by = '2031-01-01T00:00:00+00:00' WHERE id = 'H1.P1'", "resolve_by"),
        ("UPDATE predictions SET resolve_by = NULL WHERE id = 'H1.P1'", "resolve_by"),
        ("UPDATE predictions SET tags = '[\"quick\"]' WHERE id = 'H1.P1'", "tags"),
        ("UPDATE predictions SET tags = '[\"slow\"]' WHERE id = 'H3.P1'", "tags"),
        ("UPDATE hypotheses SET tags = '[\"induction\"]' WHERE id = 'H1'", "tags"),
        ("UPDATE hypotheses SET tags = '[\"mlp\"]' WHERE id = 'H3'", "tags"),
    ],
)
def test_an_sql_edit_of_what_a_prediction_states_is_caught(stated, logbook_db, capsys, sql, name):
    tamper(stated, sql)
    record = "hypothesis" if "hypotheses" in sql else "prediction"
    ident = sql.rsplit("'", 2)[-2]
    code, printed = verify(capsys, "--db", str(logbook_db))
    verb = "differ" if name.endswith("s") else "differs"  # "tags differ", "base_rate differs"
    assert code == 1 and f"{record} {ident}'s {name} {verb} from its recorded history" in printed, printed


def test_tags_changed_through_the_logbook_are_in_the_history(stated):
    assert stated.tag("H1.P1", "period7") == ["layer1", "period7", "quick"]
    assert stated.tag("H3", ["mlp"], replace=True) == ["mlp"]
    assert stated.tag("H3", "mlp") == ["mlp"]  # no change: no event
    kinds = [e["kind"] for e in stated.db.query("SELECT kind FROM events ORDER BY id")]
    assert kinds.count("prediction.tagged") == 1 and kinds.count("hypothesis.tagged") == 2
    assert problems(stated) == []
    tamper(stated, "UPDATE predictions SET tags = '[\"layer1\", \"quick\"]' WHERE id = 'H1.P1'")
    assert any("prediction H1.P1's tags differ" in p for p in problems(stated))


def test_a_revised_prediction_keeps_its_odds_and_verifies(stated):
    judge(stated, "H1.P1", held=False)
    revised = stated.update_prediction("H1.P1", credence=0.7)
    assert revised.id == "H1.P2" and revised.revises == "H1.P1"
    assert revised.likelihoods == {"H2": 0.3, "else": 0.5} and revised.tags == ["layer1", "quick"]
    assert revised.resolve_by == stated.prediction("H1.P1").resolve_by
    assert problems(stated) == []
    tamper(stated, "UPDATE predictions SET likelihoods = '{\"H2\": 0.01}' WHERE id = 'H1.P2'")
    assert any("prediction H1.P2's likelihoods differ" in p for p in problems(stated))


def test_an_edited_export_of_odds_differs_from_its_own_chain_and_the_logbook(stated, logbook_db, capsys):
    path = stated.path.parent.parent / "log.json"
    assert main(["export", "--db", str(logbook_db), "-o", str(path)]) == 0
    assert verify(capsys, str(path))[0] == 0

    def change(data):
        prediction = data["hypotheses"][0]["predictions"][0]
        prediction["likelihoods"]["H2"] = 0.05
        prediction["resolve_by"] = "2040-01-01T00:00:00Z"
        data["hypotheses"][0]["tags"] = []
        data["hypotheses"][2]["predictions"][0]["base_rate"] = 0.9

    edit(path, change)
    code, printed = verify(capsys, str(path))
    assert code == 1
    for what in (
        "prediction H1.P1's likelihoods differ",
        "prediction H1.P1's resolve_by differs",
        "hypothesis H1's tags differ",
    ):
        assert f"{what} from the export's own chain" in printed, printed
    code, printed = verify(capsys, str(path), "--db", str(logbook_db))
    assert code == 1 and "prediction H3.P1's base_rate differs from the logbook's history" in printed, printed


def test_odds_written_as_json_text_by_an_earlier_version_still_replay(stated):
    """Before tags joined it, the prediction.odds event held the likelihoods as JSON text."""
    from logbook.audit.replay import replay

    text = json.dumps({"likelihoods": json.dumps({"H2": 0.3}), "base_rate": None})
    state = replay(
        [
            (
                1,
                "2026-01-01T00:00:00+00:00",
                "prediction.written",
                "H1.P1",
                json.dumps({"hypothesis_id": "H1", "expression": "x > 1", "credence": 0.8}),
            ),
            (2, "2026-01-01T00:00:01+00:00", "prediction.odds", "H1.P1", text),
        ]
    )
    assert state.problems == [] and state.records[("prediction", "H1.P1")]["likelihoods"] == {"H2": 0.3}


def test_tags_an_earlier_version_wrote_without_events_enter_the_chain_on_upgrade(logbook_db):
    """Tags written before tags had events are chained once, marked backfilled; editing them after is caught."""
    from logbook.store.core import Store

    with Store(logbook_db) as store:
        store.add_hypothesis("layer 1 copies", 0.6)
        store.add_prediction("H1", "score > 0.5", 0.8)
        # As the earlier version wrote them: the columns only, no event.
        store.db.execute("UPDATE hypotheses SET tags = ? WHERE id = 'H1'", [json.dumps(["induction"])])
        store.db.execute("UPDATE predictions SET tags = ? WHERE id = 'H1.P1'", [json.dumps(["quick"])])
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm025_tags_in_chain'")
        store.db.conn.commit()
        assert "tags" in verify_logbook(store).summary()
    with Store(logbook_db) as upgraded:
        result = verify_logbook(upgraded)
        assert result.ok, result.summary()
        backfilled = [
            (subject, json.loads(payload))
            for subject, payload in upgraded.db.execute(
                "SELECT subject, payload FROM events WHERE kind LIKE '%.tagged' ORDER BY id"
            )
        ]
        assert backfilled == [
            ("H1", {"tags": ["induction"], "backfilled": True}),
            ("H1.P1", {"tags": ["quick"], "backfilled": True}),
        ]
        upgraded.db.execute("UPDATE predictions SET tags = ? WHERE id = 'H1.P1'", [json.dumps(["slow"])])
        upgraded.db.conn.commit()
        assert "tags" in verify_logbook(upgraded).summary()
