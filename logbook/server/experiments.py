"""The experiments' routes: the list and search, one experiment and its outputs, two side by side,
coverage, pins, a cell's history, the values expected to vary, and the drift setting."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Optional

import tornado.web

from logbook.errors import NotFound
from logbook.models import CellHistory, Pin
from logbook.paths import team_folder
from logbook.replies import (
    Comparison,
    DriftSettings,
    ExpectedValues,
    ExperimentPage,
    ExperimentRow,
    ExperimentView,
    LocatedSearchResults,
    TeammateMatches,
)
from logbook.rules.compare import compare_values, compare_verdicts, with_weights
from logbook.rules.coverage import ModelCoverage
from logbook.server import requests as bodies
from logbook.server.base import MAX_PAGE, Exchange, LogbookHandler
from logbook.store.core import Store
from logbook.store.sections import experiment_judgements
from logbook.store.views import experiment_coverage
from logbook.team.view import teammate_matches


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
    api = {"GET": Exchange(ExperimentPage)}

    @tornado.web.authenticated
    async def get(self) -> None:
        limit = self.int_argument("limit", 100, 1, MAX_PAGE)
        offset = self.int_argument("offset", 0, 0, 2**62)
        query = self.get_argument("q", "").strip() or None
        total, rows = await self.call(lambda store: store.experiment_rows(limit, offset, query))
        root = self.project_root
        experiments = [ExperimentRow(**row, lab_path=lab_path(row["notebook"], root)) for row in rows]
        self.send(ExperimentPage(total=total, offset=offset, experiments=experiments))


class SearchHandler(LogbookHandler):
    """``GET search?q=words[&kind=surprise...][&limit=5][&offset=0]``: the whole logbook, grouped by kind, and in a
    team project each teammate's matches too (first page)."""

    api = {"GET": Exchange(LocatedSearchResults)}

    @tornado.web.authenticated
    async def get(self) -> None:
        query = self.get_argument("q", "")
        kinds = self.get_arguments("kind") or None
        limit = self.int_argument("limit", 5, 1, MAX_PAGE)
        offset = self.int_argument("offset", 0, 0, 2**62)
        own = self.call(lambda store: store.search(query, kinds, limit, offset))
        path = self.db.path
        teammates: list[TeammateMatches] = []
        if offset or team_folder(path) is None:
            results = await own
        else:  # the teammates' files are searched beside yours, off the database thread
            results, teammates = await asyncio.gather(
                own, self.call_aside(lambda: teammate_matches(path, query, kinds, limit))
            )
        found = results.model_dump()
        for group in found["groups"]:
            for hit in group["hits"]:
                hit["lab_path"] = lab_path(hit["notebook"], self.project_root)
        found["teammates"] = teammates
        self.send(found)


