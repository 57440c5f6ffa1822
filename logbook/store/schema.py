"""The logbook's tables, built and upgraded by sqlite-utils migrations.

Each migration runs once per logbook file, in order, inside a transaction.
Add new ones at the end; never edit one that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("logbook")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("hypotheses").create(
        {
            "id": str,
            "seq": int,
            "statement": str,
            "credence": float,
            "status": str,
            "created_at": str,
            "brainstorm_id": int,
        },
        pk="id",
        not_null={"seq", "statement", "credence", "status", "created_at"},
    )
    db.table("credence_history").create(
        {"id": int, "hypothesis_id": str, "credence": float, "reason": str, "at": str},
        pk="id",
        foreign_keys=[("hypothesis_id", "hypotheses", "id")],
    )
    db.table("predictions").create(
        {
            "id": str,
            "hypothesis_id": str,
            "seq": int,
            "kind": str,
            "expression": str,
            "names": str,
            "credence": float,
            "created_at": str,
            "state": str,
            "error": str,
            "evaluated_at": str,
        },
        pk="id",
        foreign_keys=[("hypothesis_id", "hypotheses", "id")],
    )
    db.table("brainstorms").create(
        {
            "id": int,
            "started_at": str,
            "planned_seconds": int,
            "target": int,
            "finished_at": str,
            "paused_at": str,
            "paused_seconds": float,
        },
        pk="id",
    )
    db.table("experiments").create(
        {
            "id": int,
            "session": str,
            "notebook": str,
            "cell_id": str,
            "execution_count": int,
            "source": str,
            "started_at": str,
            "duration_ms": float,
            "ok": int,
            "error_name": str,
            "error_value": str,
            "traceback": str,
            "stdout": str,
            "stderr": str,
            "output_text": str,
            "names": str,
            "torch": str,
            "mode": str,
        },
        pk="id",
    )
    db.table("experiments").create_index(["started_at"])
    db.table("experiments").enable_fts(
        ["source", "stdout", "output_text"], create_triggers=True, tokenize="porter"
    )
    db.table("blobs").create({"sha256": str, "data": bytes, "size": int}, pk="sha256")
    db.table("outputs").create(
        {
            "id": int,
            "experiment_id": int,
            "position": int,
            "mime": str,
            "sha256": str,
            "size": int,
            "truncated": int,
        },
        pk="id",
        foreign_keys=[("experiment_id", "experiments", "id"), ("sha256", "blobs", "sha256")],
    )
    db.table("outputs").create_index(["experiment_id"])
    for table in ("surprises", "evidence"):
        db.table(table).create(
            {
                "id": int,
                "hypothesis_id": str,
                "prediction_id": str,
                "prediction": str,
                "observed": str,
                "credence": float,
                "surprisal_bits": float,
                "experiment_id": int,
                "created_at": str,
            },
            pk="id",
        )
    db.table("surprises").add_column("manual", int, not_null_default=0)
    db.table("surprises").add_column("note", str, not_null_default="")
    db.table("surprises").add_column("status", str, not_null_default="unread")
    db.table("notes").create(
        {"id": int, "text": str, "experiment_id": int, "hypothesis_id": str, "created_at": str},
        pk="id",
    )
    db.table("modes").create({"id": int, "mode": str, "started_at": str}, pk="id")
    db.table("recorder_errors").create(
        {"id": int, "at": str, "context": str, "message": str, "traceback": str}, pk="id"
    )


@migrations()
def m002_lookup_indexes(db: Database) -> None:
    """Indexes for the sidebar's lookups: judgements by hypothesis, surprises by status."""
    db.table("predictions").create_index(["hypothesis_id"], if_not_exists=True)
    db.table("surprises").create_index(["hypothesis_id"], if_not_exists=True)
    db.table("surprises").create_index(["status"], if_not_exists=True)
    db.table("evidence").create_index(["hypothesis_id"], if_not_exists=True)
    db.table("notes").create_index(["experiment_id"], if_not_exists=True)


