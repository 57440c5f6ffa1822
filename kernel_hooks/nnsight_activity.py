"""What a cell did with nnsight: its traces, generations and sessions, and where they read and wrote.

Used only once the notebook has imported nnsight; this module never imports it.
Covers nnsight 0.8 through five wraps on nnsight's own objects, each undone by
``unpatch``:

* ``Tracer.__exit__``, where every trace, generation, edit and session runs its
  block: the model, the backend (local, remote and its host, local
  simulation), the traces a session nests, and the error if running failed;
* ``Mediator.event``, through which an intervention reads a location
  (``.output``, ``.input``), sets it (assignment) or skips a module; a value
  read is checked for in-place edits when the intervention next moves on
  (and at the end of its block, ``Mediator._run``);
* ``eproperty.__set__``, so setting ``.input`` is not also counted as reading it;
* ``nnsight.tracing.tracer.mark`` (behind ``.save()`` and ``nnsight.save``): what
  was saved, its shape and the location it came from; the name it was bound
  to is found when the outermost trace ends;
* ``Remotable._remote_backend``: a remote request that could not even be built.
"""

from __future__ import annotations

import os
import sys
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from kernel_hooks.guard import quietly
from kernel_hooks.model_identity import model_name
from kernel_hooks.patches import Patches

#: Bounds on one cell's record: traces, locations per list, saved values.
MAX_TRACES = 50
MAX_LOCATIONS = 200
MAX_SAVED = 50
_KINDS = {
    "EditingTracer": "edit",
    "ScanningTracer": "scan",
    "BackwardTracer": "backward",
    "Tracer": "session",
}


def _loaded(module_name: str, name: str) -> Any:
    module = sys.modules.get(module_name)
    return vars(module).get(name) if module is not None else None


def _greenlet() -> Any:
    greenlet = sys.modules.get("greenlet")
    return greenlet.getcurrent() if greenlet is not None else None


def _shape(value: Any) -> dict[str, Any]:
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        return {
            "shape": list(value.shape),
            "dtype": str(value.dtype).removeprefix("torch."),
            "device": str(value.device),
        }
    if isinstance(value, (list, tuple)):
        return {"type": type(value).__name__, "len": len(value)}
    return {"type": type(value).__name__}


def _tensors(value: Any, depth: int = 2) -> list[Any]:
    """The tensors in a served value: the value, or the items of (nested) tuples, at most eight."""
    torch = sys.modules["torch"]
    if isinstance(value, torch.Tensor):
        return [value]
    if depth and isinstance(value, (list, tuple)):
        return [t for item in value[:8] for t in _tensors(item, depth - 1)][:8]
    return []


def _version(tensor: Any) -> Optional[int]:
    try:
        return tensor._version
    except Exception:  # noqa: BLE001 - inference tensors have no version
        return None


@dataclass
class TraceRecord:
    """One block nnsight ran: a trace, a generation, an edit or a session."""

    kind: str
    model: Optional[str] = None
    backend: dict[str, Any] = field(default_factory=dict)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    reads: dict[str, int] = field(default_factory=dict)
    sets: dict[str, int] = field(default_factory=dict)
    skips: dict[str, int] = field(default_factory=dict)
    edited: dict[str, int] = field(default_factory=dict)
    saved: list[dict[str, Any]] = field(default_factory=list)
    saved_ids: list[int] = field(default_factory=list)
    traces: list["TraceRecord"] = field(default_factory=list)
    error: Optional[str] = None

    def as_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"kind": self.kind}
        if self.model:
            record["model"] = self.model
        record.update(self.backend)
        for name in ("inputs", "saved"):
            if getattr(self, name):
                record[name] = getattr(self, name)
        for name in ("reads", "sets", "edited", "skips"):
            if getattr(self, name):
                record[name] = list(getattr(self, name))
        if self.traces:
            record["traces"] = [trace.as_dict() for trace in self.traces]
        if self.error:
            record["error"] = self.error
        return record


def _note(locations: dict[str, int], location: str) -> None:
    if location in locations or len(locations) < MAX_LOCATIONS:
        locations[location] = locations.get(location, 0) + 1


