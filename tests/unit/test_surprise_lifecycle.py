"""A surprise stays open until one action closes it: refuted, credence updated, explained or dismissed."""

import getpass
import json
import sqlite3

import pytest
from sqlite_utils import Database

import logbook
from logbook.audit.verify import verify_logbook
from logbook.errors import AlreadyDone
from logbook.report.exporting import render
from logbook.store.core import LogbookError, Store
from logbook.store.schema import migrations


def failed_prediction(store, credence=0.7, statement="layer 1 copies"):
    """A hypothesis whose prediction failed; returns the surprise."""
    h = store.add_hypothesis(statement, credence)
    p = store.add_prediction(h.id, "copy_score > 0.5", 0.8)
    with store.transaction():
        sid = store.add_judgement(
            held=False, prediction=p, observed={}, surprisal_bits=2.32, experiment_id=None
        )
    return store.surprise(sid)


def events_of(store, subject):
    return [(e["kind"], e["payload"]) for e in store.iter_events(subject)]


def test_a_new_surprise_is_open_and_unread(store):
    surprise = failed_prediction(store)
    assert (surprise.status.value, surprise.read, surprise.resolution) == ("open", False, None)
    assert store.unread_surprises() == 1
    store.mark_surprise_read("S1")
    assert store.unread_surprises() == 0 and store.surprise(1).status.value == "open"
    assert events_of(store, "S1") == [("surprise.read", {"read": True})]


def test_refuting_needs_a_reason_and_records_credence_zero_in_the_history(store):
    failed_prediction(store)
    with pytest.raises(LogbookError, match="needs a reason"):
        store.resolve_surprise(1, "refuted")
    assert store.surprise(1).status.value == "open"
    closed = store.resolve_surprise(1, "refuted", reason="patching shows position, not content", by="ada")
    assert (closed.status.value, closed.resolution.value, closed.resolved_by) == (
        "acted_on",
        "refuted",
        "ada",
    )
    assert closed.explanation == "patching shows position, not content" and closed.read
    h = store.hypothesis("H1")
    assert h.status.value == "refuted"
    assert [(c.credence, c.reason) for c in h.history][-1] == (0.0, "patching shows position, not content")
    assert events_of(store, "S1")[-1] == (
        "surprise.resolved",
        {
            "resolution": "refuted",
            "status": "acted_on",
            "explanation": "patching shows position, not content",
            "by": "ada",
            "hypothesis_id": "H1",
            "credence": None,
        },
    )
    assert events_of(store, "H1")[-1][1]["previous_credence"] == 0.7


def test_refuting_with_a_credence_records_that_credence(store):
    failed_prediction(store)
    store.resolve_surprise("S1", "refuted", reason="mostly wrong", credence=0.05)
    assert store.hypothesis("H1").credence == 0.05


def test_updating_credence_needs_the_credence_and_a_reason(store):
    failed_prediction(store)
    with pytest.raises(LogbookError, match="new credence"):
        store.resolve_surprise(1, "credence_updated", reason="weaker")
    with pytest.raises(LogbookError, match="credence"):
        store.resolve_surprise(1, "credence_updated", credence=1.5, reason="weaker")
    with pytest.raises(LogbookError, match="needs a reason"):
        store.resolve_surprise(1, "credence_updated", credence=0.4)
    closed = store.resolve_surprise(1, "credence_updated", credence=0.4, reason="only half the heads copy")
    assert (closed.status.value, closed.resolution.value) == ("acted_on", "credence_updated")
    h = store.hypothesis("H1")
    assert (h.status.value, h.credence, h.history[-1].reason) == ("active", 0.4, "only half the heads copy")


def test_explaining_or_dismissing_changes_no_belief(store):
    failed_prediction(store)
    store.add_manual_surprise("BOS gets all the attention")
    explained = store.resolve_surprise(1, "explained", explanation="the probe read the wrong layer")
    dismissed = store.resolve_surprise(2, "dismissed")
    assert (explained.status.value, explained.resolution.value) == ("explained", "explained")
    assert (dismissed.status.value, dismissed.resolution.value) == ("explained", "dismissed")
    assert store.hypothesis("H1").credence == 0.7 and len(store.hypothesis("H1").history) == 1
    with pytest.raises(LogbookError, match="changes no credence"):
        store.resolve_surprise(failed_prediction(store, statement="x").id, "explained", credence=0.2)