@migrations()
def m003_events(db: Database) -> None:
    """The append-only history: one row per change of belief or record, chained by hash."""
    db.table("events").create(
        {
            "id": int,
            "at": str,
            "kind": str,
            "subject": str,
            "payload": str,
            "prev_hash": str,
            "hash": str,
        },
        pk="id",
        not_null={"at", "kind", "subject", "payload", "prev_hash", "hash"},
    )
    db.table("events").create_index(["subject"])
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
            "BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END"
        )


@migrations()
def m004_prediction_signatures(db: Database) -> None:
    """Each prediction's signature by the user who wrote it; a kernel runs only the ones it verifies."""
    db.table("predictions").add_column("signature", str)


@migrations()
def m005_recording_time(db: Database) -> None:
    """The time spent recording a cell and judging its predictions, beside the cell's own duration."""
    db.table("experiments").add_column("record_ms", float)


@migrations()
def m006_prediction_versions(db: Database) -> None:
    """Predictions keep their first verdict and are revised, not rewritten; old logbooks get a history.

    A judged prediction that is edited becomes a new prediction that
    ``revises`` it; the old one gets ``superseded_by``. ``first_verdict`` is
    set by the first judgement and never changes. A logbook written before
    the event history existed gets its records written as its first events.
    """
    from logbook.store.backfill import backfill_events

    for column in ("first_verdict", "revises", "superseded_by"):
        db.table("predictions").add_column(column, str)
    db.execute(
        "UPDATE predictions SET first_verdict = ("
        " SELECT CASE WHEN held THEN 'held' ELSE 'failed' END FROM ("
        "  SELECT created_at, id, 1 AS held FROM evidence WHERE prediction_id = predictions.id"
        "  UNION ALL SELECT created_at, id, 0 FROM surprises"
        "  WHERE prediction_id = predictions.id AND manual = 0"
        " ) ORDER BY created_at, id LIMIT 1)"
    )
    db.table("evidence").create_index(["prediction_id"], if_not_exists=True)
    db.table("surprises").create_index(["prediction_id"], if_not_exists=True)
    db.table("events").create_index(["kind"], if_not_exists=True)
    backfill_events(db)


@migrations()
def m007_surprise_lifecycle(db: Database) -> None:
    """Surprises are open, explained or acted on, with a separate read flag and the action that closed them.

    Old statuses map as: unread -> open; read -> open and read; explained ->
    explained, read, resolved by "explained" at the time the history recorded.
    """
    surprises = db.table("surprises")
    surprises.add_column("read", int, not_null_default=0)
    for column in ("resolution", "explanation", "resolved_at", "resolved_by"):
        surprises.add_column(column, str)
    db.execute("UPDATE surprises SET read = 1 WHERE status IN ('read', 'explained')")
    db.execute(
        "UPDATE surprises SET resolution = 'explained', explanation = '', resolved_at = ("
        " SELECT at FROM events WHERE kind = 'surprise.status' AND subject = 'S' || surprises.id"
        " AND json_extract(payload, '$.status') = 'explained' ORDER BY id DESC LIMIT 1)"
        " WHERE status = 'explained'"
    )
    db.execute("UPDATE surprises SET status = 'open' WHERE status IN ('unread', 'read')")
    surprises.transform(defaults={"status": "open"})


@migrations()
def m009_search_errors(db: Database) -> None:
    """Full-text search also covers errors (name, message, traceback) and stderr."""
    db.table("experiments").disable_fts()
    db.table("experiments").enable_fts(
        ["source", "stdout", "output_text", "error_name", "error_value", "traceback", "stderr"],
        create_triggers=True,
        tokenize="porter",
    )


@migrations()
def m010_cell_history(db: Database) -> None:
    """Runs of the same cell are linked, and a surprise is either a failed prediction or drift.

    ``cell_key`` names a cell across its runs (the notebook and JupyterLab's
    cell id, or the notebook and its normalised source where there is no id);
    ``source_key`` is the hash of the normalised source, so runs of unchanged
    code can be compared. A drift surprise keeps what drifted in ``drift``
    (JSON). ``expected_values`` lists the names a cell is expected to vary,
    which are not flagged again; ``settings`` holds the logbook's own settings.
    """
    db.table("experiments").add_column("cell_key", str)
    db.table("experiments").add_column("source_key", str)
    db.table("experiments").create_index(["cell_key", "id"], if_not_exists=True)
    db.table("surprises").add_column("kind", str, not_null_default="prediction")
    db.table("surprises").add_column("drift", str)
    db.table("expected_values").create(
        {"cell_key": str, "name": str, "created_at": str}, pk=("cell_key", "name"), not_null={"created_at"}
    )
    db.table("settings").create({"key": str, "value": str}, pk="key")


