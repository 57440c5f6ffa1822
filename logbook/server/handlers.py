"""REST handlers under ``<base_url>/logbook/api/``; every one requires Jupyter's authentication."""

from __future__ import annotations

import json
import math
import os
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, Optional, TypeVar

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from pydantic import BaseModel, ValidationError

from logbook.errors import AlreadyDone, AlreadyExists, LogbookError, LogbookUnavailable, NotFound
from logbook.models import HypothesisStatus
from logbook.report.exporting import export_logbook, render
from logbook.report.selection import Selection, parse_ids
from logbook.rules.compare import compare_values, compare_verdicts
from logbook.rules.coverage import logbook_coverage
from logbook.rules.predictions import PredictionSyntaxError, expression_or_text, parse_expression
from logbook.rules.trust import TrustChanged
from logbook.server import requests as bodies
from logbook.server.database import Database
from logbook.store.core import Store
from logbook.store.sections import experiment_judgements
from logbook.version import __version__

B = TypeVar("B", bound=BaseModel)
E = TypeVar("E", bound=Enum)

LONG_POLL_SECONDS = 25.0
MAX_PAGE = 500
EXPORT_TYPES = {"json": "application/json", "md": "text/markdown", "html": "text/html"}
#: The largest id SQLite can hold (a signed 64-bit integer).
MAX_ID = bodies.MAX_ID


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class LogbookHandler(APIHandler):
    """Shared plumbing: the database, JSON bodies checked against pydantic models, clear errors."""

    @property
    def db(self) -> Database:
        return self.settings["logbook_db"]

    @property
    def project_root(self) -> Path:
        return Path(self.settings["logbook_root"])

    def parse(self, model: type[B]) -> B:
        """The JSON body, checked against ``model``; any problem is a 400 that names it."""
        try:
            raw = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError) as error:
            raise tornado.web.HTTPError(400, f"the request body is not valid JSON: {error}") from None
        except RecursionError:
            raise tornado.web.HTTPError(400, "the request body is nested too deeply") from None
        if not isinstance(raw, dict):
            raise tornado.web.HTTPError(400, "the request body must be a JSON object")
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
            )
            raise tornado.web.HTTPError(400, problems) from None

    async def call(self, action, writes: bool = False) -> Any:
        """Run ``action(store)`` on the database thread, turning logbook errors into 4xx replies."""
        try:
            return await self.db.run(action, writes=writes)
        except NotFound as error:
            raise tornado.web.HTTPError(404, str(error)) from None
        except LogbookUnavailable as error:
            raise tornado.web.HTTPError(503, str(error)) from None
        except (AlreadyDone, AlreadyExists) as error:
            raise tornado.web.HTTPError(409, str(error)) from None
        except LogbookError as error:
            raise tornado.web.HTTPError(400, str(error)) from None

    def send(self, value: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(_plain(value)))

    def int_argument(self, name: str, default: int, low: int, high: int) -> int:
        """The query parameter ``name`` as a whole number in ``[low, high]``, else a 400."""
        return self._whole(self.get_argument(name, str(default)), name, low, high)

    def float_argument(self, name: str, default: float, low: float, high: float) -> float:
        """The query parameter ``name`` as a finite number in ``[low, high]``, else a 400."""
        raw = self.get_argument(name, str(default))
        try:
            value = float(raw)
        except ValueError:
            raise tornado.web.HTTPError(400, f"{name} must be a number, got {raw[:40]!r}") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise tornado.web.HTTPError(400, f"{name} must be between {low:g} and {high:g}, got {raw[:40]!r}")
        return value

    def enum_argument(self, name: str, choices: type[E]) -> Optional[E]:
        """The query parameter ``name`` as one of ``choices``, None when absent, else a 400."""
        raw = self.get_argument(name, None)
        if not raw:
            return None
        try:
            return choices(raw)
        except ValueError:
            allowed = ", ".join(choice.value for choice in choices)
            raise tornado.web.HTTPError(400, f"{name} must be one of {allowed}, got {raw[:40]!r}") from None

    def record_id(self, raw: str, what: str) -> int:
        """A numeric id from the URL, refused with a 400 when no record could have it."""
        return self._whole(raw, f"the {what} id", 0, MAX_ID)

    @staticmethod
    def _whole(raw: str, name: str, low: int, high: int) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise tornado.web.HTTPError(400, f"{name} must be a whole number, got {raw[:40]!r}") from None
        if not low <= value <= high:
            raise tornado.web.HTTPError(400, f"{name} must be between {low} and {high}, got {raw[:40]}")
        return value


class StatusHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self):
        def status(store: Store) -> dict:
            mode = store.current_mode()
            return {
                "version": __version__,
                "path": str(store.path),
                "mode": mode.value if mode else None,
                "hypotheses": store.count("hypotheses"),
                "experiments": store.count("experiments"),
                "surprises": store.count("surprises"),
                "unread_surprises": store.unread_surprises(),
            }

        try:
            result = await self.db.run(status)
        except Exception as error:  # noqa: BLE001 - shown in the sidebar, the server keeps working
            self.send(
                {"version": __version__, "path": str(self.db.path), "error": _describe_failure(error)}, 503
            )
            return
        self.send({**result, "revision": self.db.revision})


def _describe_failure(error: Exception) -> str:
    if isinstance(error, LogbookUnavailable):
        return str(error)
    return f"the logbook cannot be read ({type(error).__name__}: {error})"


class ChangesHandler(LogbookHandler):
    """Long poll: answers as soon as the logbook changes after revision ``since``."""

    @tornado.web.authenticated
    async def get(self):
        since = self.int_argument("since", -1, -1, 2**62)
        timeout = self.float_argument("timeout", LONG_POLL_SECONDS, 0.0, 24 * 3600.0)
        revision = await self.db.wait_for_change(since, min(timeout, LONG_POLL_SECONDS))
        self.send({"revision": revision})


class HypothesesHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self):
        status = self.enum_argument("status", HypothesisStatus)
        self.send(await self.call(lambda store: store.hypotheses(status)))

    @tornado.web.authenticated
    async def post(self):
        body = self.parse(bodies.NewHypothesis)
        created = await self.call(
            lambda store: store.add_hypothesis(body.statement, body.credence, body.brainstorm_id, body.tags),
            writes=True,
        )
        self.send(created, 201)


class HypothesisHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self, hypothesis_id: str):
        self.send(await self.call(lambda store: store.hypothesis(hypothesis_id)))

    @tornado.web.authenticated
    async def patch(self, hypothesis_id: str):
        body = self.parse(bodies.HypothesisChange)
        if body.credence is None and body.status is None:
            raise tornado.web.HTTPError(400, "nothing to change: give a credence and/or a status")

        def change(store: Store):
            updated = store.hypothesis(hypothesis_id)
            # Refuting twice is refused (409): a refutation is recorded once.
            if body.status is not None and (
                body.status != updated.status or body.status is HypothesisStatus.refuted
            ):
                return store.set_status(hypothesis_id, body.status, body.reason, body.credence)
            if body.credence is not None:
                updated = store.update_credence(hypothesis_id, body.credence, body.reason)
            return updated

        self.send(await self.call(change, writes=True))


class PredictionsHandler(LogbookHandler):
    @tornado.web.authenticated
    async def post(self, hypothesis_id: str):
        body = self.parse(bodies.NewPrediction)

        def add(store: Store):
            words, kind = expression_or_text(body.expression, body.text)
            return store.add_prediction(
                hypothesis_id,
                words,
                body.credence,
                kind,
                likelihoods=body.likelihoods,
                base_rate=body.base_rate,
                resolve_by=body.resolve_by,
                tags=body.tags,
            )

        created = await self.call(add, writes=True)
        self.send(created, 201)


class PredictionHandler(LogbookHandler):
    @tornado.web.authenticated
    async def patch(self, prediction_id: str):
        body = self.parse(bodies.PredictionChange)
        updated = await self.call(
            lambda store: store.update_prediction(prediction_id, body.expression, body.credence), writes=True
        )
        self.send(updated)


class VerdictHandler(LogbookHandler):
    """Your verdict on a prediction written in words: ``{"held": false}`` makes a surprise."""

    @tornado.web.authenticated
    async def post(self, prediction_id: str):
        body = self.parse(bodies.Verdict)
        self.send(
            await self.call(
                lambda store: store.judge_by_hand(
                    prediction_id, body.held, experiment_id=body.experiment_id, observed=body.observed
                ),
                writes=True,
            ),
            201,
        )


class CheckExpressionHandler(LogbookHandler):
    """Checks a prediction expression without saving it: ``{"ok": true, "names": [...]}`` or the reason."""

    @tornado.web.authenticated
    async def post(self):
        body = self.parse(bodies.ExpressionCheck)
        try:
            self.send({"ok": True, "names": parse_expression(body.expression)})
        except PredictionSyntaxError as error:
            self.send({"ok": False, "error": str(error)})


