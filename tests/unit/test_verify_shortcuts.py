"""`logbook verify`'s shortcuts hash exactly the text the general code hashes, and find what it finds."""

import gc
import hashlib
import json

import pytest

from logbook.audit.chain import chain_hashes, intact
from logbook.audit.verify import verify_logbook
from logbook.store.cell_digest import COLUMNS, _digest, _plain_text, columns_digest, row_digest
from logbook.store.tables.events import GENESIS, event_hash
from tests.kernel.test_honest_record import judge

AWKWARD = [
    "",
    "plain",
    'é "quoted" \\ back',
    "tab\tnew\nline \x01\x1f\x7f",
    "\u2028 ∑ 🙂",
    "lone \ud800 surrogate",
]


def chained(fields: list[tuple]) -> list[tuple]:
    """Events ``(id, at, kind, subject, payload, prev_hash, hash)`` chained from ``(at, kind, subject, payload)``."""
    events, prev = [], GENESIS
    for event_id, (at, kind, subject, payload) in enumerate(fields, 1):
        digest = event_hash(prev, event_id, at, kind, subject, payload)
        events.append((event_id, at, kind, subject, payload, prev, digest))
        prev = digest
    return events


@pytest.mark.parametrize("text", [t for t in AWKWARD if "\ud800" not in t])
def test_chain_hashes_are_the_event_hashes(text):
    events = chained(
        [(f"2026-01-0{n}T00:00:00{text}", text, f"N{n}{text}", json.dumps({"t": text})) for n in (1, 2)]
    )
    assert chain_hashes(events) == [e[6] for e in events]
    assert intact(events)


def test_an_event_of_an_odd_type_is_hashed_as_event_hash_hashes_it():
    events = chained([("2026-01-01", "note.written", "N1", "{}")])
    odd = [(events[0][0], 20260101, *events[0][2:])]
    assert chain_hashes(odd) == [event_hash(GENESIS, 1, 20260101, "note.written", "N1", "{}")]  # type: ignore[arg-type]
    assert not intact(odd)


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e[:1] + ("2026-01-01T00:00:01",) + e[2:],  # content changed
        lambda e: (3,) + e[1:],  # an event missing before it
        lambda e: e[:5] + ("f" * 64,) + e[6:],  # linked to another event
        lambda e: (
            e[:1] + ("2025-12-31",) + e[2:5] + (e[5], event_hash(e[5], 2, "2025-12-31", *e[2:5]))
        ),  # backdated
    ],
)
def test_a_chain_with_anything_wrong_is_not_intact(change):
    events = chained([("2026-01-01T00:00:00", "note.written", f"N{n}", "{}") for n in (1, 2, 3)])
    assert intact(events) and not intact([events[0], change(events[1]), events[2]])


def test_no_chain_is_intact():
    assert intact([])


def general_digest(values: tuple, outputs: list[tuple]) -> str:
    """The digest through the JSON encoder, as :func:`row_digest` computes it."""
    row = dict(zip(COLUMNS, values))
    return row_digest(row, outputs)


ROW = (
    7,
    "s1",
    "c1",
    3,
    "x = 1",
    "2026-01-01T00:00:00+00:00",
    2.5,
    1,
    None,
    None,
    None,
    "",
    "",
    '{"x": 1}',
    None,
)
ROW += ("confirm", "nb.ipynb#c1", "ada")


@pytest.mark.parametrize("text", AWKWARD)
@pytest.mark.parametrize(
    "column", ["session", "cell_id", "source", "started_at", "stdout", "names", "author"]
)
def test_a_plain_rows_text_is_what_the_encoder_writes(text, column):
    values = tuple(text if name == column else v for name, v in zip(COLUMNS, ROW))
    outputs = [("text/plain", "ab" * 32, 4, False), (text or "x", "cd", 0, 1)]
    assert _plain_text(values, outputs) is not None
    assert columns_digest(values, outputs) == general_digest(values, outputs)


