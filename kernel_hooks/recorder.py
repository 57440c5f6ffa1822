"""Recording every executed cell as an experiment, and judging predictions after it.

After each cell the experiment is handed to the writer first; only then are
the predictions it made due evaluated, each written ahead (on disk with the
cells before it, :class:`kernel_hooks.judging.Ahead`) and run under a time budget
(:mod:`kernel_hooks.watchdog`), and their judgements handed over as a second
job, linked to the experiments that produced the values
(:mod:`kernel_hooks.provenance`). Before judging, the values the cell assigned
are compared with its earlier runs of the same code, and what drifted is shown
under the cell and written as drift surprises (:mod:`kernel_hooks.drift`).
Cells that a cell runs itself (``%%capture``,
``get_ipython().run_cell``) belong to the cell that ran them.
"""

from __future__ import annotations

import collections
import sys
import threading
import time
import traceback
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from kernel_hooks.capture import DisplayCapture, StreamCapture
from kernel_hooks.cells import (
    CellStart,
    NotebookPath,
    RunningCells,
    error_fields,
)
from kernel_hooks.drift import (
    DEFAULT_THRESHOLD,
    INTERRUPTED,
    CellHistory,
    Drift,
    Run,
    cell_key,
    source_key,
)
from kernel_hooks.hooks_left import LeftByJob, left_message, running_message
from kernel_hooks.jobs import (
    DriftJob,
    ExperimentJob,
    FoldJob,
    JudgementsJob,
    drift_record,
    too_slow_job,
)
from kernel_hooks.judging import (
    Ahead,
    Judged,
    Outcome,
    TrackedPrediction,
    due,
    judge_all,
    stop_stale,
)
from kernel_hooks.provenance import ExperimentHandle, Provenance
from kernel_hooks.reply_watch import ReplyWatch
from kernel_hooks.summaries import summarize
from kernel_hooks.surprise_display import show_drift, show_surprise
from kernel_hooks.torch_activity import TorchActivity
from kernel_hooks.watchdog import Watchdog, budget_from_env
from kernel_hooks.writer import Writer
from logbook.models import PredictionState
from logbook.store.cell_record import CellRecord
from logbook.store.core import Store
from logbook.store.tables.base import current_user
from logbook.text import clean_text

#: Assigned names summarized per cell.
MAX_NAMES = 50
#: Earlier runs read from the logbook when the kernel starts, to compare cells with.
EARLIER_RUNS = 1000
#: Sources whose key is remembered, so re-running a cell does not hash it again.
SOURCE_KEYS_KEPT = 512
#: The longest a drift card waits for the writer to give its earlier runs their ids (a stalled writer: no ids).
DRIFT_FLUSH_SECONDS = 1.0