class TrustHandler(LogbookHandler):
    """GET lists the predictions not signed by this user, each with why and the ``hash`` of what it shows.

    POST ``{"ids": [...], "hashes": {id: hash}}`` signs exactly those, each
    only as it was shown: if any changed since (its hash differs), the answer
    is 409 naming it and nothing is signed.
    """

    @tornado.web.authenticated
    async def get(self):
        def untrusted(store: Store) -> list[dict]:
            return [
                {
                    **r.prediction.model_dump(mode="json"),
                    "statement": r.statement,
                    "refusal": r.refusal,
                    "reasons": r.reasons,
                    "hash": r.hash,
                }
                for r in store.trust_review()
            ]

        self.send({"predictions": await self.call(untrusted)})

    @tornado.web.authenticated
    async def post(self):
        body = self.parse(bodies.TrustPredictions)

        def trust(store: Store) -> list | TrustChanged:
            try:
                return store.trust_predictions(body.ids, body.hashes)
            except TrustChanged as changed:
                return changed

        trusted = await self.call(trust, writes=True)
        if isinstance(trusted, TrustChanged):
            raise tornado.web.HTTPError(409, str(trusted))
        self.send({"trusted": _plain(trusted)})


class BrainstormsHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self):
        self.send(await self.call(lambda store: store.brainstorms()))

    @tornado.web.authenticated
    async def post(self):
        body = self.parse(bodies.NewBrainstorm)

        def start(store: Store):
            running = store.current_brainstorm()
            if running is not None:
                raise LogbookError(f"brainstorm {running.id} is still running: finish it first")
            return store.start_brainstorm(body.planned_seconds, body.target)

        self.send(await self.call(start, writes=True), 201)


class CurrentBrainstormHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self):
        current = await self.call(lambda store: store.current_brainstorm())
        self.send({"brainstorm": _plain(current), "server_time": datetime.now().astimezone().isoformat()})


class BrainstormHandler(LogbookHandler):
    @tornado.web.authenticated
    async def post(self, brainstorm_id: str):
        bid = self.record_id(brainstorm_id, "brainstorm")
        body = self.parse(bodies.BrainstormAction)
        actions = {
            "pause": lambda store: store.pause_brainstorm(bid),
            "resume": lambda store: store.resume_brainstorm(bid),
            "finish": lambda store: store.finish_brainstorm(bid),
        }
        self.send(await self.call(actions[body.action], writes=True))


def lab_path(notebook: Optional[str], root: Path) -> Optional[str]:
    """A recorded notebook path as JupyterLab names it (relative to the server root), if it is inside."""
    if not notebook:
        return None
    path = Path(notebook)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


class ExperimentsHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self):
        limit = self.int_argument("limit", 100, 1, MAX_PAGE)
        offset = self.int_argument("offset", 0, 0, 2**62)
        query = self.get_argument("q", "").strip() or None
        total, rows = await self.call(lambda store: store.experiment_rows(limit, offset, query))
        for row in rows:
            row["lab_path"] = lab_path(row["notebook"], self.project_root)
        self.send({"total": total, "offset": offset, "experiments": rows})


class SearchHandler(LogbookHandler):
    """``GET search?q=words[&kind=surprise...][&limit=5][&offset=0]``: the whole logbook, grouped by kind."""

    @tornado.web.authenticated
    async def get(self):
        query = self.get_argument("q", "")
        kinds = self.get_arguments("kind") or None
        limit = self.int_argument("limit", 5, 1, MAX_PAGE)
        offset = self.int_argument("offset", 0, 0, 2**62)
        found = await self.call(lambda store: store.search(query, kinds, limit, offset))
        answer = _plain(found)
        for group in answer["groups"]:
            for hit in group["hits"]:
                hit["lab_path"] = lab_path(hit["notebook"], self.project_root)
        self.send(answer)


class ExperimentHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self, experiment_id: str):
        eid = self.record_id(experiment_id, "experiment")
        root = self.project_root
        self.send(await self.call(lambda store: _experiment_reply(store, eid, root)))