def test_the_user_defaults_to_who_runs_the_process(store):
    failed_prediction(store)
    assert store.resolve_surprise(1, "dismissed").resolved_by == getpass.getuser()


def test_a_surprise_is_resolved_once(store):
    failed_prediction(store)
    store.resolve_surprise(1, "explained", explanation="seed effect")
    with pytest.raises(LogbookError, match=r"already resolved \(explained.*cannot also be refuted"):
        store.resolve_surprise(1, "refuted", reason="changed my mind")
    assert store.hypothesis("H1").status.value == "active"


def test_a_flag_without_a_hypothesis_cannot_refute_or_update(store):
    store.add_manual_surprise("odd spike")
    with pytest.raises(LogbookError, match="not about a hypothesis"):
        store.resolve_surprise(1, "refuted", reason="x")
    with pytest.raises(LogbookError, match="unknown action 'ignored'"):
        store.resolve_surprise(1, "ignored")


def test_surprises_are_listed_by_status(store):
    for n in range(3):
        failed_prediction(store, statement=f"h{n}")
    store.resolve_surprise(2, "explained", explanation="known")
    store.resolve_surprise(3, "credence_updated", credence=0.2, reason="weaker")
    ids = {status: [s.id for s in store.surprises(status)] for status in ("open", "explained", "acted_on")}
    assert ids == {"open": [1], "explained": [2], "acted_on": [3]}
    assert [s.id for s in store.surprises("resolved")] == [2, 3]
    assert [s.id for s in store.surprises("all")] == [s.id for s in store.surprises()] == [1, 2, 3]
    with pytest.raises(LogbookError, match="unknown surprise status 'read'"):
        store.surprises("read")


def test_status_changes_treat_credence_by_one_rule(store):
    for statement in ("supported", "refuted", "abandoned", "given"):
        store.add_hypothesis(statement, 0.6)
    assert store.set_status("H1", "supported", "held twice").credence == 0.6
    assert store.set_status("H2", "refuted", "failed twice").credence == 0.0
    assert store.set_status("H3", "abandoned").credence == 0.6
    assert store.set_status("H4", "supported", "held", credence=0.9).credence == 0.9
    for hid, reason in (("H1", "held twice"), ("H3", "abandoned"), ("H4", "held")):
        assert store.hypothesis(hid).history[-1].reason == reason
    with pytest.raises(LogbookError, match="unknown status 'dead'"):
        store.set_status("H1", "dead")


def test_the_python_api_lists_and_resolves_surprises(logbook_db):
    with Store(logbook_db) as store:
        failed_prediction(store)
    (open_one,) = logbook.surprises()
    assert repr(open_one) == "S1  copy_score > 0.5  (H1.P1 failed, 2.32 bits; open, unread)"
    assert "<code>copy_score &gt; 0.5</code>" in open_one._repr_html_()
    open_one.refute("position, not content")
    assert repr((open_one.status, open_one.resolution)) == "('acted_on', 'refuted')"
    assert logbook.get("H1").status == "refuted" and logbook.surprises() == []
    assert [s.id for s in logbook.surprises("acted_on")] == [1]
    flagged = logbook.surprise("odd spike")
    assert logbook.get(f"S{flagged.id}").explain("a logging bug").status == "explained"
    with pytest.raises(LogbookError, match="unknown surprise status"):
        logbook.surprises("closed")


def test_exports_carry_the_lifecycle_and_the_report_says_what_closed_each(store):
    failed_prediction(store)
    store.add_manual_surprise("BOS gets all the attention")
    store.resolve_surprise(1, "refuted", reason="position, not content", by="ada")
    exported = json.loads(render(store, "json"))["surprises"]
    assert {k: exported[0][k] for k in ("status", "resolution", "explanation", "resolved_by", "read")} == {
        "status": "acted_on",
        "resolution": "refuted",
        "explanation": "position, not content",
        "resolved_by": "ada",
        "read": True,
    }
    assert exported[0]["resolved_at"] and exported[1]["resolution"] is None
    report = render(store, "md")
    assert "Acted on: the hypothesis was refuted by ada" in report
    assert "position, not content." in report and "Open: no action taken yet." in report