@migrations()
def m011_redteam_and_hooks(db: Database) -> None:
    """Each prediction keeps the research mode it was written in; older ones get the mode in force then."""
    db.table("predictions").add_column("mode", str)
    db.execute(
        "UPDATE predictions SET mode = ("
        " SELECT mode FROM modes WHERE started_at <= predictions.created_at"
        " ORDER BY started_at DESC, id DESC LIMIT 1)"
    )


@migrations()
def m013_pins(db: Database) -> None:
    """Figures the researcher pinned to the report: an output of an experiment, with a caption."""
    db.table("pins").create(
        {"id": int, "experiment_id": int, "position": int, "caption": str, "created_at": str},
        pk="id",
        not_null={"experiment_id", "position", "created_at"},
        defaults={"caption": ""},
        foreign_keys=[("experiment_id", "experiments", "id")],
    )
    db.table("pins").create_index(["experiment_id", "position"], unique=True)


@migrations()
def m014_signal(db: Database) -> None:
    """A judgement keeps the values that decided it; a surprise stands for its whole failure streak.

    ``steps`` (JSON) holds each part of the prediction with its value; a
    failed prediction that fails again adds to its surprise's ``runs`` (with
    the last run's time and experiment) instead of opening another. A value
    expected to vary keeps the size of change marked normal (``envelope``);
    ``name`` there is the label of the part (``scores[1, 3]``).
    """
    for table in ("surprises", "evidence"):
        db.table(table).add_column("steps", str)
    db.table("surprises").add_column("runs", int, not_null_default=1)
    db.table("surprises").add_column("last_at", str)
    db.table("surprises").add_column("last_experiment_id", int)
    db.table("expected_values").add_column("envelope", float)


@migrations()
def m015_followups(db: Database) -> None:
    """A hypothesis stated to follow up a surprise names it in ``follows`` ("S3")."""
    db.table("hypotheses").add_column("follows", str)


@migrations()
def m017_judging_ahead(db: Database) -> None:
    """Judgements in progress, written before a prediction is evaluated and removed after.

    A row left behind names a prediction whose kernel died or was restarted
    while evaluating it (code in C that the time budget could not stop): the
    next kernel marks that prediction too slow instead of running it again.
    """
    db.table("judging").create(
        {"prediction_id": str, "session": str, "pid": int, "host": str, "started_at": str, "budget_s": float},
        pk=("prediction_id", "session"),
        not_null={"started_at", "budget_s"},
    )


@migrations()
def m018_logbook_identity(db: Database) -> None:
    """The logbook's own random id (``logbook_id`` in ``settings``), which every prediction's signature covers.

    Signatures made before it covered neither a prediction's names, mode,
    hypothesis statement nor logbook. The predictions signed then are listed
    in ``trust_resign``: the first process that holds the signer's secret
    signs each again under the new rule if its old signature is still valid
    (the first read of predictions, :meth:`logbook.store.tables.predictions.Predictions.matching`);
    every other old signature is untrusted.
    """
    import json

    from logbook.store.tables.predictions import IDENTITY_KEY, RESIGN_KEY, new_identity

    db.execute(
        "INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
        [IDENTITY_KEY, json.dumps(new_identity())],
    )
    signed = [
        row[0]
        for row in db.execute(
            "SELECT id FROM predictions WHERE signature IS NOT NULL AND signature != '' ORDER BY rowid"
        ).fetchall()
    ]
    if signed:
        db.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [RESIGN_KEY, json.dumps(signed)]
        )


@migrations()
def m019_cells_in_chain(db: Database) -> None:
    """Every experiment recorded before cells entered the chain enters it now, marked as backfilled.

    An ``experiment.recorded`` event per experiment, in id order, at the end
    of the chain: from here on editing one of them breaks ``logbook verify``.
    """
    from logbook.store.cell_digest import backfill_cell_events

    backfill_cell_events(db)