class NNsightActivity:
    """Collects the nnsight traces of the running cell."""

    def __init__(self, note_model: Callable[[Any], None]) -> None:
        self.active = False
        self.traces: list[TraceRecord] = []
        self.omitted = 0
        self._note_model = note_model
        self._patches = Patches()
        self._stack: list[TraceRecord] = []
        self._served: dict[int, str] = {}
        self._pending: dict[Any, list[tuple[TraceRecord, str, list[tuple[Any, int]]]]] = {}
        self._setting: "weakref.WeakSet[Any]" = weakref.WeakSet()

    # -- lifecycle --------------------------------------------------------

    def patch(self) -> None:
        """Wrap nnsight's tracer, mediator, save and remote entry points (once; those loaded)."""
        tracer = _loaded("nnsight.tracing.tracer", "Tracer")
        if isinstance(tracer, type):
            self._patches.wrap(tracer, "__exit__", self._wrap_exit)
        mediator = _loaded("nnsight.intervention.interleaver", "Mediator")
        if isinstance(mediator, type):
            self._patches.wrap(mediator, "event", self._wrap_event)
            self._patches.wrap(mediator, "_run", self._wrap_run)
        eproperty = _loaded("nnsight.intervention.eproperty", "eproperty")
        if isinstance(eproperty, type):
            self._patches.wrap(eproperty, "__set__", self._wrap_set)
        tracing = sys.modules.get("nnsight.tracing.tracer")
        if tracing is not None:
            self._patches.wrap(tracing, "mark", self._wrap_mark)
        remotable = _loaded("nnsight.modeling.mixins.remotable", "Remotable")
        if isinstance(remotable, type):
            self._patches.wrap(remotable, "_remote_backend", self._wrap_remote_backend)

    def unpatch(self) -> None:
        self._patches.restore()

    def start(self) -> None:
        self.patch()
        self.traces = []
        self.omitted = 0
        self._reset()
        self.active = True

    def stop(self) -> dict[str, Any]:
        """Stop collecting; the cell's traces (empty if it ran none)."""
        self.active = False
        self._reset()
        if not self.traces:
            return {}
        nnsight = sys.modules.get("nnsight")
        activity: dict[str, Any] = {
            "version": getattr(nnsight, "__version__", None),
            "traces": [trace.as_dict() for trace in self.traces],
        }
        if self.omitted:
            activity["traces_omitted"] = self.omitted
        self.traces = []
        return activity

    def _reset(self) -> None:
        self._stack = []
        self._served = {}
        self._pending = {}

    # -- traces -----------------------------------------------------------

    def _open(self, tracer: Any) -> TraceRecord:
        cls_name = type(tracer).__name__
        envoy = getattr(tracer, "envoy", None)
        fn = getattr(tracer, "fn", None)
        fn_name = fn if isinstance(fn, str) else getattr(fn, "__name__", None)
        kind = _KINDS.get(cls_name) or ("trace" if not fn_name or fn_name.startswith("_") else str(fn_name))
        record = TraceRecord(kind, backend=self._backend(getattr(tracer, "backend", None)))
        if envoy is not None:
            self._note_model(envoy)
            record.model = model_name(envoy)
            record.inputs = [_shape_or_text(value) for value in getattr(tracer, "args", ())[:4]]
            options = {
                k: v
                for k, v in (getattr(tracer, "kwargs", None) or {}).items()
                if isinstance(v, (int, float, bool))
            }
            if options:
                record.backend = {**record.backend, "options": options}
        self._push(record)
        return record

    def _invoked(self, invoker: Any) -> None:
        """An invoke adds its inputs to the trace it belongs to."""
        if self._stack:
            inputs = self._stack[-1].inputs
            inputs.extend(_shape_or_text(value) for value in invoker.args[: max(0, 4 - len(inputs))])

    def _push(self, record: TraceRecord) -> None:
        if self._stack:
            self._stack[-1].traces.append(record)
        elif len(self.traces) < MAX_TRACES:
            self.traces.append(record)
        else:
            self.omitted += 1
        self._stack.append(record)

    def _close(self, record: TraceRecord, frame: Any) -> None:
        if self._stack and self._stack[-1] is record:
            self._stack.pop()
        if not self._stack:
            self._name_saved(record, frame)
            self._served = {}
            self._pending = {}

    @staticmethod
    def _backend(backend: Any) -> dict[str, Any]:
        name = type(backend).__name__
        if backend is None or name == "Backend":
            return {"backend": "local"}
        if name == "LocalSimulationBackend":
            return {"backend": "local simulation", "remote": True}
        if "Remote" in name:
            return {"backend": "remote", "remote": True, "host": str(getattr(backend, "host", "?"))}
        return {"backend": name}

    def _name_saved(self, record: TraceRecord, frame: Any) -> None:
        """Name each saved value by the variable the trace bound it to in the user's frame."""
        wanted: dict[int, dict[str, Any]] = {}
        pending = [record]
        while pending:
            current = pending.pop()
            wanted.update(zip(current.saved_ids, current.saved))
            current.saved_ids = []
            pending.extend(current.traces)
        if not wanted or frame is None:
            return
        try:
            for name, value in list(frame.f_locals.items()):
                entry = wanted.get(id(value))
                if entry is not None and "name" not in entry:
                    entry["name"] = name
        except Exception:  # noqa: BLE001 - a frame that cannot be read leaves the values unnamed
            pass

    # -- wrappers ---------------------------------------------------------

    def _wrap_exit(self, original: Callable) -> Callable:
        activity = self

        def __exit__(tracer: Any, exc_type: Any, exc_value: Any, traceback: Any) -> Any:
            runs = exc_type is None or getattr(exc_type, "__name__", "") == "ExitTracingException"
            if not activity.active or not runs:
                return original(tracer, exc_type, exc_value, traceback)
            if type(tracer).__name__ == "Invoker":
                quietly(activity._invoked, tracer)
                return original(tracer, exc_type, exc_value, traceback)
            try:
                record = activity._open(tracer)
                frame = getattr(getattr(tracer, "info", None), "frame", None)
            except Exception:  # noqa: BLE001 - an unrecordable trace still runs
                return original(tracer, exc_type, exc_value, traceback)
            try:
                return original(tracer, exc_type, exc_value, traceback)
            except BaseException as error:
                record.error = _describe_error(error, record)
                raise
            finally:
                quietly(activity._close, record, frame)

        return __exit__

    def _wrap_event(self, original: Callable) -> Callable:
        activity = self

        def event(cls: Any, kind: Any, location: str, *rest: Any) -> Any:
            if not activity.active or not activity._stack:
                return original(cls, kind, location, *rest)
            current = _greenlet()
            activity._check_edits(current)
            value = original(cls, kind, location, *rest)
            try:
                activity._saw(getattr(kind, "name", str(kind)), location, value, current)
            except Exception:  # noqa: BLE001 - never break an intervention
                pass
            return value

        return event

    def _wrap_run(self, original: Callable) -> Callable:
        activity = self

        def _run(mediator: Any) -> None:
            try:
                original(mediator)
            finally:
                if activity.active:
                    activity._check_edits(_greenlet())

        return _run

    def _wrap_set(self, original: Callable) -> Callable:
        activity = self

        def __set__(prop: Any, obj: Any, value: Any) -> None:
            current = _greenlet()
            if current is None or not activity.active:
                return original(prop, obj, value)
            activity._setting.add(current)
            try:
                return original(prop, obj, value)
            finally:
                activity._setting.discard(current)

        return __set__

    def _wrap_mark(self, original: Callable) -> Callable:
        activity = self

        def mark(value: Any) -> Any:
            result = original(value)
            if activity.active and activity._stack:
                try:
                    activity._saved(value)
                except Exception:  # noqa: BLE001
                    pass
            return result

        return mark

    def _wrap_remote_backend(self, original: Callable) -> Callable:
        activity = self

        def _remote_backend(model: Any, remote: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(model, remote, *args, **kwargs)
            except BaseException as error:
                if activity.active:
                    quietly(activity._unbuildable, model, remote, error)
                raise

        return _remote_backend

    def _unbuildable(self, model: Any, remote: Any, error: BaseException) -> None:
        """A remote trace whose request could not be built: recorded as a failed trace."""
        config = _loaded("nnsight.schema.config", "CONFIG")
        host = remote if isinstance(remote, str) and remote != "local" else None
        host = host or getattr(getattr(config, "API", None), "HOST", None)
        record = TraceRecord("trace", backend={"backend": "remote", "remote": True, "host": str(host)})
        record.model = model_name(model)
        self._note_model(model)
        record.error = _describe_error(error, record, building=True)
        if os.path.isdir(record.model):
            record.error += "; a remote run names its model by a Hub repository id, not a local folder"
        self._push(record)
        self._stack.pop()

    # -- what an intervention did ------------------------------------------

    def _saw(self, kind: str, location: str, value: Any, current: Any) -> None:
        record = self._stack[-1]
        if kind == "SWAP":
            _note(record.sets, location)
        elif kind == "SKIP":
            _note(record.skips, location)
        elif kind == "VALUE" and current not in self._setting:
            _note(record.reads, location)
            tensors = _tensors(value)
            for tensor in tensors:
                self._served[id(tensor)] = location
            self._served[id(value)] = location
            versions = [(weakref.ref(t), v) for t in tensors if (v := _version(t)) is not None]
            if versions and current is not None:
                self._pending.setdefault(current, []).append((record, location, versions))

    def _check_edits(self, current: Any) -> None:
        for record, location, versions in self._pending.pop(current, ()):
            for ref, version in versions:
                tensor = ref()
                if tensor is not None and _version(tensor) != version:
                    _note(record.edited, location)
                    break

    def _saved(self, value: Any) -> None:
        record = self._stack[-1]
        if len(record.saved) >= MAX_SAVED:
            return
        entry = _shape(value)
        source = self._served.get(id(value))
        base = getattr(value, "_base", None) if source is None else None
        if base is not None:
            source = self._served.get(id(base))
        if source:
            entry = {"from": source, **entry}
        record.saved.append(entry)
        record.saved_ids.append(id(value))


def _shape_or_text(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"text": value[:200]}
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return {"texts": [v[:200] for v in value[:4]], "len": len(value)}
    return _shape(value)


def _describe_error(error: BaseException, record: TraceRecord, building: bool = False) -> str:
    """One line for the log: the exception, and where a remote request was going."""
    try:
        text = f"{type(error).__name__}: {error}"[:500]
    except Exception:  # noqa: BLE001 - an exception that cannot print itself
        text = type(error).__name__
    if record.backend.get("remote"):
        stage = "building the remote request" if building else "running remotely"
        text += f" ({stage}; host {record.backend.get('host')})"
    return text