def _experiment_reply(store: Store, experiment_id: int, root: Path) -> dict[str, Any]:
    """An experiment as the experiment routes send it: with its path in JupyterLab and whether its outputs run."""
    experiment = store.experiment(experiment_id)
    # Kernels record as the system user the server runs as: that is who "you" are here.
    trusted, why = store.outputs_trusted(experiment_id)
    return {
        **_plain(experiment),
        "lab_path": lab_path(experiment.notebook, root),
        "outputs_trusted": trusted,
        "outputs_untrusted_why": why,
    }


class CompareHandler(LogbookHandler):
    """Two experiments side by side: ``?old=3&new=7``.

    Answers both experiments (as ``experiments/{id}`` does), the predictions
    judged on each, and what changed from ``old`` to ``new``: every assigned
    value with its statistics old → new (``logbook.rules.compare``) and every
    prediction's verdict on each, a held → failed first. An id that is not in
    the logbook is a 404 that names it.
    """

    @tornado.web.authenticated
    async def get(self):
        raw = {key: self.get_argument(key, "").strip().removeprefix("#") for key in ("old", "new")}
        if not raw["old"] or not raw["new"]:
            raise tornado.web.HTTPError(400, "say which two experiments to compare: ?old=3&new=7")
        old_id = self.record_id(raw["old"], "old experiment")
        new_id = self.record_id(raw["new"], "new experiment")
        if old_id == new_id:
            raise tornado.web.HTTPError(400, f"choose two different experiments: both are #{old_id}")
        root = self.project_root

        def compare(store: Store) -> dict:
            old, new = _experiment_reply(store, old_id, root), _experiment_reply(store, new_id, root)
            old_judged = experiment_judgements(store, old_id)["judgements"]
            new_judged = experiment_judgements(store, new_id)["judgements"]
            return {
                "old": old,
                "new": new,
                "old_judgements": old_judged,
                "new_judgements": new_judged,
                "same_cell": old["cell_key"] is not None and old["cell_key"] == new["cell_key"],
                "same_source": old["source"] == new["source"],
                "values": _plain(compare_values(old["names"], new["names"])),
                "verdicts": _plain(compare_verdicts(old_judged, new_judged)),
            }

        self.send(await self.call(compare))


class CoverageHandler(LogbookHandler):
    """Where the notebook has not looked in the models an experiment ran (``logbook.rules.coverage``)."""

    @tornado.web.authenticated
    async def get(self, experiment_id: str):
        eid = self.record_id(experiment_id, "experiment")

        def maps(store: Store) -> list:
            store.experiment(eid)
            return logbook_coverage(store.db, eid)

        self.send(await self.call(maps))


class PinsHandler(LogbookHandler):
    """The pinned figures of an experiment: GET lists them, POST pins one, DELETE ?position= unpins it."""

    @tornado.web.authenticated
    async def get(self, experiment_id: str):
        eid = self.record_id(experiment_id, "experiment")
        self.send(await self.call(lambda store: store.pins(eid)))

    @tornado.web.authenticated
    async def post(self, experiment_id: str):
        eid = self.record_id(experiment_id, "experiment")
        body = self.parse(bodies.NewPin)
        self.send(
            await self.call(lambda store: store.pin(eid, body.position, body.caption), writes=True), 201
        )

    @tornado.web.authenticated
    async def delete(self, experiment_id: str):
        eid = self.record_id(experiment_id, "experiment")
        position = self.int_argument("position", 0, 0, bodies.MAX_ID)
        await self.call(lambda store: store.unpin(eid, position), writes=True)
        self.send(await self.call(lambda store: store.pins(eid)))


class HistoryHandler(LogbookHandler):
    """Every run of the cell an experiment ran, oldest first, and what changed between each and the next."""

    @tornado.web.authenticated
    async def get(self, experiment_id: str):
        eid = self.record_id(experiment_id, "experiment")
        self.send(await self.call(lambda store: store.cell_history(eid)))


class ExpectedValuesHandler(LogbookHandler):
    """``{"cell_key", "name"}``: the name is expected to vary in that cell and is not flagged as drift there."""

    @tornado.web.authenticated
    async def post(self):
        body = self.parse(bodies.ExpectedValue)

        def expect(store: Store) -> dict:
            store.expect_value(body.cell_key, body.name, body.envelope)
            return _expected_in(store, body.cell_key)

        self.send(await self.call(expect, writes=True))

    @tornado.web.authenticated
    async def delete(self):
        """Undo an expected value: ``{"cell_key", "label"}`` as the body or as query arguments."""
        if not self.request.body:
            self.request.body = json.dumps(
                {key: self.get_query_argument(key, "") for key in ("cell_key", "label")}
            ).encode()
        body = self.parse(bodies.UnexpectedValue)

        def unexpect(store: Store) -> dict:
            if not store.unexpect_value(body.cell_key, body.label):
                raise NotFound(f"{body.label} is not expected to vary in that cell")
            return _expected_in(store, body.cell_key)

        self.send(await self.call(unexpect, writes=True))