class ExperimentHandler(LogbookHandler):
    api = {"GET": Exchange(ExperimentView)}

    @tornado.web.authenticated
    async def get(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        root = self.project_root
        self.send(await self.call(lambda store: experiment_view(store, eid, root)))


def experiment_view(store: Store, experiment_id: int, root: Path) -> ExperimentView:
    """An experiment as the experiment routes send it: with its path in JupyterLab and whether its outputs run."""
    experiment = store.experiment(experiment_id)
    # Kernels record as the system user the server runs as: that is who "you" are here.
    trusted, why = store.outputs_trusted(experiment_id)
    return ExperimentView(
        **experiment.model_dump(),
        lab_path=lab_path(experiment.notebook, root),
        outputs_trusted=trusted,
        outputs_untrusted_why=why,
    )


class CompareHandler(LogbookHandler):
    """Two experiments side by side: ``?old=3&new=7``.

    Answers both experiments (as ``experiments/{id}`` does), the predictions
    judged on each, and what changed from ``old`` to ``new``: every assigned
    value with its statistics old → new (``logbook.rules.compare``) and every
    prediction's verdict on each, a held → failed first. An id that is not in
    the logbook is a 404 that names it.
    """

    api = {"GET": Exchange(Comparison)}

    @tornado.web.authenticated
    async def get(self) -> None:
        raw = {key: self.get_argument(key, "").strip().removeprefix("#") for key in ("old", "new")}
        if not raw["old"] or not raw["new"]:
            raise tornado.web.HTTPError(400, "say which two experiments to compare: ?old=3&new=7")
        old_id = self.record_id(raw["old"], "old experiment")
        new_id = self.record_id(raw["new"], "new experiment")
        if old_id == new_id:
            raise tornado.web.HTTPError(400, f"choose two different experiments: both are #{old_id}")
        root = self.project_root

        def compare(store: Store) -> Comparison:
            old, new = experiment_view(store, old_id, root), experiment_view(store, new_id, root)
            old_judged = experiment_judgements(store, old_id).judgements
            new_judged = experiment_judgements(store, new_id).judgements
            return Comparison(
                old=old,
                new=new,
                old_judgements=old_judged,
                new_judgements=new_judged,
                same_cell=old.cell_key is not None and old.cell_key == new.cell_key,
                same_source=old.source == new.source,
                values=compare_values(with_weights(old.names, old.torch), with_weights(new.names, new.torch)),
                verdicts=compare_verdicts(
                    [j.model_dump() for j in old_judged], [j.model_dump() for j in new_judged]
                ),
            )

        self.send(await self.call(compare))


class CoverageHandler(LogbookHandler):
    """Where the notebook has not looked in the models an experiment ran (``logbook.rules.coverage``)."""

    api = {"GET": Exchange(list[ModelCoverage])}

    @tornado.web.authenticated
    async def get(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        self.send(await self.call(lambda store: experiment_coverage(store, eid)))


class PinsHandler(LogbookHandler):
    """The pinned figures of an experiment: GET lists them, POST pins one, DELETE ?position= unpins it."""

    api = {
        "GET": Exchange(list[Pin]),
        "POST": Exchange(Pin, bodies.NewPin, 201),
        "DELETE": Exchange(list[Pin]),
    }

    @tornado.web.authenticated
    async def get(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        self.send(await self.call(lambda store: store.pins(eid)))

    @tornado.web.authenticated
    async def post(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        body = self.body(bodies.NewPin)
        self.send(await self.call(lambda store: store.pin(eid, body.position, body.caption), writes=True))

    @tornado.web.authenticated
    async def delete(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        position = self.int_argument("position", 0, 0, bodies.MAX_ID)

        def unpin(store: Store) -> list[Pin]:
            store.unpin(eid, position)
            return store.pins(eid)

        self.send(await self.call(unpin, writes=True))


class HistoryHandler(LogbookHandler):
    """Every run of the cell an experiment ran, oldest first, and what changed between each and the next."""

    api = {"GET": Exchange(CellHistory)}

    @tornado.web.authenticated
    async def get(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        self.send(await self.call(lambda store: store.cell_history(eid)))


class ExpectedValuesHandler(LogbookHandler):
    """``{"cell_key", "name"}``: the name is expected to vary in that cell and is not flagged as drift there."""

    api = {
        "POST": Exchange(ExpectedValues, bodies.ExpectedValue),
        "DELETE": Exchange(ExpectedValues, bodies.UnexpectedValue),
    }

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.ExpectedValue)

        def expect(store: Store) -> ExpectedValues:
            store.expect_value(body.cell_key, body.name, body.envelope)
            return expected_in(store, body.cell_key)

        self.send(await self.call(expect, writes=True))

    @tornado.web.authenticated
    async def delete(self) -> None:
        """Undo an expected value: ``{"cell_key", "label"}`` as the body or as query arguments."""
        if not self.request.body:
            self.request.body = json.dumps(
                {key: self.get_query_argument(key, "") for key in ("cell_key", "label")}
            ).encode()
        body = self.body(bodies.UnexpectedValue)

        def unexpect(store: Store) -> ExpectedValues:
            if not store.unexpect_value(body.cell_key, body.label):
                raise NotFound(f"{body.label} is not expected to vary in that cell")
            return expected_in(store, body.cell_key)

        self.send(await self.call(unexpect, writes=True))


def expected_in(store: Store, cell_key: str) -> ExpectedValues:
    """What is expected to vary in one cell, as the expected routes answer."""
    envelopes = store.expected_envelopes().get(cell_key, {})
    return ExpectedValues(
        cell_key=cell_key,
        expected=sorted(envelopes),
        expected_envelopes=[{"label": k, "envelope": v} for k, v in sorted(envelopes.items())],
    )


class SettingsHandler(LogbookHandler):
    """The logbook's settings: ``drift_threshold``, the relative change that flags a value with few earlier runs."""

    api = {"GET": Exchange(DriftSettings), "POST": Exchange(DriftSettings, bodies.Settings)}

    @tornado.web.authenticated
    async def get(self) -> None:
        self.send(await self.call(lambda store: DriftSettings(drift_threshold=store.drift_threshold())))

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.Settings)
        self.send(
            await self.call(
                lambda store: DriftSettings(drift_threshold=store.set_drift_threshold(body.drift_threshold)),
                writes=True,
            )
        )


class OutputHandler(LogbookHandler):
    """An output's bytes. Only images are served as themselves; all else as inert plain text."""

    api = {"GET": Exchange(None, media="image/png, image/jpeg or text/plain")}

    @tornado.web.authenticated
    async def get(self, sha256: str) -> None:
        data = await self.call(lambda store: store.blob(sha256))
        mime = self.get_argument("mime", "text/plain")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox; default-src 'none'")
        self.finish(
            data,
            set_content_type=mime if mime in ("image/png", "image/jpeg") else "text/plain; charset=utf-8",
        )


ROUTES: list[tuple[str, type[LogbookHandler]]] = [
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
]
