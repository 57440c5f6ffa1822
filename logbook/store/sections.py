"""What the sidebar's change feed reads: a version per section, and the pages and deltas it refetches.

Versions come from cheap aggregates (``max(id)`` and counts per table) and
from the newest event per section in the logbook's event history.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from logbook.replies import ExperimentJudgements, HypothesesDelta, JudgedPrediction, SurprisePage
from logbook.store.core import Store
from logbook.store.tables.base import loads

SECTIONS = ("mode", "brainstorm", "hypotheses", "surprises", "experiments", "beliefs")
#: A hypotheses delta larger than this is sent as the whole list.
MAX_DELTA = 200


def _scalar(store: Store, sql: str, params: Any = ()) -> Any:
    return store.db.execute(sql, params).fetchone()[0]


def _event_sections(subject: str) -> tuple[str, ...]:
    """The sidebar sections an event's subject belongs to: H1, H1.P2 -> hypotheses; a set C1 -> hypotheses and
    beliefs (its members' credences and its bar); a proposal U1 -> beliefs; S3 -> surprises; M2 -> mode."""
    return {
        "H": ("hypotheses",),
        "C": ("hypotheses", "beliefs"),
        "U": ("beliefs",),
        "S": ("surprises",),
        "M": ("mode",),
    }.get(subject[:1], ())


class SectionVersions:
    """Per-section versions of one logbook, kept up to date by reading only the events added since."""

    def __init__(self) -> None:
        self.revision: Optional[int] = None
        self.versions: dict[str, str] = {}
        self.last_event = 0
        self.marks = {"hypotheses": 0, "surprises": 0, "mode": 0, "beliefs": 0}

    def compute(self, store: Store) -> dict[str, str]:
        for event_id, subject in store.db.execute(
            "SELECT id, subject FROM events WHERE id > ? ORDER BY id", [self.last_event]
        ):
            for section in _event_sections(subject):
                self.marks[section] = event_id
            self.last_event = event_id
        experiments = _scalar(store, "SELECT coalesce(max(id), 0) FROM experiments")
        brainstorms = store.db.execute(
            "SELECT count(*), coalesce(max(id), 0), count(finished_at), count(paused_at), total(paused_seconds)"
            " FROM brainstorms"
        ).fetchone()
        in_brainstorms = _scalar(store, "SELECT count(*) FROM hypotheses WHERE brainstorm_id IS NOT NULL")
        surprises = store.db.execute(
            "SELECT coalesce(max(id), 0), total(status = 'open'), total(read), total(runs) FROM surprises"
        ).fetchone()
        return {
            "mode": f"{_scalar(store, 'SELECT coalesce(max(id), 0) FROM modes')}.{experiments}",
            "brainstorm": ".".join(str(value) for value in (*brainstorms, in_brainstorms)),
            "hypotheses": f"e{self.marks['hypotheses']}",
            "surprises": ".".join(str(value) for value in (*surprises, self.marks["surprises"])),
            "experiments": str(experiments),
            # Competing sets, proposals, and predictions past their resolve-by date (which time alone makes due).
            "beliefs": f"e{self.marks['beliefs']}.{store.count_due()}",
        }


def changed_hypotheses(store: Store, since: str) -> HypothesesDelta:
    """The hypotheses changed since version ``since``, or (``full``) all of them."""
    return HypothesesDelta(**_changed_hypotheses(store, since))


#: Events about hypotheses (H1, H1.P2) and competing sets (C1), whose changes move their members.
_HYPOTHESES_OR_SETS = "((subject >= 'H' AND subject < 'I') OR (subject >= 'C' AND subject < 'D'))"


def _changed_hypotheses(store: Store, since: str) -> dict[str, Any]:
    newest = _scalar(store, f"SELECT coalesce(max(id), 0) FROM events WHERE {_HYPOTHESES_OR_SETS}")
    match = re.fullmatch(r"e(\d+)", since or "")
    if match:
        subjects = [
            row[0]
            for row in store.db.execute(
                f"SELECT DISTINCT subject FROM events WHERE id > ? AND {_HYPOTHESES_OR_SETS}",
                [int(match.group(1))],
            )
        ]
        found = {subject.split(".")[0] for subject in subjects if subject.startswith("H")}
        for subject in subjects:
            if (
                subject.startswith("C") and subject[1:].isdigit()
            ):  # a set made or changed: its members' set_id and credences
                found.update(
                    row[0]
                    for row in store.db.execute(
                        "SELECT id FROM hypotheses WHERE set_id = ?", [int(subject[1:])]
                    )
                )
        ids = sorted(found, key=lambda hid: int(hid[1:]))
        if len(ids) <= MAX_DELTA:
            hypotheses = [store.hypothesis(hid) for hid in ids]
            return {"version": f"e{newest}", "full": False, "hypotheses": hypotheses}
    return {"version": f"e{newest}", "full": True, "hypotheses": store.hypotheses()}


def surprise_page(store: Store, status: str, limit: int, offset: int) -> SurprisePage:
    """One page of surprises under a filter in the inbox's order, with the totals the sidebar shows."""
    return SurprisePage(
        status=status,
        offset=offset,
        total=store.count_surprises(status),
        unread=store.unread_surprises(),
        surprises=store.surprises(status, limit, offset, unread_first=True),
    )


#: The columns of a judged prediction, shared by ``surprises`` and ``evidence``.
_JUDGED_COLUMNS = (
    "j.id, j.hypothesis_id, j.prediction_id, j.prediction, j.observed, j.steps, j.credence,"
    " j.surprisal_bits, j.experiment_id, j.created_at"
)


def experiment_judgements(store: Store, experiment_id: int) -> ExperimentJudgements:
    """The predictions judged in one experiment, oldest first: verdict, bits, credence, observed values."""
    store.experiment(experiment_id)
    judged = []
    # Drift is no judgement of a prediction: the cell's history shows it.
    for table, verdict, only in (
        ("surprises", "failed", " AND j.kind = 'prediction'"),
        ("evidence", "held", ""),
    ):
        for row in store.db.query(
            f"SELECT {_JUDGED_COLUMNS}, h.statement FROM {table} j"
            f" LEFT JOIN hypotheses h ON h.id = j.hypothesis_id WHERE j.experiment_id = ?{only}",
            [experiment_id],
        ):
            judged.append(
                JudgedPrediction(
                    **{
                        **row,
                        "observed": loads(row["observed"], {}),
                        "steps": loads(row["steps"], []) or [],
                        "verdict": verdict,
                        "table": table,
                    }
                )
            )
    judged.sort(key=lambda j: j.created_at)
    return ExperimentJudgements(experiment_id=experiment_id, judgements=judged)