@pytest.mark.parametrize(
    "changes",
    [
        {"session": None, "cell_id": None, "execution_count": None, "source": None, "stdout": None},
        {"names": None, "torch": None, "mode": None, "cell_key": None, "author": None},
        {"error_name": "ValueError", "error_value": None, "traceback": "line 1\n"},
        {"error_name": "KeyError", "error_value": "'x'", "traceback": None, "ok": 0},
        {"duration_ms": 3, "ok": "yes"},
        {"duration_ms": 1e-05},
        {"duration_ms": 1.0e300 * 10},
        {"duration_ms": float("nan")},
        {"duration_ms": "3.0"},
        {"id": True},
        {"execution_count": 2.0},
        {"author": 5},
        {"error_name": "E", "error_value": 1},
    ],
)
def test_every_row_digests_as_the_encoder_would(changes):
    values = tuple(changes.get(name, v) for name, v in zip(COLUMNS, ROW))
    assert columns_digest(values, []) == general_digest(values, [])


@pytest.mark.parametrize(
    "changes",
    [
        {"duration_ms": float("inf")},
        {"id": True},
        {"source": b"x"},
        {"execution_count": 2.0},
        {"session": 3},
        {"author": 5},
        {"error_name": "E", "error_value": 1},
    ],
)
def test_a_row_with_a_value_json_writes_otherwise_takes_the_encoder(changes):
    values = tuple(changes.get(name, v) for name, v in zip(COLUMNS, ROW))
    assert _plain_text(values, []) is None


def test_outputs_of_other_types_take_the_encoder():
    assert _plain_text(ROW, [("text/plain", "ab", 4.0, False)]) is None
    assert columns_digest(ROW, [("text/plain", "ab", 4.0, False)]) == general_digest(
        ROW, [("text/plain", "ab", 4.0, False)]
    )


def test_the_plain_text_is_the_json_the_digest_is_taken_over():
    text = _plain_text(ROW, [])
    assert text is not None
    assert json.loads(text)[:3] == [{"author": "ada"}, 7, "s1"]
    assert _digest(json.loads(text)) == hashlib.sha256(text.encode()).hexdigest() == columns_digest(ROW, [])


# -- the whole check ---------------------------------------------------------


@pytest.fixture
def research(store):
    """A judged prediction (so a recorded cell) and a note."""
    h = store.add_hypothesis("head 0.1 copies tokens", 0.6)
    store.add_prediction(h.id, "score > 0.5", 0.8)
    judge(store, "H1.P1", held=True)
    store.add_note("check the period")
    return store


def test_a_cell_written_without_its_event_is_found(research):
    research.db.execute(
        "INSERT INTO experiments (id, source, started_at, duration_ms, ok, names)"
        " VALUES (99, 'x = 1', '2026-01-01T00:00:00+00:00', 1.0, 1, '{}')"
    )
    research.db.conn.commit()
    assert "experiment 99 has no recorded history" in verify_logbook(research).summary()


def test_a_changed_cell_and_a_changed_note_are_both_found_in_the_tables_order(research):
    research.db.execute("UPDATE experiments SET stdout = 'forged' WHERE id = 1")
    research.db.execute("UPDATE notes SET text = 'forged' WHERE id = 1")
    research.db.conn.commit()
    problems = verify_logbook(research).problems
    assert [p.split(" ")[:2] for p in problems] == [["note", "1's"], ["experiment", "1"]]


@pytest.mark.parametrize("enabled", [True, False])
def test_verify_leaves_the_cycle_collector_as_it_found_it(research, enabled):
    (gc.enable if enabled else gc.disable)()
    try:
        assert verify_logbook(research).ok
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        ("UPDATE evidence SET credence = 0.9 WHERE id = 1", "evidence 1's credence differs"),
        ("UPDATE evidence SET created_at = '2020-01-01T00:00:00+00:00'", "evidence 1's created_at differs"),
        ("DELETE FROM evidence WHERE id = 1", "evidence 1 is in the recorded history but missing"),
        (
            "INSERT INTO evidence (id, prediction_id, hypothesis_id, prediction, observed, credence, experiment_id,"
            " created_at) SELECT 2, prediction_id, hypothesis_id, prediction, observed, credence, experiment_id,"
            " created_at FROM evidence",
            "evidence 2 has no recorded history",
        ),
    ],
)
def test_evidence_changed_added_or_removed_is_found(research, edit, said):
    research.db.execute(edit)
    research.db.conn.commit()
    assert said in verify_logbook(research).summary()