@migrations()
def m020_seals(db: Database) -> None:
    """Seals of the history's head: each author's HMAC seal, kept as it grows, and SSH seals for others."""
    db.table("seals").create(
        {"key": str, "author": str, "events": int, "hash": str, "mac": str, "at": str},
        pk="key",
        not_null={"events", "hash", "mac", "at"},
    )
    db.table("ssh_seals").create(
        {
            "id": int,
            "genesis": str,
            "events": int,
            "hash": str,
            "namespace": str,
            "signature": str,
            "public_key": str,
            "at": str,
        },
        pk="id",
        not_null={"genesis", "events", "hash", "namespace", "signature", "at"},
    )


@migrations()
def m021_cell_authors(db: Database) -> None:
    """Each cell names the user whose kernel recorded it, so a colleague's figures are not run as yours."""
    db.table("experiments").add_column("author", str)


@migrations()
def m022_competing_sets(db: Database) -> None:
    """Competing sets of hypotheses whose credences and a *something else* remainder sum to 1,
    the Bayesian updates Logbook proposes after a verdict, tags, and predictions' likelihoods and deadlines."""
    db.table("competing_sets").create(
        {"id": int, "question": str, "remainder": float, "created_at": str, "brainstorm_id": int},
        pk="id",
        not_null={"question", "remainder", "created_at"},
    )
    db.table("set_history").create(
        {"id": int, "set_id": int, "credences": str, "reason": str, "at": str},
        pk="id",
        foreign_keys=[("set_id", "competing_sets", "id")],
    )
    db.table("hypotheses").add_column("set_id", int)
    db.table("hypotheses").add_column("tags", str)
    db.table("predictions").add_column("likelihoods", str)
    db.table("predictions").add_column("base_rate", float)
    db.table("predictions").add_column("resolve_by", str)
    db.table("predictions").add_column("tags", str)
    db.table("proposals").create(
        {
            "id": int,
            "prediction_id": str,
            "set_id": int,
            "hypothesis_id": str,
            "held": int,
            "before": str,
            "likelihoods": str,
            "after": str,
            "ratio": float,
            "created_at": str,
            "status": str,
            "reason": str,
            "applied": str,
            "decided_at": str,
        },
        pk="id",
        not_null={"prediction_id", "held", "before", "likelihoods", "after", "created_at", "status"},
    )
    db.table("proposals").create_index(["prediction_id"])


@migrations()
def m023_last_steps(db: Database) -> None:
    """A surprise that failed again keeps the values that decided its latest run beside its first."""
    db.table("surprises").add_column("last_steps", str)


@migrations()
def m024_search_everything(db: Database) -> None:
    """One full-text index over hypotheses, predictions, surprises, notes and experiments.

    It replaces the experiments' own index (``experiments_fts``); triggers on
    each table keep it in step, and the records already written are indexed
    now (see :mod:`logbook.store.tables.search`).
    """
    from logbook.store.tables.search import create_search_index

    db.table("experiments").disable_fts()
    create_search_index(db)


@migrations()
def m025_tags_in_chain(db: Database) -> None:
    """Tags written before tags entered the chain enter it now, marked as backfilled.

    A ``hypothesis.tagged`` or ``prediction.tagged`` event per tagged record,
    dated now: from here on editing those tags breaks ``logbook verify``.
    """
    from logbook.store.backfill import backfill_tag_events
    from logbook.store.tables.events import seal_after_upgrade

    if backfill_tag_events(db):
        seal_after_upgrade(db)


@migrations()
def m026_team_remarks(db: Database) -> None:
    """What an author wrote about a teammate's hypothesis or surprise: a comment, a challenge or a follow-up."""
    db.table("remarks").create(
        {
            "id": int,
            "kind": str,
            "about_author": str,
            "about_id": str,
            "text": str,
            "hypothesis_id": str,
            "prediction_id": str,
            "author": str,
            "created_at": str,
        },
        pk="id",
        not_null={"kind", "about_author", "about_id", "created_at"},
        if_not_exists=True,
    )
    db.table("remarks").create_index(["about_author", "about_id"], if_not_exists=True)