def _expected_in(store: Store, cell_key: str) -> dict:
    """What is expected to vary in one cell, as the expected routes answer."""
    envelopes = store.expected_envelopes().get(cell_key, {})
    return {
        "cell_key": cell_key,
        "expected": sorted(envelopes),
        "expected_envelopes": [{"label": k, "envelope": v} for k, v in sorted(envelopes.items())],
    }


class ExpectedDriftHandler(LogbookHandler):
    """Dismiss a drift surprise as expected: it is explained and its value is not flagged again in its cell."""

    @tornado.web.authenticated
    async def post(self, surprise_id: str):
        sid = self.record_id(surprise_id, "surprise")
        user = self.current_user
        by = getattr(user, "name", "") or getattr(user, "username", "") or ""
        self.send(await self.call(lambda store: store.expect_drift(sid, by=by), writes=True))


class SettingsHandler(LogbookHandler):
    """The logbook's settings: ``drift_threshold``, the relative change that flags a value with few earlier runs."""

    @tornado.web.authenticated
    async def get(self):
        self.send(await self.call(lambda store: {"drift_threshold": store.drift_threshold()}))

    @tornado.web.authenticated
    async def post(self):
        body = self.parse(bodies.Settings)
        self.send(
            await self.call(
                lambda store: {"drift_threshold": store.set_drift_threshold(body.drift_threshold)},
                writes=True,
            )
        )


class OutputHandler(LogbookHandler):
    """An output's bytes. Only images are served as themselves; all else as inert plain text."""

    @tornado.web.authenticated
    async def get(self, sha256: str):
        data = await self.call(lambda store: store.blob(sha256))
        mime = self.get_argument("mime", "text/plain")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox; default-src 'none'")
        self.finish(
            data,
            set_content_type=mime if mime in ("image/png", "image/jpeg") else "text/plain; charset=utf-8",
        )


class SurprisesHandler(LogbookHandler):
    """``?status=open|explained|acted_on|resolved|all`` (default all), most surprising first."""

    @tornado.web.authenticated
    async def get(self):
        status = self.get_argument("status", "all")
        self.send(await self.call(lambda store: store.surprises(status)))


class SurpriseHandler(LogbookHandler):
    """``{"read": true}`` marks a surprise seen; ``{"action": ...}`` closes it, in the user's name."""

    @tornado.web.authenticated
    async def patch(self, surprise_id: str):
        sid = self.record_id(surprise_id, "surprise")
        body = self.parse(bodies.SurpriseChange)
        if body.read is None and body.action is None:
            raise tornado.web.HTTPError(400, "nothing to change: give read or an action")
        user = self.current_user
        by = getattr(user, "name", "") or getattr(user, "username", "") or ""

        def change(store: Store):
            if body.action is None:
                return store.mark_surprise_read(sid, bool(body.read))
            # Closing a surprise also marks it read.
            return store.resolve_surprise(
                sid,
                body.action,
                explanation=body.explanation,
                credence=body.credence,
                reason=body.reason,
                by=by,
            )

        self.send(await self.call(change, writes=True))


def _user_name(handler: LogbookHandler) -> str:
    user = handler.current_user
    return getattr(user, "name", "") or getattr(user, "username", "") or ""


class FollowUpHandler(LogbookHandler):
    """``{"statement", "credence"}``: a new hypothesis that follows up the surprise, which closes as followed up."""

    @tornado.web.authenticated
    async def post(self, surprise_id: str):
        sid = self.record_id(surprise_id, "surprise")
        body = self.parse(bodies.FollowUp)
        by = _user_name(self)
        created = await self.call(
            lambda store: store.follow_up(sid, body.statement, body.credence, body.brainstorm_id, by=by),
            writes=True,
        )
        self.send(created, 201)