def test_old_statuses_migrate_to_the_lifecycle(tmp_path):
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m007_surprise_lifecycle")
    for status in ("unread", "read", "explained"):
        old["surprises"].insert(
            {
                "observed": "{}",
                "created_at": "2026-01-01T00:00:00+00:00",
                "manual": 1,
                "note": status,
                "status": status,
            }
        )
    old["events"].insert(
        {
            "id": 1,
            "at": "2026-01-02T10:00:00+00:00",
            "kind": "surprise.status",
            "subject": "S3",
            "payload": '{"status": "explained"}',
            "prev_hash": "0" * 64,
            "hash": "x",
        }
    )
    old.close()
    with Store(path) as store:
        migrated = {s.note: s for s in store.surprises()}
        assert [(migrated[n].status.value, migrated[n].read) for n in ("unread", "read", "explained")] == [
            ("open", False),
            ("open", True),
            ("explained", True),
        ]
        assert migrated["explained"].resolution.value == "explained"
        assert migrated["explained"].resolved_at.isoformat() == "2026-01-02T10:00:00+00:00"
        store.db["surprises"].insert({"observed": "{}", "created_at": "2026-01-03T00:00:00+00:00"})
        assert store.surprises("open")[-1].status.value == "open"


def test_refuting_a_hypothesis_closes_its_open_prediction_surprises(store):
    failed_prediction(store)
    with (
        store.transaction()
    ):  # H1.P1 holds, then fails again: a second surprise; and one of another hypothesis
        for held in (True, False):
            store.add_judgement(
                held=held,
                prediction=store.prediction("H1.P1"),
                observed={},
                surprisal_bits=2.3,
                experiment_id=None,
            )
    failed_prediction(store, statement="layer 2 copies")
    store.resolve_surprise(1, "explained", explanation="seed effect")
    store.add_manual_surprise("odd spike", hypothesis_id="H1")
    store.set_status("H1", "refuted", "ablation changes nothing")
    closed = {
        s.id: (s.status.value, s.resolution and s.resolution.value, s.explanation) for s in store.surprises()
    }
    assert closed == {
        1: ("explained", "explained", "seed effect"),
        2: ("acted_on", "refuted", "ablation changes nothing"),
        3: ("open", None, ""),  # another hypothesis
        4: ("open", None, ""),  # flagged by hand: yours to close
    }
    assert [kind for kind, _ in events_of(store, "S2")] == ["surprise.resolved"]
    assert [c.reason for c in store.hypothesis("H1").history] == ["stated", "ablation changes nothing"]
    assert verify_logbook(store).problems == []


def test_refuting_from_one_surprise_closes_the_others_and_writes_one_credence_line(store):
    failed_prediction(store)
    store.add_prediction("H1", "copy_score > 0.4", 0.8)  # a second surprise of H1
    with store.transaction():
        store.add_judgement(
            held=False,
            prediction=store.prediction("H1.P2"),
            observed={},
            surprisal_bits=2.3,
            experiment_id=None,
        )
    store.resolve_surprise(1, "refuted", reason="position, not content", credence=0.1)
    assert [(s.id, s.resolution.value, s.explanation) for s in store.surprises("acted_on")] == [
        (1, "refuted", "position, not content"),
        (2, "refuted", "position, not content"),
    ]
    assert [c.credence for c in store.hypothesis("H1").history] == [0.7, 0.1]
    store.add_manual_surprise("odd spike", hypothesis_id="H1")
    store.resolve_surprise(3, "refuted", reason="still refuted")  # already refuted: no second line
    assert [c.credence for c in store.hypothesis("H1").history] == [0.7, 0.1]
    assert verify_logbook(store).problems == []


def test_a_hypothesis_is_refuted_once(store):
    store.add_hypothesis("layer 1 copies", 0.7)
    store.set_status("H1", "refuted", "ablation")
    with pytest.raises(AlreadyDone, match="H1 is already refuted; nothing changed"):
        store.set_status("H1", "refuted", "ablation again")
    assert [c.credence for c in store.hypothesis("H1").history] == [0.7, 0.0]
    assert store.set_status("H1", "active", "reopened").status.value == "active"
    assert store.set_status("H1", "refuted", "ablation, again").status.value == "refuted"


def test_the_same_action_again_leaves_a_closed_surprise_as_it_was(store):
    failed_prediction(store)
    closed = store.resolve_surprise(1, "dismissed", explanation="noise")
    before = store.count("events")
    assert store.resolve_surprise(1, "dismissed", explanation="noise, again") == closed
    assert store.count("events") == before
