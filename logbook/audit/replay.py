"""What the event history says the records are: the logbook rebuilt from its events alone.

:func:`replay` reads events oldest first and returns, for every record the
events describe, the fields it must have now, keyed by ``(label, id)``:
``("prediction", "H1.P2")``, ``("surprise", 7)``; the two kinds a long
history holds most of are kept apart by id, as plain values: each
experiment's digest (``Replay.cells``) and each evidence record's fields
(``Replay.evidence``).
Times and observed values stay the text the events hold; ``logbook verify``
compares these with the logbook's tables or an export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from logbook.text import from_json

#: A field the history cannot vouch for (the credence history of a reconstructed hypothesis).
UNKNOWN = object()

Key = tuple[str, Any]


@dataclass
class Replay:
    """The records the events describe, and what the events themselves got wrong."""

    records: dict[Key, dict[str, Any]] = field(default_factory=dict)
    #: Each experiment's digest by id, kept apart from ``records`` (a long history is mostly cells).
    cells: dict[int, str] = field(default_factory=dict)
    #: Each evidence record as ``(id, *EVIDENCE_FIELDS)``, by id, kept apart from ``records`` as well.
    evidence: dict[int, tuple] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    backfilled: int = 0
    backfilled_at: str | None = None
    backfill_end: int = 0

    def all_records(self) -> dict[Key, dict[str, Any]]:
        """``records`` with each experiment's and evidence's as well: ``("experiment", 4): {"digest": ...}``."""
        return {**self.records, **evidence_records(self.evidence), **cell_records(self.cells)}

    def _get(self, label: str, key: Any, event: tuple) -> dict[str, Any] | None:
        record = self.records.get((label, key))
        if record is None:
            event_id, _, kind, subject = event[:4]
            self.problems.append(
                f"event {event_id} ({kind} {subject}) changes {label} {key}, which was never written"
            )
        return record

    # -- one method per kind of event --------------------------------------

    def hypothesis_stated(self, event: tuple, p: dict) -> None:
        event_id, at, _, hid = event[:4]
        self.records[("hypothesis", hid)] = {
            "statement": p["statement"],
            "credence": p["credence"],
            "status": "active",
            "created_at": at,
            "brainstorm_id": p.get("brainstorm_id"),
            "follows": p.get("follows"),
            "tags": [],
            "credence history": UNKNOWN if event_id <= self.backfill_end else [(p["credence"], "stated", at)],
        }

    def hypothesis_credence(self, event: tuple, p: dict) -> None:
        h = self._get("hypothesis", event[3], event)
        if h is not None:
            h["credence"] = p["credence"]
            self._history(h, p["credence"], p.get("reason") or "", event[1])

    def hypothesis_status(self, event: tuple, p: dict) -> None:
        h = self._get("hypothesis", event[3], event)
        if h is not None:
            h.update(status=p["status"], credence=p["credence"])
            self._history(h, p["credence"], p.get("reason") or p["status"], event[1])

    @staticmethod
    def _history(h: dict, credence: float, reason: str, at: str) -> None:
        if h["credence history"] is not UNKNOWN:
            h["credence history"].append((credence, reason, at))

    def prediction_written(self, event: tuple, p: dict) -> None:
        _, at, _, pid = event[:4]
        self.records[("prediction", pid)] = {
            "hypothesis_id": p["hypothesis_id"],
            "kind": p.get("kind", "expression"),
            "expression": p["expression"],
            "credence": p["credence"],
            "created_at": at,
            "state": "pending",
            "error": None,
            "first_verdict": None,
            "revises": p.get("revises"),
            "superseded_by": None,
            "history": [(p["expression"], p["credence"], at)],
            "verdicts": [],
            **no_odds(),
        }

    def prediction_odds(self, event: tuple, p: dict) -> None:
        """What a prediction states besides its credence: likelihoods under rivals, base rate, deadline, tags."""
        pr = self._get("prediction", event[3], event)
        if pr is not None:
            pr.update({name: p[name] for name in ODDS_FIELDS if name in p})
            if isinstance(pr["likelihoods"], str):  # written as JSON text before tags joined the event
                pr["likelihoods"] = from_json(pr["likelihoods"]) or {}

    def tagged(self, event: tuple, p: dict) -> None:
        """A hypothesis' or a prediction's tags, as they are after the change."""
        label = "prediction" if "." in event[3] else "hypothesis"
        record = self._get(label, event[3], event)
        if record is not None:
            record["tags"] = list(p["tags"])

    def prediction_edited(self, event: tuple, p: dict) -> None:
        pr = self._get("prediction", event[3], event)
        if pr is None:
            return
        if pr["first_verdict"] and event[0] > self.backfill_end:
            self.problems.append(
                f"event {event[0]} (prediction.edited {event[3]}) edits a prediction after its first verdict,"
                " which the logbook never does: it was added outside the logbook"
            )
        if "credence" in p:
            pr["credence"] = p["credence"]
        if "expression" in p:
            pr.update(expression=p["expression"], state="pending", error=None)
        pr["history"].append((pr["expression"], pr["credence"], event[1]))

    def prediction_error(self, event: tuple, p: dict) -> None:
        pr = self._get("prediction", event[3], event)
        if pr is not None:
            pr.update(state="error", error=p.get("error"))

    def prediction_too_slow(self, event: tuple, p: dict) -> None:
        pr = self._get("prediction", event[3], event)
        if pr is not None:
            budget = p["budget_s"]
            pr.update(
                state="too_slow",
                error=f"evaluating it took longer than {budget:g} s; edit it to have it judged again",
            )

    def prediction_superseded(self, event: tuple, p: dict) -> None:
        pr = self._get("prediction", event[3], event)
        if pr is not None:
            pr["superseded_by"] = p["by"]

    def prediction_judged(self, event: tuple, p: dict) -> None:
        # Written out for speed: a long logbook's history is mostly these events.
        at, pid, get, held, record = event[1], event[3], p.get, p["held"], p["record"]
        experiment_id = get("experiment_id")
        pr = self.records.get(("prediction", pid))
        if pr is not None:
            verdict = "held" if held else "failed"
            pr["state"] = verdict
            pr["error"] = None
            if not pr["first_verdict"]:
                pr["first_verdict"] = verdict
            runs = pr["verdicts"]
            if runs and runs[-1][0] == held:
                last = runs[-1]
                last[1] += 1
                last[5:] = (at, experiment_id, record)
            else:
                runs.append([held, 1, at, experiment_id, record, at, experiment_id, record])
        table, _, number = record.partition("/")
        if get("again"):  # the same surprise failing again: one more run of it
            surprise = self._get("surprise", int(number), event)
            if surprise is not None:
                surprise.update(
                    runs=surprise["runs"] + 1,
                    last_at=at,
                    last_experiment_id=experiment_id,
                    last_steps=get("steps", "[]"),
                )
            return
        n = int(number)
        fields = (
            n,
            pid,
            pr["hypothesis_id"] if pr else None,
            get("expression"),
            get("credence"),
            get("surprisal_bits"),
            experiment_id,
            get("observed"),
            get("steps", "[]"),
            at,
        )
        if table == "evidence":
            self.evidence[n] = fields
        else:
            self.records[("surprise", n)] = {
                "prediction_id": pid,
                "hypothesis_id": fields[2],
                "prediction": fields[3],
                "credence": fields[4],
                "surprisal_bits": fields[5],
                "experiment_id": experiment_id,
                "observed": fields[7],
                "steps": fields[8],
                "created_at": at,
                "status": "open",
                "runs": 1,
                "last_at": None,
                "last_experiment_id": None,
                "last_steps": "[]",
            }

    def surprise_flagged(self, event: tuple, p: dict) -> None:
        _, at, _, subject = event[:4]
        self.records[("surprise", int(subject[1:]))] = {
            "note": p["note"],
            "hypothesis_id": p.get("hypothesis_id"),
            "experiment_id": p.get("experiment_id"),
            "created_at": at,
            "status": "open",
        }

    def surprise_drifted(self, event: tuple, p: dict) -> None:
        _, at, _, subject = event[:4]
        self.records[("surprise", int(subject[1:]))] = {
            "kind": "drift",
            "note": p["note"],
            "experiment_id": p.get("experiment_id"),
            "surprisal_bits": p.get("surprisal_bits"),
            "drift": drift_identity(p.get("drift")),
            "created_at": at,
            "status": "open",
        }

    #: Statuses written before surprises had a lifecycle, as they read now.
    _OLD_STATUSES = {"unread": "open", "read": "open", "explained": "explained"}

    def surprise_status(self, event: tuple, p: dict) -> None:
        s = self._get("surprise", int(event[3][1:]), event)
        if s is not None:
            s["status"] = self._OLD_STATUSES.get(p["status"], p["status"])

    def surprise_resolved(self, event: tuple, p: dict) -> None:
        s = self._get("surprise", int(event[3][1:]), event)
        if s is not None:
            s["status"] = p["status"]

    def note_written(self, event: tuple, p: dict) -> None:
        _, at, _, subject = event[:4]
        self.records[("note", int(subject[1:]))] = {
            "text": p["text"],
            "experiment_id": p.get("experiment_id"),
            "hypothesis_id": p.get("hypothesis_id"),
            "created_at": at,
        }

    def remark_written(self, event: tuple, p: dict) -> None:
        _, at, _, subject = event[:4]
        self.records[("remark", int(subject[1:]))] = {
            **{k: p.get(k) for k in REMARK_FIELDS},
            "created_at": at,
        }

    def experiment_recorded(self, event: tuple, p: dict) -> None:
        self.cells[int(event[3][1:])] = p["digest"]

    def mode_switched(self, event: tuple, p: dict) -> None:
        _, at, _, subject = event[:4]
        self.records[("mode", int(subject[1:]))] = {"mode": p["mode"], "started_at": p.get("started_at", at)}

    def set_created(self, event: tuple, p: dict) -> None:
        _, at, _, subject = event[:4]
        self.records[("set", int(subject[1:]))] = {
            "question": p["question"],
            "brainstorm_id": p.get("brainstorm_id"),
            "created_at": at,
            "credences": {},
            "history": [],
        }

    def set_credences(self, event: tuple, p: dict) -> None:
        _, at, _, subject = event[:4]
        s = self._get("set", int(subject[1:]), event)
        if s is None:
            return
        credences, reason = dict(p["credences"]), p.get("reason") or ""
        s["credences"] = credences
        s["history"].append((credences, reason, at))
        for hid, credence in credences.items():
            if hid == "else":
                continue
            h = self._get("hypothesis", hid, event)
            if h is not None and h["credence"] != credence:
                h["credence"] = credence
                self._history(h, credence, reason, at)

    def proposal_made(self, event: tuple, p: dict) -> None:
        _, at, _, subject = event[:4]
        self.records[("proposal", int(subject[1:]))] = {
            **{k: p.get(k) for k in PROPOSAL_FIELDS},
            "created_at": at,
            "status": "proposed",
            "reason": "",
            "applied": None,
        }

    def proposal_decided(self, event: tuple, p: dict) -> None:
        u = self._get("proposal", int(event[3][1:]), event)
        if u is not None:
            if u["status"] != "proposed":
                self.problems.append(
                    f"event {event[0]} (proposal.decided {event[3]}) decides a proposal decided before,"
                    " which the logbook never does: it was added outside the logbook"
                )
            u.update(status=p["status"], reason=p.get("reason") or "", applied=p.get("applied"))

    def logbook_backfilled(self, event: tuple, p: dict) -> None:
        self.backfilled, self.backfilled_at = p["events"], event[1]


#: An evidence record's fields, in the order :attr:`Replay.evidence` holds them (after its id).
EVIDENCE_FIELDS = (
    "prediction_id",
    "hypothesis_id",
    "prediction",
    "credence",
    "surprisal_bits",
    "experiment_id",
    "observed",
    "steps",
    "created_at",
)


def evidence_records(evidence: dict[int, tuple]) -> dict[Key, dict[str, Any]]:
    """Evidence as :attr:`Replay.evidence` holds it, as records: ``("evidence", 4): {"prediction_id": ...}``."""
    return {("evidence", row[0]): dict(zip(EVIDENCE_FIELDS, row[1:])) for row in evidence.values()}


def cell_records(cells: dict[int, str]) -> dict[Key, dict[str, Any]]:
    """Experiments' digests by id as records: ``("experiment", 4): {"digest": ...}``."""
    return {("experiment", experiment_id): {"digest": digest} for experiment_id, digest in cells.items()}