class BulkTriageHandler(LogbookHandler):
    """``{"ids", "action", "explanation"}``: close each surprise on its own; the answer says, per id, how it went.

    ``{"closed": 2, "already": 0, "refused": 1, "results": [{"id": 3, "ok": true, "surprise": {...}},
    {"id": 5, "ok": false, "error": "S5 was already resolved ..."}]}``. One surprise refused leaves the
    others closed.
    """

    @tornado.web.authenticated
    async def post(self):
        body = self.parse(bodies.BulkTriage)
        explanation = body.explanation.strip()
        if body.action == "explained" and not explanation:
            raise tornado.web.HTTPError(400, "say what explains them: the explanation is empty")
        by = _user_name(self)

        def close_each(store: Store) -> dict:
            results, counts = [], {"closed": 0, "already": 0, "refused": 0}
            for sid in dict.fromkeys(body.ids):
                try:
                    before = store.surprise(sid)
                    after = store.resolve_surprise(sid, body.action, explanation=explanation, by=by)
                except LogbookUnavailable:
                    raise  # the logbook itself cannot be written: a 503 for all, not a refusal of one
                except LogbookError as error:
                    counts["refused"] += 1
                    results.append({"id": sid, "ok": False, "error": str(error)})
                    continue
                already = before.resolution is not None
                counts["already" if already else "closed"] += 1
                results.append({"id": sid, "ok": True, "already": already, "surprise": _plain(after)})
            return {**counts, "results": results}

        self.send(await self.call(close_each, writes=True))


class SurpriseLookupHandler(LogbookHandler):
    """The surprises a card under a cell stands for, newest first (any status, at most 20).

    ``?id=3``, ``?prediction_id=H1.P2`` (or ``hypothesis_id`` and ``prediction``), or ``?note=...`` for a
    flag or a drift; ``experiment_id`` narrows it to one cell run.
    """

    @tornado.web.authenticated
    async def get(self):
        raw_id = self.get_argument("id", "")
        if raw_id:
            sid = self.record_id(raw_id.removeprefix("S"), "surprise")
            self.send(await self.call(lambda store: [store.surprise(sid)]))
            return
        prediction_id = self.get_argument("prediction_id", "") or None
        hypothesis_id = self.get_argument("hypothesis_id", "") or None
        prediction = self.get_argument("prediction", "") or None
        note = self.get_argument("note", "") or None
        raw_experiment = self.get_argument("experiment_id", "")
        experiment_id = self.record_id(raw_experiment, "experiment") if raw_experiment else None
        if not (prediction_id or prediction or note):
            raise tornado.web.HTTPError(400, "say which surprise: give prediction_id, prediction or note")
        where, params = [], []
        for column, value in (
            ("prediction_id", prediction_id),
            ("hypothesis_id", hypothesis_id),
            ("prediction", prediction),
            ("note", note),
            ("experiment_id", experiment_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)

        def find(store: Store) -> list:
            rows = store.db.execute(
                f"SELECT id FROM surprises WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT 20", params
            ).fetchall()
            return [store.surprise(row[0]) for row in rows]

        self.send(await self.call(find))


class NotesHandler(LogbookHandler):
    """GET lists the notes (``?experiment_id=`` those on one experiment); POST writes one."""

    @tornado.web.authenticated
    async def get(self):
        raw = self.get_argument("experiment_id", "")
        experiment_id = self.record_id(raw, "experiment") if raw else None
        self.send(await self.call(lambda store: store.notes(experiment_id)))

    @tornado.web.authenticated
    async def post(self):
        body = self.parse(bodies.NewNote)
        created = await self.call(
            lambda store: store.add_note(body.text, body.experiment_id, body.hypothesis_id), writes=True
        )
        self.send(created, 201)


class ModeHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self):
        def mode(store: Store) -> dict:
            current = store.current_mode()
            return {"mode": current.value if current else None, "balance": store.mode_balance()}

        self.send(await self.call(mode))

    @tornado.web.authenticated
    async def post(self):
        body = self.parse(bodies.ModeSwitch)
        self.send(await self.call(lambda store: store.set_mode(body.mode), writes=True), 201)