class Recorder:
    """Watches one IPython shell and records each cell it runs."""

    def __init__(self, shell: Any, path: Path):
        self.shell = shell
        self.path = path
        self.session = uuid.uuid4().hex[:12]
        #: Who recorded the cells: the user this kernel runs as.
        self.author = current_user() or None
        self.stdout = StreamCapture("stdout")
        self.stderr = StreamCapture("stderr")
        self.display = DisplayCapture(shell)
        self.torch = TorchActivity()
        self.predictions: dict[str, TrackedPrediction] = {}
        self.mode: Optional[str] = None
        self.provenance = Provenance()
        self.cells = RunningCells(shell)
        self.notebook_path = NotebookPath(shell)
        self.history = CellHistory()
        self.drift_threshold = DEFAULT_THRESHOLD
        self._source_keys: dict[str, str] = {}
        self._pre_ms = 0.0
        self._warnings: collections.deque[str] = collections.deque(maxlen=100)
        self._warned: set[str] = set()
        self._lock = threading.Lock()
        self.budget = budget_from_env(self.warn)
        self.watchdog = Watchdog(self.budget, self._too_slow)
        self._load_predictions()
        self.writer = Writer(path, self.warn, self.reload)
        self.ahead = Ahead(self.writer, self.session, self.budget)
        self.replies = ReplyWatch(shell, self.writer.replied)
        self.watching_replies = False

    def _load_predictions(self) -> None:
        """Know the active predictions before the first cell runs (the writer keeps them fresh after).

        A prediction whose judgement a stopped kernel left unfinished is marked
        too slow first, and said so under the first cell. This runs while the
        kernel starts, so it skips the integrity check (it reads every page);
        the writer's own connection makes it and reports damage.
        """
        try:
            with Store(self.path, check_integrity=False) as store:
                for line in stop_stale(store):
                    self.warn(line)
                self.reload(store)
                for experiment_id, key, source, error, names in store.history.earlier_runs(
                    self.notebook_path(), EARLIER_RUNS
                ):
                    self.history.add(key, source, Run(experiment_id, names, error))
        except Exception:  # noqa: BLE001 - the writer reports an unusable logbook
            pass

    # -- lifecycle --------------------------------------------------------

    def register(self) -> None:
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)
        self.watching_replies = self.replies.install()
        self.cells.watch_parsing()
        self.stdout.install()
        self.stderr.install()
        self.display.install()

    def unregister(self) -> None:
        for event, callback in (("pre_run_cell", self.pre_run_cell), ("post_run_cell", self.post_run_cell)):
            try:
                self.shell.events.unregister(event, callback)
            except ValueError:
                pass
        self.replies.uninstall()
        self.cells.stop_watching_parsing()
        self.watching_replies = False
        self.writer.replied()
        self.stdout.remove()
        self.stderr.remove()
        self.display.remove()
        self.torch.stop()
        self.torch.unpatch_libraries()
        self.watchdog.stop()
        self.writer.stop()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything recorded so far is in the logbook."""
        return self.writer.flush(timeout)

    # -- warnings ---------------------------------------------------------

    def warn(self, message: str, once: bool = True) -> None:
        """Queue a one-line warning for the user; shown after the current cell (``once``: never again)."""
        with self._lock:
            if not once:
                self._warnings.append(message)
            elif message not in self._warned:
                self._warned.add(message)
                self._warnings.append(message)

    def _show_warnings(self) -> None:
        while self._warnings:
            message = self._warnings.popleft()
            try:
                print(f"logbook: {message}", file=sys.__stderr__ if sys.stderr is None else sys.stderr)
            except Exception:  # noqa: BLE001
                pass

    def _internal_error(self, where: str) -> None:
        error_type, error, _ = sys.exc_info()
        message = f"{where}: {error_type.__name__ if error_type else 'error'}: {error}"
        details = traceback.format_exc()
        self.writer.submit(lambda store: store.record_error(where, message, details))
        self.warn(f"recording failed in {message} (your cell ran normally)")

    # -- the predictions the kernel watches -------------------------------

    def reload(self, store: Store) -> None:
        """Refresh the active predictions and the mode from the logbook (any thread).

        Only predictions signed by this user and still in force (not
        superseded by a revision) are watched; untrusted ones are counted and
        named in one line, since they will not run.
        """
        tracked: dict[str, TrackedPrediction] = {}
        untrusted = 0
        for hypothesis in store.hypotheses(status="active"):
            for prediction in hypothesis.predictions:
                if prediction.kind.value != "expression" or prediction.superseded_by:
                    continue
                if not prediction.trusted:
                    untrusted += 1
                    continue
                known = self.predictions.get(prediction.id)
                if known is None:
                    known = TrackedPrediction(
                        prediction,
                        hypothesis.statement,
                        evaluated=prediction.state is not PredictionState.pending,
                        error_reported=prediction.state is PredictionState.error,
                        failing=_failing_runs(prediction),
                    )
                else:
                    known.prediction = prediction
                tracked[prediction.id] = known
        mode = store.journal.current_mode()
        self.history.expected = store.history.expected_envelopes()
        self.drift_threshold = store.settings.drift_threshold()
        self.predictions = tracked
        self.mode = mode.value if mode else None
        if untrusted:
            many = (
                f"{untrusted} predictions in this logbook are"
                if untrusted > 1
                else "1 prediction in this logbook is"
            )
            self.warn(f"{many} not trusted and will not run; review them with `logbook trust`")

    def judge_written(self, prediction_id: str) -> None:
        """Judge a prediction just written in this kernel at once, if its names already hold values.

        When the running cell assigns one of its names, it is judged after the cell instead.
        """
        tracked = self.predictions.get(prediction_id)
        if tracked is None or tracked.evaluated or tracked.too_slow:
            return
        running = self.cells.current
        if running is not None and set(tracked.prediction.names).intersection(self.cells.assigned(running)):
            return
        outcome = judge_all([tracked], self.shell.user_ns, self.watchdog, self.provenance, ahead=self.ahead)
        self._report(outcome, None)

    def cell_started_at(self) -> Optional[datetime]:
        """When the running cell started (None outside a cell)."""
        running = self.cells.current
        return running.started_at if running is not None else None

    def mode_switched(self, mode: str) -> None:
        """The running cell switched mode: it and the cells after it belong to ``mode``."""
        self.mode = mode
        if self.cells.current is not None:
            self.cells.current.mode = mode

    def _too_slow(self, tracked: TrackedPrediction, seconds: float) -> None:
        """(Any thread) A prediction ran past the budget: mark it at once and say so, once."""
        prediction = tracked.prediction
        tracked.stopped = prediction.expression
        self.writer.submit(too_slow_job(prediction.id, self.budget))
        self.warn(
            f"prediction {prediction.id} ({prediction.expression}) took longer than {self.budget:g} s "
            "to evaluate; it was stopped and is not evaluated again until you edit it"
        )

    # -- cell events ------------------------------------------------------

    def pre_run_cell(self, info: Any) -> None:
        started_at, clock = datetime.now(timezone.utc), time.perf_counter()
        self.writer.kernel_busy()
        if self.watching_replies:
            self.writer.expect_reply()
        try:
            if not self.cells.start(CellStart(info, started_at, clock, self.mode)):
                return  # a cell the running cell runs itself: it belongs to the running one
            self.stdout.install()
            self.stderr.install()
            self.display.install()
            self.stdout.take()
            self.stderr.take()
            self.display.take()
            if "torch" in sys.modules:
                try:
                    self.torch.start()
                except Exception:  # noqa: BLE001 - record the cell even if torch tracking fails
                    self._internal_error("torch tracking")
        except Exception:  # noqa: BLE001 - the user's cell must run regardless
            self._internal_error("pre_run_cell")
        except KeyboardInterrupt:
            self.warn("an interrupt came while the cell was starting; it may not be recorded")
        self._pre_ms = (time.perf_counter() - clock) * 1000.0

    def post_run_cell(self, result: Any) -> None:
        clock = time.perf_counter()
        try:
            start = self.cells.end(result)
            if start is not None:
                self._finish(start, result, clock)
        except Exception:  # noqa: BLE001
            self._internal_error("post_run_cell")
        except KeyboardInterrupt:
            self.warn("an interrupt came while the cell was being recorded; the record may be incomplete")
        finally:
            self.ahead.done()  # judging that ended without its report (a failure) is over all the same
            if self._warnings:
                self._show_warnings()
            self.writer.kernel_idle()

    def _finish(self, start: CellStart, result: Any, clock: float) -> None:
        duration_ms = (clock - start.clock) * 1000.0
        torch_activity = self.torch.stop() if self.torch.active else {}
        stdout, stderr, outputs = self.stdout.take(), self.stderr.take(), self.display.take()
        source = clean_text(start.info.raw_cell or "")
        if not source.strip():
            return
        namespace = self.shell.user_ns
        assigned = self.cells.assigned(start, source)
        notebook, cell_id, code = (
            self.notebook_path(),
            getattr(start.info, "cell_id", None),
            self._source_key(source),
        )
        key = cell_key(notebook, cell_id, code)
        row: CellRecord = {
            "session": self.session,
            "author": self.author,
            "notebook": notebook,
            "cell_id": cell_id,
            "cell_key": key,
            "source_key": code,
            "execution_count": getattr(result, "execution_count", None),
            "source": source,
            "duration_ms": round(duration_ms, 3),
            "stdout": clean_text(stdout),
            "stderr": clean_text(stderr),
            "mode": start.mode,
            **error_fields(result),
        }
        handle = self.provenance.new_experiment(assigned)
        names = self._summaries(assigned, namespace)
        job = ExperimentJob(row, outputs, names, torch_activity, handle, start.started_at)
        drifted = self._drift(row, key, code, names, handle, job)
        self.writer.submit(LeftByJob(job) if torch_activity.get("running_with") else job)
        if torch_activity.get("hooks_left"):
            self.torch.left.left_by(row["execution_count"], handle)
            self.warn(left_message(torch_activity["hooks_left"], row["execution_count"]))
        if torch_activity.get("running_with"):
            self.warn(running_message(torch_activity["running_with"]), once=False)
        if drifted:
            self._flag_drift(drifted, key, handle, row["execution_count"])
        judged_now = due(self.predictions.values(), set(assigned)) if self.predictions else []
        outcome = (
            judge_all(judged_now, namespace, self.watchdog, self.provenance, names, self.ahead)
            if judged_now
            else Outcome()
        )
        self._report(outcome, row["execution_count"], handle, clock)

    def _source_key(self, source: str) -> str:
        key = self._source_keys.get(source)
        if key is None:
            if len(self._source_keys) >= SOURCE_KEYS_KEPT:
                self._source_keys.clear()
            key = self._source_keys[source] = source_key(source)
        return key

    def _drift(
        self,
        row: CellRecord,
        key: str,
        code: str,
        names: dict[str, Any],
        handle: ExperimentHandle,
        job: ExperimentJob,
    ) -> list[Drift]:
        """Compare the values of the cell ``key`` (its source ``code``) with its earlier runs: what drifted.

        The run is noted in the cell's history; ``job`` folds it in once the experiment is written.
        """
        error = None if row["ok"] else (row.get("error_name") or "error")
        if error == INTERRUPTED:
            return []  # stopped by the researcher: not a result to compare, nor one to compare others with
        try:
            found = self.history.compare(key, code, names, error, self.drift_threshold)
            self.history.note(key, code, Run(handle, names, error))
            job.fold = FoldJob(self.history, key, code)
        except Exception:  # noqa: BLE001 - the cell is recorded without its drift
            self._internal_error("drift")
            return []
        return found

    def _flag_drift(
        self, found: list[Drift], key: str, handle: ExperimentHandle, count: Optional[int]
    ) -> None:
        """Write what moved in this run as one drift surprise, and show it as one card under the cell."""
        readers: dict[str, set[str]] = {}
        for tracked in self.predictions.values():
            for name in tracked.prediction.names:
                readers.setdefault(name, set()).add(tracked.prediction.hypothesis_id)
        for drift in found:
            drift.hypotheses = sorted(readers.get(drift.name, ()))
        self.writer.submit(DriftJob(found, handle, key))
        if any(
            isinstance(ref, ExperimentHandle) and ref.id is None
            for drift in found
            for ref, _ in drift.earlier
        ):
            # The card names the earlier runs by experiment id: runs still waiting in the writer's batch are
            # written now (a few milliseconds, and only when a value drifted within a batch of its earlier run).
            self.writer.flush(DRIFT_FLUSH_SECONDS)
        shown = [
            {**drift_record(drift, key), "note": drift.describe(), "surprisal_bits": drift.bits}
            for drift in found
        ]
        self.display.paused = True
        try:
            show_drift(shown, count)
        finally:
            self.display.paused = False

    def _summaries(self, assigned: list[str], namespace: dict[str, Any]) -> dict[str, Any]:
        names: dict[str, Any] = {}
        for name in assigned[:MAX_NAMES]:
            if name in namespace:
                try:
                    names[name] = summarize(namespace[name])
                except Exception:  # noqa: BLE001 - keep the cell, without this summary
                    self._internal_error("summaries")
        return names

    def _report(
        self,
        outcome: Outcome,
        execution_count: Optional[int],
        handle: Optional[ExperimentHandle] = None,
        clock: Optional[float] = None,
    ) -> None:
        """Show and hand to the writer what judging gave, with the time recording took after the cell."""
        interrupted = None
        if outcome.interrupted is not None:
            prediction = outcome.interrupted.prediction
            where = (
                f"after cell [{execution_count}]" if execution_count is not None else "when it was written"
            )
            interrupted = (
                f"an interrupt stopped judging at {prediction.id} ({prediction.expression}) {where}; "
                "the predictions after it were not judged this time",
                "",
            )
            self.warn(f"{interrupted[0]} (the cell itself is recorded)")
        for item in outcome.judged:
            if item.held is False:
                self._show(item, execution_count)
            elif item.error is not None:
                self.warn(
                    f"prediction {item.prediction.id} ({item.prediction.expression}) raised "
                    f"{item.error}; it is not judged while it raises, and this is said again only after it has been judged"
                )
        record_ms = None
        if handle is not None and clock is not None:
            measured = round(self._pre_ms + (time.perf_counter() - clock) * 1000.0, 3)
            record_ms = measured if handle.set_record_ms(measured) else None
        if outcome.judged or interrupted or record_ms is not None:
            self.writer.submit(JudgementsJob(outcome.judged, handle, record_ms, interrupted))
        self.ahead.done()  # the end of judging goes with its verdicts, without waiting for the next cell

    def _show(self, item: Judged, execution_count: Optional[int]) -> None:
        self.show_surprise(
            hypothesis_id=item.prediction.hypothesis_id,
            prediction_id=item.prediction.id,
            statement=item.statement,
            prediction=item.prediction.expression,
            credence=item.prediction.credence,
            observed=item.observed,
            steps=item.steps,
            runs=item.runs,
            surprisal_bits=item.bits,
            execution_count=execution_count,
        )

    def show_surprise(self, **payload: Any) -> None:
        """Display a surprise under the running cell, without recording it as the cell's output."""
        self.display.paused = True
        try:
            show_surprise(**payload)
        finally:
            self.display.paused = False


def _failing_runs(prediction: Any) -> int:
    """How many runs in a row the prediction has failed, from its verdicts in the logbook."""
    verdicts = prediction.verdicts
    return verdicts[-1].count if verdicts and not verdicts[-1].held else 0
