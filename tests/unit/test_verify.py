"""`logbook verify`: the event chain and the records agree, and any change made behind the logbook's back shows."""

import hashlib
import json
import sqlite3

import pytest
from sqlite_utils import Database

from logbook.audit.verify import verify_logbook
from logbook.cli.main import main
from logbook.store.core import Store
from logbook.store.schema import migrations
from logbook.store.tables.events import GENESIS, canonical, event_hash
from tests.kernel.test_honest_record import judge


@pytest.fixture
def research(store):
    """A hypothesis with a failed, revised prediction, a surprise explained, a note and a mode."""
    h = store.add_hypothesis("head 0.1 copies tokens", 0.6)
    store.add_prediction(h.id, "score > 0.5", 0.8)
    judge(store, "H1.P1", held=False)
    store.update_prediction("H1.P1", expression="score > 0.05")
    judge(store, "H1.P2", held=True)
    store.resolve_surprise(1, "explained", explanation="score was measured on the wrong layer", by="ada")
    store.add_manual_surprise("the pattern looks odd")
    store.update_credence(h.id, 0.4, "weak score")
    store.add_note("check the period")
    store.set_mode("red-team")
    return store


def verify(capsys, *args):
    """Run `logbook verify`; returns (exit code, what it printed)."""
    code = main(["verify", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def tamper(store, *statements):
    """Change the file as someone with the file could: drop the append-only guards, then edit."""
    store.db.execute("DROP TRIGGER IF EXISTS events_no_update")
    store.db.execute("DROP TRIGGER IF EXISTS events_no_delete")
    for sql in statements:
        store.db.execute(sql)
    store.db.conn.commit()


def test_a_fresh_logbook_verifies(research, logbook_db, capsys):
    head = research.chain_head()
    code, printed = verify(capsys, "--db", str(logbook_db))
    assert code == 0 and printed.startswith(f"ok: {head['events']} events, head {head['hash']}")
    assert (
        f"sealed by {research.seals()[0]['author']} (your key, checked) at event {head['events']}" in printed
    )


def test_an_empty_logbook_verifies(store, logbook_db, capsys):
    assert verify(capsys, "--db", str(logbook_db)) == (0, f"ok: 0 events, head {GENESIS}\n")


def test_a_changed_event_breaks_its_hash(research, logbook_db, capsys):
    tamper(research, "UPDATE events SET payload = replace(payload, '0.5', '0.9') WHERE id = 2")
    code, printed = verify(capsys, "--db", str(logbook_db))
    assert code == 1
    assert (
        "event 2 (prediction.written H1.P1) was changed: its hash does not match" in printed.splitlines()[0]
    )


def test_a_backdated_event_breaks_its_hash(research, logbook_db, capsys):
    tamper(research, "UPDATE events SET at = '2020-01-01T00:00:00+00:00' WHERE id = 2")
    assert "event 2 (prediction.written H1.P1) was changed" in verify(capsys, "--db", str(logbook_db))[1]


def test_a_removed_event_is_named(research, logbook_db, capsys):
    tamper(research, "DELETE FROM events WHERE id = 3")
    code, printed = verify(capsys, "--db", str(logbook_db))
    assert code == 1 and "event 3 is missing from the history" in printed


def test_an_event_rewritten_with_a_fresh_hash_breaks_the_next_one(research, logbook_db, capsys):
    row = research.db.execute("SELECT * FROM events WHERE id = 2").fetchone()
    payload = canonical({**json.loads(row[4]), "expression": "score > 0.9"})
    digest = event_hash(row[5], 2, row[1], row[2], row[3], payload)
    tamper(research, f"UPDATE events SET payload = '{payload}', hash = '{digest}' WHERE id = 2")
    assert (
        "event 3 (experiment.recorded E1) does not follow the event before it"
        in verify(capsys, "--db", str(logbook_db))[1]
    )


def test_a_changed_prediction_differs_from_its_history(research, logbook_db, capsys):
    tamper(research, "UPDATE predictions SET expression = 'score > 0.01' WHERE id = 'H1.P1'")
    code, printed = verify(capsys, "--db", str(logbook_db))
    assert code == 1
    assert printed.startswith(
        "logbook verify: prediction H1.P1's expression differs from its recorded history"
    )


def test_a_backdated_prediction_differs_from_its_history(research, logbook_db, capsys):
    tamper(research, "UPDATE predictions SET created_at = '2020-01-01T00:00:00+00:00' WHERE id = 'H1.P2'")
    assert (
        "prediction H1.P2's created_at differs from its recorded history"
        in verify(capsys, "--db", str(logbook_db))[1]
    )


@pytest.mark.parametrize(
    "sql, message",
    [
        ("UPDATE predictions SET state = 'held', first_verdict = 'held' WHERE id = 'H1.P1'", "H1.P1's state"),
        ("UPDATE predictions SET credence = 0.99 WHERE id = 'H1.P2'", "H1.P2's credence"),
        ("UPDATE surprises SET surprisal_bits = 0.1 WHERE id = 1", "surprise 1's surprisal_bits"),
        ("UPDATE surprises SET status = 'unread' WHERE id = 1", "surprise 1's status"),
        ("UPDATE evidence SET observed = '{}' WHERE id = 1", "evidence 1's observed"),
        ("UPDATE hypotheses SET statement = 'something else'", "hypothesis H1's statement"),
        ("UPDATE credence_history SET credence = 0.9 WHERE reason = 'weak score'", "H1's credence history"),
        ("UPDATE notes SET text = 'later thoughts'", "note 1's text"),
        ("UPDATE modes SET mode = 'confirm'", "mode 1's mode"),
        ("DELETE FROM surprises WHERE id = 2", "surprise 2 is in the recorded history but missing"),
        (
            "INSERT INTO predictions (id, hypothesis_id, seq, kind, expression, names, credence, created_at, state)"
            " VALUES ('H1.P9', 'H1', 9, 'expression', 'x > 1', '[\"x\"]', 0.5, '2020-01-01', 'pending')",
            "prediction H1.P9 has no recorded history",
        ),
    ],
)
def test_every_record_is_checked_against_its_history(research, logbook_db, capsys, sql, message):
    tamper(research, sql)
    code, printed = verify(capsys, "--db", str(logbook_db))
    assert code == 1 and message in printed


def test_an_appended_edit_of_a_judged_prediction_is_refused(research, logbook_db, capsys):
    with research.transaction():
        research.db.execute("UPDATE predictions SET expression = 'score > 0.01' WHERE id = 'H1.P1'")
        research.append_event("prediction.edited", "H1.P1", {"expression": "score > 0.01"})
    assert "edits a prediction after its first verdict" in verify(capsys, "--db", str(logbook_db))[1]


def test_a_rewritten_history_no_longer_holds_the_published_head(research, logbook_db, capsys):
    published = research.chain_head()["hash"]
    assert verify(capsys, "--db", str(logbook_db), "--head", published)[0] == 0
    rows = research.db.execute("SELECT id, at, kind, subject, payload FROM events ORDER BY id").fetchall()
    rows[1] = (*rows[1][:4], rows[1][4].replace("0.5", "0.01"))
    statements, prev = ["DELETE FROM events"], GENESIS
    for event_id, at, kind, subject, payload in rows:
        digest = event_hash(prev, event_id, at, kind, subject, payload)
        statements.append(
            f"INSERT INTO events VALUES ({event_id}, '{at}', '{kind}', '{subject}', '{payload}', '{prev}', '{digest}')"
        )
        prev = digest
    statements.append("UPDATE predictions SET expression = 'score > 0.01' WHERE id = 'H1.P1'")
    tamper(research, *statements)
    code, printed = verify(capsys, "--db", str(logbook_db))
    assert code == 1 and "the history was rewritten after" in printed  # the seal no longer matches
    code, printed = verify(capsys, "--db", str(logbook_db), "--head", published)
    assert code == 1 and f"the published chain head {published} is not in this logbook's history" in printed


def test_a_backdated_event_appended_later_is_found(research, logbook_db, capsys):
    with research.transaction():
        research.append_event("note.written", "N9", {"text": "x"}, at="2020-01-01T00:00:00+00:00")
    assert (
        "is dated 2020-01-01T00:00:00+00:00, before the event before it"
        in verify(capsys, "--db", str(logbook_db))[1]
    )


@pytest.mark.parametrize("text", ["plain", 'é "quoted" \\ back', "tab\tnew\nline \x01", "\u2028 ∑"])
def test_the_event_hash_is_taken_over_canonical_json(text):
    body = canonical({"id": 7, "at": text, "kind": "k", "subject": text, "payload": text})
    assert (
        event_hash(GENESIS, 7, text, "k", text, text)
        == hashlib.sha256(f"{GENESIS}\n{body}".encode()).hexdigest()
    )


# -- exports -----------------------------------------------------------------


@pytest.fixture
def exported(research):
    path = research.path.parent.parent / "log.json"
    assert main(["export", "--db", str(research.path), "-o", str(path)]) == 0
    return path


def edit(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_an_export_carries_the_chain_head_and_verifies_alone_and_against_the_logbook(
    research, exported, logbook_db, capsys
):
    head = research.chain_head()
    assert json.loads(exported.read_text())["chain_head"] == head
    assert verify(capsys, str(exported)) == (0, f"ok: {head['events']} events, head {head['hash']}\n")
    assert verify(capsys, str(exported), "--db", str(logbook_db))[0] == 0


def test_an_older_export_still_verifies_against_a_logbook_that_moved_on(
    research, exported, logbook_db, capsys
):
    research.update_prediction("H1.P2", expression="score > 0.06")
    research.add_note("more work")
    assert verify(capsys, str(exported), "--db", str(logbook_db))[0] == 0


def test_an_edited_export_differs_from_the_logbooks_history(exported, logbook_db, capsys):
    edit(exported, lambda d: d["hypotheses"][0]["predictions"][0].update(expression="score > 0.01"))
    code, printed = verify(capsys, str(exported), "--db", str(logbook_db))
    assert code == 1 and "prediction H1.P1's expression differs from the logbook's history" in printed


def test_a_backdated_prediction_in_an_export_differs_from_the_logbooks_history(exported, logbook_db, capsys):
    edit(exported, lambda d: d["hypotheses"][0]["predictions"][1].update(created_at="2020-01-01T00:00:00Z"))
    assert (
        "prediction H1.P2's created_at differs from the logbook's history"
        in verify(capsys, str(exported), "--db", str(logbook_db))[1]
    )


def test_an_export_checks_its_own_consistency(exported, capsys):
    def later(d):
        prediction = d["hypotheses"][0]["predictions"][0]
        prediction.update(created_at="2099-01-01T00:00:00Z", first_verdict="held")

    edit(exported, later)
    code, printed = verify(capsys, str(exported))
    assert code == 1
    assert "prediction H1.P1's first_verdict differs from its verdicts" in printed
    assert "prediction H1.P1 has a verdict from before it was written" in printed


def test_an_export_from_another_history_is_refused(exported, logbook_db, capsys):
    edit(exported, lambda d: d["chain_head"].update(hash="f" * 64))
    assert "is not in this logbook's history" in verify(capsys, str(exported), "--db", str(logbook_db))[1]


def test_a_file_that_is_not_an_export_gets_a_clear_error(tmp_path, capsys):
    path = tmp_path / "notes.json"
    path.write_text('{"format": "something"}')
    code, printed = verify(capsys, str(path))
    assert code == 2 and "is not a logbook export" in printed


def test_markdown_and_html_reports_carry_the_chain_head(research):
    head = research.chain_head()
    for format in ("md", "html"):
        out = research.path.parent.parent / f"log.{format}"
        assert main(["export", "--db", str(research.path), "-f", format, "-o", str(out)]) == 0
        assert f"History: {head['events']} events, chain head" in out.read_text()
        assert head["hash"] in out.read_text()


# -- logbooks from before the history ------------------------------------------


def first_version_logbook(path):
    """A logbook as the first version wrote it: records, and no events."""
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m002_lookup_indexes")
    t = "2026-01-01T10:{:02d}:00+00:00".format
    old["hypotheses"].insert_all(
        [
            dict(id="H1", seq=1, statement="copying", credence=0.0, status="refuted", created_at=t(0)),
            dict(id="H2", seq=2, statement="positional", credence=0.7, status="active", created_at=t(1)),
        ]
    )
    old["credence_history"].insert_all(
        [
            dict(hypothesis_id="H1", credence=0.6, reason="stated", at=t(0)),
            dict(hypothesis_id="H2", credence=0.5, reason="stated", at=t(1)),
            dict(hypothesis_id="H2", credence=0.7, reason="held up", at=t(6)),
            dict(hypothesis_id="H1", credence=0.0, reason="patching", at=t(7)),
        ]
    )
    prediction = dict(kind="expression", names='["score"]', credence=0.8, error=None)
    old["predictions"].insert_all(
        [
            dict(prediction, id="H1.P1", hypothesis_id="H1", seq=1, expression="score > 0.5", created_at=t(2))
            | dict(state="failed", evaluated_at=t(3)),
            # Edited after its verdict, as the first version allowed: pending again.
            dict(prediction, id="H2.P1", hypothesis_id="H2", seq=1, expression="score < 0.2", created_at=t(2))
            | dict(state="pending", evaluated_at=None),
            dict(prediction, id="H2.P2", hypothesis_id="H2", seq=2, expression="score <", created_at=t(4))
            | dict(state="error", error="SyntaxError", evaluated_at=t(5)),
        ]
    )
    judgement = dict(
        observed='{"score": {"type": "float", "value": 0.1}}',
        credence=0.8,
        surprisal_bits=2.3,
        experiment_id=1,
    )
    old["surprises"].insert(
        dict(judgement, hypothesis_id="H1", prediction_id="H1.P1", prediction="score > 0.5", created_at=t(3))
        | dict(manual=0, note="", status="explained")
    )
    old["surprises"].insert(dict(hypothesis_id="H2", observed="{}", created_at=t(8), manual=1, note="odd"))
    old["evidence"].insert(
        dict(judgement, hypothesis_id="H2", prediction_id="H2.P1", prediction="score < 0.3", created_at=t(3))
    )
    old["notes"].insert(dict(text="look again", created_at=t(9)))
    old["modes"].insert(dict(mode="explore", started_at=t(0)))
    old.close()


def test_a_logbook_from_before_the_history_gets_its_records_as_first_events(tmp_path, capsys):
    path = tmp_path / "old.db"
    first_version_logbook(path)
    with Store(path) as store:
        result = verify_logbook(store)
        assert result.ok, result.problems
        events = list(store.iter_events())
        assert events[0]["kind"] == "hypothesis.stated" and events[-1]["kind"] == "logbook.backfilled"
        assert events[-1]["payload"] == {"events": len(events) - 1}
        assert [e["at"] for e in events[:-4]] == sorted(e["at"] for e in events[:-4])
        assert store.prediction("H1.P1").first_verdict == "failed"
        assert store.prediction("H2.P1").first_verdict == "held"
        revised = store.update_prediction("H2.P1", expression="score < 0.25")
        assert revised.id == "H2.P3"
        assert verify_logbook(store).ok
    code, printed = verify(capsys, "--db", str(path))
    assert code == 0 and "reconstructed from an older logbook's records" in printed


def test_a_changed_record_of_a_migrated_logbook_is_found(tmp_path, capsys):
    path = tmp_path / "old.db"
    first_version_logbook(path)
    with Store(path) as store:
        tamper(store, "UPDATE predictions SET expression = 'score > 0.4' WHERE id = 'H1.P1'")
    assert "prediction H1.P1's expression differs" in verify(capsys, "--db", str(path))[1]


def test_a_cell_edited_behind_the_logbooks_back_breaks_verify(research, logbook_db, capsys):
    """Moving a cell's start and forging its source cannot make a prediction look written before it."""
    assert verify(capsys, "--db", str(logbook_db))[0] == 0
    tamper(
        research,
        "UPDATE experiments SET started_at = '2020-01-01T00:00:00+00:00', source = 'score = 0.9' WHERE id = 2",
    )
    code, printed = verify(capsys, "--db", str(logbook_db))
    assert code == 1 and "experiment 2 was changed after it was recorded" in printed


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        ("UPDATE experiments SET names = '{\"x\": 1}' WHERE id = 1", "experiment 1 was changed"),
        ("UPDATE experiments SET mode = 'explore' WHERE id = 1", "experiment 1 was changed"),
        ("UPDATE experiments SET ok = 0, error_name = 'ValueError' WHERE id = 1", "experiment 1 was changed"),
        ("UPDATE experiments SET stdout = 'all good' WHERE id = 1", "experiment 1 was changed"),
        ("DELETE FROM experiments WHERE id = 2", "experiment 2 is in the recorded history but missing"),
    ],
)
def test_every_part_of_a_cell_is_committed(research, logbook_db, capsys, edit, said):
    tamper(research, edit)
    code, printed = verify(capsys, "--db", str(logbook_db))
    assert code == 1 and said in printed


def test_recording_the_cell_with_its_outputs_keeps_the_output_hashes_in_the_chain(store, logbook_db, capsys):
    with store.transaction():
        store.insert_experiment(
            {
                "session": "s",
                "source": "plt.show()",
                "started_at": "2026-01-01T00:00:00+00:00",
                "duration_ms": 1.0,
                "ok": True,
                "names": "{}",
            },
            [{"mime": "image/png", "data": b"\x89PNG fake", "size": 9, "truncated": False}],
        )
    assert verify(capsys, "--db", str(logbook_db))[0] == 0
    tamper(store, "UPDATE outputs SET mime = 'text/html' WHERE experiment_id = 1")
    assert "experiment 1 was changed after it was recorded" in verify(capsys, "--db", str(logbook_db))[1]


def test_an_older_logbooks_cells_enter_the_chain_on_upgrade(tmp_path, capsys):
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m019_cells_in_chain")
    db["experiments"].insert(
        {
            "id": 1,
            "session": "s",
            "source": "x = 1",
            "started_at": "2026-01-01T00:00:00+00:00",
            "duration_ms": 1.0,
            "ok": 1,
            "names": "{}",
        }
    )
    db.conn.commit()
    db.close()
    with Store(path) as upgraded:
        (event,) = [e for e in upgraded.iter_events() if e["kind"] == "experiment.recorded"]
        assert event["subject"] == "E1" and event["payload"]["backfilled"] is True
        assert verify_logbook(upgraded).ok


def test_a_cells_figures_run_as_yours_only_when_you_recorded_it_and_it_is_unchanged(research):
    with research.transaction():
        mine = research.insert_experiment(
            {
                "source": "show()",
                "started_at": "2026-01-01T00:00:00+00:00",
                "duration_ms": 1.0,
                "ok": 1,
                "author": "ada",
            },
            [{"mime": "text/html", "data": b"<b>x</b>", "size": 8, "truncated": False}],
        )
        theirs = research.insert_experiment(
            {
                "source": "show()",
                "started_at": "2026-01-01T00:00:01+00:00",
                "duration_ms": 1.0,
                "ok": 1,
                "author": "ana",
            },
            [{"mime": "text/html", "data": b"<b>y</b>", "size": 8, "truncated": False}],
        )
    assert research.outputs_trusted(mine, user="ada") == (True, "")
    assert research.outputs_trusted(theirs, user="ada") == (False, "recorded by ana, not by you")
    tamper(
        research,
        f"UPDATE outputs SET sha256 = (SELECT sha256 FROM outputs WHERE experiment_id = {theirs})"
        f" WHERE experiment_id = {mine}",
    )
    trusted, why = research.outputs_trusted(mine, user="ada")
    assert not trusted and "changed after it was recorded" in why


def test_events_appended_many_to_a_statement_chain_in_order_and_verify(store, logbook_db, capsys):
    """A batch of 73 events (64, 8 and 1 to a statement) is one chain, in the order given, each hash its own."""
    events = [("note.added", f"N{i}", canonical({"text": f"note {i}"})) for i in range(73)]
    with store.transaction():
        hashes = store.events.append_events(events, at="2026-12-05T06:00:00+00:00")
    rows = list(store.db.query("SELECT id, subject, prev_hash, hash FROM events ORDER BY id"))
    assert [row["subject"] for row in rows] == [f"N{i}" for i in range(73)]
    assert [row["hash"] for row in rows] == hashes
    previous = GENESIS
    for row, (kind, subject, payload) in zip(rows, events):
        assert row["prev_hash"] == previous
        assert row["hash"] == event_hash(
            previous, row["id"], "2026-12-05T06:00:00+00:00", kind, subject, payload
        )
        previous = row["hash"]
    assert verify(capsys, "--db", str(logbook_db))[0] == 0