class ExportHandler(LogbookHandler):
    """GET downloads the log; POST writes it to a file inside the project folder."""

    def _selection(self, since: Optional[str], until: Optional[str], ids) -> Optional[Selection]:
        """The part of the logbook asked for, None for all of it; a range that ends before it starts is a 400."""
        if not (since or until or ids):
            return None
        try:
            return Selection(since=since, until=until, hypothesis_ids=parse_ids(ids))
        except LogbookError as error:
            raise tornado.web.HTTPError(400, str(error)) from None

    @tornado.web.authenticated
    async def get(self):
        fmt = self.get_argument("format", "html")
        if fmt not in EXPORT_TYPES:
            raise tornado.web.HTTPError(400, f"unknown format {fmt!r}; choose json, md or html")
        ids = self.get_arguments("hypothesis") or None
        selection = self._selection(self.get_argument("since", None), self.get_argument("until", None), ids)
        title = self.get_argument("title", None)
        text = await self.call(lambda store: render(store, fmt, selection, title))
        self.set_header("Content-Disposition", f'attachment; filename="research-log.{fmt}"')
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox")
        self.finish(text, set_content_type=f"{EXPORT_TYPES[fmt]}; charset=utf-8")

    @tornado.web.authenticated
    async def post(self):
        body = self.parse(bodies.ExportToFile)
        selection = self._selection(body.since, body.until, body.hypotheses)
        root = self.project_root.resolve()
        written = await self.call(
            lambda store: export_logbook(
                store,
                root / body.path,
                body.format,
                selection,
                root=root,
                title=body.title,
                replace=body.replace,
            )
        )
        size = os.stat(written, follow_symlinks=False).st_size  # the file written, never what a link names
        self.send({"path": written.relative_to(root).as_posix(), "bytes": size}, 201)


class SetsHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self):
        self.send(await self.call(lambda store: store.competing_sets()))

    @tornado.web.authenticated
    async def post(self):
        body = self.parse(bodies.NewSet)

        def create(store: Store):
            if not body.hypothesis_ids and body.brainstorm_id is not None:
                return store.set_from_brainstorm(body.brainstorm_id, body.question, body.something_else)
            return store.create_set(
                body.question, body.hypothesis_ids, body.something_else, body.brainstorm_id, body.reason
            )

        self.send(await self.call(create, writes=True), 201)


class SetHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self, set_id: str):
        self.send(await self.call(lambda store: store.competing_set(int(set_id))))

    @tornado.web.authenticated
    async def post(self, set_id: str):
        body = self.parse(bodies.SetChange)

        def change(store: Store):
            if body.hypothesis_id == "else":
                return store.set_something_else(int(set_id), body.credence, body.reason)
            member = store.hypothesis(body.hypothesis_id)
            if member.set_id != int(set_id):
                raise LogbookError(f"{member.id} is not in C{set_id}")
            return store.set_credence(member.id, body.credence, body.reason, body.give_way)

        self.send(await self.call(change, writes=True))


class TagsHandler(LogbookHandler):
    """POST ``{"tags": [...], "replace": false}``: tags for a hypothesis or a prediction (they slice calibration);
    answers the hypothesis or prediction as it now is."""

    @tornado.web.authenticated
    async def post(self, record_id: str):
        body = self.parse(bodies.Tags)

        def tag(store: Store):
            store.tag(record_id, body.tags, body.replace)
            return store.prediction(record_id) if "." in record_id else store.hypothesis(record_id)

        self.send(await self.call(tag, writes=True))


class SetMembersHandler(LogbookHandler):
    """POST ``{"hypothesis_id", "reason"}``: the hypothesis joins the set as a rival; the others make room."""

    @tornado.web.authenticated
    async def post(self, set_id: str):
        body = self.parse(bodies.SetMember)
        self.send(
            await self.call(
                lambda store: store.add_to_set(int(set_id), body.hypothesis_id, body.reason), writes=True
            )
        )


class SetMemberHandler(LogbookHandler):
    """DELETE ``?reason=``: the member leaves the set; what it held goes to something else."""

    @tornado.web.authenticated
    async def delete(self, set_id: str, hypothesis_id: str):
        reason = self.get_argument("reason", "")

        def leave(store: Store):
            if len(reason) > 100_000:
                raise LogbookError("the reason is longer than 100,000 characters")
            member = store.hypothesis(hypothesis_id)
            if member.set_id != int(set_id):
                raise LogbookError(f"{member.id} is not in C{set_id}")
            return store.remove_from_set(member.id, reason)

        self.send(await self.call(leave, writes=True))


class ProposalsHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self):
        status = self.get_argument("status", None)
        self.send(await self.call(lambda store: store.proposals(status or None)))


class ProposalHandler(LogbookHandler):
    @tornado.web.authenticated
    async def post(self, proposal_id: str):
        body = self.parse(bodies.ProposalDecision)
        self.send(
            await self.call(
                lambda store: store.decide_proposal(
                    int(proposal_id), body.decision, body.reason, body.credences
                ),
                writes=True,
            )
        )


class DueHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self):
        self.send(await self.call(lambda store: store.due_predictions()))


class CalibrationHandler(LogbookHandler):
    """GET calibration?by=tag|mode|brainstorm|model: slices with their counts and warnings; by=time: rolling Brier."""

    @tornado.web.authenticated
    async def get(self):
        from dataclasses import asdict

        from logbook.rules.calibration import (
            calibration_slices,
            first_verdict_experiments,
            getting_better,
            rolling_brier,
        )

        by = self.get_argument("by", "mode")
        window = self.int_argument("window", 10, 1, 10_000)

        def read(store: Store) -> dict:
            hypotheses = store.hypotheses()
            if by == "time":
                points = rolling_brier(hypotheses, window)
                return {
                    "by": by,
                    "points": [{**asdict(p), "at": p.at.isoformat()} for p in points],
                    "summary": getting_better(points, window),
                }
            models = store.experiment_models(first_verdict_experiments(hypotheses))
            try:
                rows = calibration_slices(hypotheses, by, models)
            except ValueError as error:
                raise LogbookError(str(error)) from None
            return {"by": by, "slices": [{**asdict(s), "warning": s.warning} for s in rows]}

        self.send(await self.call(read))


class DashboardHandler(LogbookHandler):
    """GET dashboard?have=KEY,KEY: every chart as a Vega-Lite spec (``logbook.report.dashboard``); charts whose key the
    client sent come without their spec."""

    @tornado.web.authenticated
    async def get(self):
        import time

        from logbook.report.dashboard import DashboardCache, dashboard

        have = [key for key in self.get_argument("have", "").split(",") if key][:1000]
        cache = self.settings.setdefault("logbook_dashboard", DashboardCache())
        self.settings["logbook_dashboard_asked"] = (
            time.monotonic()
        )  # kept up to date after changes from now on
        self.send(await self.call(lambda store: dashboard(store, have, cache)))


ROUTES = [
    ("status", StatusHandler),
    ("changes", ChangesHandler),
    ("hypotheses", HypothesesHandler),
    (r"hypotheses/(H\d+)", HypothesisHandler),
    (r"hypotheses/(H\d+)/predictions", PredictionsHandler),
    ("predictions/check", CheckExpressionHandler),
    (r"predictions/(H\d+\.P\d+)", PredictionHandler),
    (r"predictions/(H\d+\.P\d+)/verdict", VerdictHandler),
    (r"hypotheses/(H\d+)/tags", TagsHandler),
    (r"predictions/(H\d+\.P\d+)/tags", TagsHandler),
    ("trust", TrustHandler),
    ("brainstorms", BrainstormsHandler),
    ("brainstorms/current", CurrentBrainstormHandler),
    (r"brainstorms/(\d+)", BrainstormHandler),
    ("experiments", ExperimentsHandler),
    ("search", SearchHandler),
    ("experiments/compare", CompareHandler),
    (r"experiments/(\d+)", ExperimentHandler),
    (r"experiments/(\d+)/coverage", CoverageHandler),
    (r"experiments/(\d+)/pins", PinsHandler),
    (r"experiments/(\d+)/history", HistoryHandler),
    ("expected", ExpectedValuesHandler),
    ("settings", SettingsHandler),
    (r"outputs/([0-9a-f]{64})", OutputHandler),
    ("surprises", SurprisesHandler),
    ("surprises/bulk", BulkTriageHandler),
    ("surprises/lookup", SurpriseLookupHandler),
    (r"surprises/(\d+)", SurpriseHandler),
    (r"surprises/(\d+)/expected", ExpectedDriftHandler),
    (r"surprises/(\d+)/follow-up", FollowUpHandler),
    ("notes", NotesHandler),
    ("mode", ModeHandler),
    ("export", ExportHandler),
    ("sets", SetsHandler),
    (r"sets/(\d+)", SetHandler),
    (r"sets/(\d+)/members", SetMembersHandler),
    (r"sets/(\d+)/members/([Hh]\d+)", SetMemberHandler),
    ("proposals", ProposalsHandler),
    (r"proposals/(\d+)", ProposalHandler),
    ("predictions/due", DueHandler),
    ("calibration", CalibrationHandler),
    ("dashboard", DashboardHandler),
]


def route_table(base_url: str) -> list[tuple[str, type]]:
    return [(url_path_join(base_url, "logbook", "api", pattern), handler) for pattern, handler in ROUTES]
