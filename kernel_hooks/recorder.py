"""Recording every executed cell as an experiment, and judging predictions after it."""

from __future__ import annotations

import base64
import binascii
import collections
import os
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from logbook.models import Prediction, PredictionState
from logbook.predictions import judge, surprisal_bits
from logbook.store import Store
from logbook.text import clean_text, to_json

from .capture import DisplayCapture, StreamCapture
from .names import assigned_names
from .summaries import summarize
from .surprise_display import show_surprise
from .torch_activity import TorchActivity
from .writer import Writer

#: Bytes kept per text or HTML output; the rest is dropped and the output marked truncated.
TEXT_OUTPUT_CAP = 1024 * 1024
#: Images larger than this are recorded by size and hash only.
IMAGE_OUTPUT_CAP = 8 * 1024 * 1024
#: Assigned names summarized per cell.
MAX_NAMES = 50
SEARCH_TEXT_CAP = 64 * 1024


@dataclass
class TrackedPrediction:
    """A prediction the kernel watches, with what it remembers between cells."""

    prediction: Prediction
    statement: str
    evaluated: bool = False
    error_reported: bool = False


@dataclass
class CellStart:
    info: Any
    started_at: datetime
    clock: float
    mode: Optional[str]


@dataclass
class Judged:
    prediction: Prediction
    statement: str
    held: Optional[bool]
    observed: dict[str, Any] = field(default_factory=dict)
    bits: Optional[float] = None
    error: Optional[str] = None


class Recorder:
    """Watches one IPython shell and records each cell it runs."""

    def __init__(self, shell: Any, path: Path):
        self.shell = shell
        self.path = path
        self.session = uuid.uuid4().hex[:12]
        self.stdout = StreamCapture("stdout")
        self.stderr = StreamCapture("stderr")
        self.display = DisplayCapture(shell)
        self.torch = TorchActivity()
        self.predictions: dict[str, TrackedPrediction] = {}
        self.mode: Optional[str] = None
        self._start: Optional[CellStart] = None
        self._warnings: collections.deque[str] = collections.deque(maxlen=100)
        self._warned: set[str] = set()
        self._lock = threading.Lock()
        self._load_predictions()
        self.writer = Writer(path, self.warn, self.reload)

    def _load_predictions(self) -> None:
        """Know the active predictions before the first cell runs (the writer keeps them fresh after).

        This runs while the kernel starts, so it skips the integrity check (it
        reads every page); the writer's own connection makes it and reports damage.
        """
        try:
            with Store(self.path, check_integrity=False) as store:
                self.reload(store)
        except Exception:  # noqa: BLE001 - the writer reports an unusable logbook
            pass

    # -- lifecycle --------------------------------------------------------

    def register(self) -> None:
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)
        self.stdout.install()
        self.stderr.install()
        self.display.install()

    def unregister(self) -> None:
        for event, callback in (("pre_run_cell", self.pre_run_cell), ("post_run_cell", self.post_run_cell)):
            try:
                self.shell.events.unregister(event, callback)
            except ValueError:
                pass
        self.stdout.remove()
        self.stderr.remove()
        self.display.remove()
        self.torch.stop()
        self.torch.unpatch_libraries()
        self.writer.stop()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything recorded so far is in the logbook."""
        return self.writer.flush(timeout)

    # -- warnings ---------------------------------------------------------

    def warn(self, message: str) -> None:
        """Queue a one-line warning for the user; shown after the current cell."""
        with self._lock:
            if message not in self._warned:
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
                    )
                else:
                    known.prediction = prediction
                tracked[prediction.id] = known
        mode = store.current_mode()
        self.predictions = tracked
        self.mode = mode.value if mode else None
        if untrusted:
            many = (
                f"{untrusted} predictions in this logbook are"
                if untrusted > 1
                else "1 prediction in this logbook is"
            )
            self.warn(f"{many} not trusted and will not run; review them with `logbook trust`")

    # -- cell events ------------------------------------------------------

    def pre_run_cell(self, info: Any) -> None:
        try:
            if getattr(info, "silent", False):
                self._start = None
                return
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
            self._start = CellStart(info, datetime.now(timezone.utc), time.perf_counter(), self.mode)
        except Exception:  # noqa: BLE001 - the user's cell must run regardless
            self._start = None
            self._internal_error("pre_run_cell")

    def post_run_cell(self, result: Any) -> None:
        try:
            start, self._start = self._start, None
            if start is not None:
                self._finish(start, result)
        except Exception:  # noqa: BLE001
            self._internal_error("post_run_cell")
        finally:
            if self._warnings:
                self._show_warnings()

    def _finish(self, start: CellStart, result: Any) -> None:
        duration_ms = (time.perf_counter() - start.clock) * 1000.0
        torch_activity = self.torch.stop() if self.torch.active else {}
        stdout, stderr, outputs = self.stdout.take(), self.stderr.take(), self.display.take()
        source = clean_text(start.info.raw_cell or "")
        if not source.strip():
            return
        namespace = self.shell.user_ns
        assigned = assigned_names(self._python_source(source))
        names = {name: summarize(namespace[name]) for name in assigned[:MAX_NAMES] if name in namespace}
        row = {
            "session": self.session,
            "notebook": self._notebook_path(),
            "cell_id": getattr(start.info, "cell_id", None),
            "execution_count": getattr(result, "execution_count", None),
            "source": source,
            "started_at": start.started_at.isoformat(),
            "duration_ms": round(duration_ms, 3),
            "stdout": clean_text(stdout),
            "stderr": clean_text(stderr),
            "mode": start.mode,
            **self._error_fields(result),
        }
        judged = self._judge(set(assigned), namespace)
        self.writer.submit(_ExperimentJob(row, outputs, names, torch_activity, judged))
        for item in judged:
            if item.held is False:
                self._show(item, row)
            elif item.error is not None:
                self.warn(
                    f"prediction {item.prediction.id} ({item.prediction.expression}) raised "
                    f"{item.error}; it stays unjudged and is not reported again"
                )

    def _python_source(self, source: str) -> str:
        if "%" not in source and "!" not in source:
            return source
        try:
            return self.shell.transform_cell(source)
        except Exception:  # noqa: BLE001
            return source

    def _notebook_path(self) -> Optional[str]:
        path = os.environ.get("JPY_SESSION_NAME") or self.shell.user_ns.get("__session__")
        return clean_text(path) if path else None

    @staticmethod
    def _error_fields(result: Any) -> dict[str, Any]:
        error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
        if error is None:
            return {"ok": 1}
        try:
            trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        except Exception:  # noqa: BLE001
            trace = ""
        try:
            value = str(error)
        except Exception:  # noqa: BLE001
            value = "<unprintable>"
        return {
            "ok": 0,
            "error_name": type(error).__name__,
            "error_value": clean_text(value)[:10_000],
            "traceback": clean_text(trace)[-50_000:],
        }

    def _judge(self, assigned: set[str], namespace: dict[str, Any]) -> list[Judged]:
        judged: list[Judged] = []
        for tracked in list(self.predictions.values()):
            prediction = tracked.prediction
            due = assigned.intersection(prediction.names) or not tracked.evaluated
            if not due:
                continue
            outcome = judge(prediction.expression, prediction.names, namespace)
            if outcome.missing:
                continue
            tracked.evaluated = True
            if outcome.error is not None:
                if not tracked.error_reported:
                    tracked.error_reported = True
                    judged.append(Judged(prediction, tracked.statement, None, error=outcome.error))
                continue
            tracked.error_reported = False
            observed = {name: summarize(namespace[name]) for name in prediction.names}
            bits = surprisal_bits(prediction.credence, bool(outcome.held))
            judged.append(Judged(prediction, tracked.statement, outcome.held, observed, bits))
        return judged

    def _show(self, item: Judged, row: dict[str, Any]) -> None:
        self.show_surprise(
            hypothesis_id=item.prediction.hypothesis_id,
            statement=item.statement,
            prediction=item.prediction.expression,
            credence=item.prediction.credence,
            observed=item.observed,
            surprisal_bits=item.bits,
            execution_count=row.get("execution_count"),
        )

    def show_surprise(self, **payload: Any) -> None:
        """Display a surprise under the running cell, without recording it as the cell's output."""
        self.display.paused = True
        try:
            show_surprise(**payload)
        finally:
            self.display.paused = False