#: What a ``prediction.odds`` event may state of its prediction.
#: A remark's fields as its ``remark.written`` event carries them (its time is the event's).
REMARK_FIELDS = ("kind", "about_author", "about_id", "text", "hypothesis_id", "prediction_id", "author")
ODDS_FIELDS = ("likelihoods", "base_rate", "resolve_by", "tags")


def no_odds() -> dict[str, Any]:
    """A prediction's odds and labels before any ``prediction.odds`` or ``prediction.tagged`` event."""
    return {"likelihoods": {}, "base_rate": None, "resolve_by": None, "tags": []}


#: What a ``proposal.made`` event holds of its proposal.
PROPOSAL_FIELDS = (
    "prediction_id",
    "set_id",
    "hypothesis_id",
    "held",
    "before",
    "likelihoods",
    "after",
    "ratio",
)


def drift_identity(drift: Any) -> Optional[tuple]:
    """What names a drift surprise (each move's value, part and change), from its JSON text or its fields."""
    if isinstance(drift, str):
        drift = from_json(drift)
    if not isinstance(drift, dict):
        return None
    moves = drift.get("moves") or [drift]
    return tuple((m.get("name"), m.get("part", ""), m.get("change")) for m in moves if isinstance(m, dict))


HANDLERS: dict[str, Callable[[Replay, tuple, dict], None]] = {
    "hypothesis.stated": Replay.hypothesis_stated,
    "hypothesis.credence": Replay.hypothesis_credence,
    "hypothesis.status": Replay.hypothesis_status,
    "prediction.written": Replay.prediction_written,
    "prediction.edited": Replay.prediction_edited,
    "prediction.error": Replay.prediction_error,
    "prediction.too_slow": Replay.prediction_too_slow,
    "prediction.superseded": Replay.prediction_superseded,
    "prediction.judged": Replay.prediction_judged,
    "prediction.odds": Replay.prediction_odds,
    "prediction.tagged": Replay.tagged,
    "hypothesis.tagged": Replay.tagged,
    "surprise.flagged": Replay.surprise_flagged,
    "surprise.drifted": Replay.surprise_drifted,
    "surprise.status": Replay.surprise_status,
    "surprise.resolved": Replay.surprise_resolved,
    "note.written": Replay.note_written,
    "remark.written": Replay.remark_written,
    "mode.switched": Replay.mode_switched,
    "experiment.recorded": Replay.experiment_recorded,
    "logbook.backfilled": Replay.logbook_backfilled,
    "set.created": Replay.set_created,
    "set.credences": Replay.set_credences,
    "proposal.made": Replay.proposal_made,
    "proposal.decided": Replay.proposal_decided,
}


def replay(events: Iterable[tuple], backfill_end: int = 0) -> Replay:
    """Rebuild the records from ``(id, at, kind, subject, payload text)`` tuples, oldest first.

    ``backfill_end`` is the id of the last event reconstructed from an older
    logbook, whose credence history the events cannot vouch for. Kinds this
    version does not know are passed over.
    """
    state = Replay(backfill_end=backfill_end)
    for event in events:
        handler = HANDLERS.get(event[2])
        if handler is None:
            continue
        try:
            handler(state, event, from_json(event[4]))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            state.problems.append(f"event {event[0]} ({event[2]} {event[3]}) cannot be read: {error!r}")
    return state