class _ExperimentJob:
    """Writes one cell's experiment, outputs and judgements (on the writer thread)."""

    def __init__(
        self, row: dict, outputs: list[dict], names: dict, torch_activity: dict, judged: list[Judged]
    ):
        self.row, self.outputs, self.names, self.torch_activity, self.judged = (
            row,
            outputs,
            names,
            torch_activity,
            judged,
        )

    def __call__(self, store: Store) -> None:
        outputs = [encoded for output in self.outputs for encoded in _encode_output(output)]
        search_text = "\n".join(
            o["data"].decode("utf-8", "replace") for o in outputs if o["mime"] == "text/plain"
        )
        row = {
            **self.row,
            "names": to_json(self.names),
            "torch": to_json(self.torch_activity) if self.torch_activity else None,
            "output_text": search_text[:SEARCH_TEXT_CAP],
        }
        experiment_id = store.insert_experiment(row, outputs)
        for item in self.judged:
            if item.error is not None:
                store.set_prediction_error(item.prediction.id, item.error)
            else:
                store.add_judgement(
                    held=bool(item.held),
                    prediction=item.prediction,
                    observed=item.observed,
                    surprisal_bits=item.bits or 0.0,
                    experiment_id=experiment_id,
                )


def _encode_output(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The bytes to store for each MIME type of one display output, capped."""
    encoded = []
    for mime, value in bundle.items():
        if mime == "image/png":
            data = _png_bytes(value)
            if data is None:
                continue
            size, truncated = len(data), len(data) > IMAGE_OUTPUT_CAP
            encoded.append(
                {"mime": mime, "data": b"" if truncated else data, "size": size, "truncated": truncated}
            )
            continue
        text = value if isinstance(value, str) else "".join(value) if isinstance(value, list) else repr(value)
        data = clean_text(text).encode("utf-8")
        size = len(data)
        truncated = size > TEXT_OUTPUT_CAP
        if truncated:
            data = data[:TEXT_OUTPUT_CAP].decode("utf-8", "ignore").encode("utf-8")
        encoded.append({"mime": mime, "data": data, "size": size, "truncated": truncated})
    return encoded


def _png_bytes(value: Any) -> Optional[bytes]:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=False)
        except (binascii.Error, ValueError):
            return None
    return None
