"""A time budget for evaluating predictions, kept by one long-lived thread.

The kernel's thread marks the start and end of each evaluation (a lock and
two assignments). The watchdog thread sleeps without a timeout while nothing
is being evaluated; while something is, it wakes at the deadline. An
evaluation still running then is reported once and stopped by raising
:class:`PredictionTooSlow` in the evaluating thread, which works for loops
in Python. Code looping in C holds the interpreter until it returns and
cannot be stopped; its evaluation is still measured and reported as too slow
when it ends. What a prediction itself could start in C (huge powers,
repetitions, tensors) is bounded before it runs (:mod:`logbook.rules.prediction_bounds`),
and each judgement is written ahead, so a kernel that never returns from one
leaves that prediction marked too slow for the next (:mod:`kernel_hooks.judging`).
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from typing import Any, Callable, Optional

#: Seconds one prediction may take to evaluate after a cell.
DEFAULT_BUDGET_S = 1.0
BUDGET_ENV = "LOGBOOK_PREDICTION_BUDGET_S"

_set_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)


class PredictionTooSlow(BaseException):
    """Raised inside a prediction's evaluation that ran past its budget.

    A ``BaseException``, so that ``except Exception`` in the user's code does not swallow it.
    """


def budget_from_env(warn: Callable[[str], None]) -> float:
    """The budget in seconds from ``LOGBOOK_PREDICTION_BUDGET_S``, or the default with a warning."""
    raw = os.environ.get(BUDGET_ENV, "").strip()
    if not raw:
        return DEFAULT_BUDGET_S
    try:
        budget = float(raw)
    except ValueError:
        budget = -1.0
    if not budget > 0 or budget == float("inf"):
        warn(f"{BUDGET_ENV}={raw!r} is not a positive number of seconds; using {DEFAULT_BUDGET_S:g}")
        return DEFAULT_BUDGET_S
    return budget


class _Evaluation:
    __slots__ = ("key", "thread", "deadline", "started")

    def __init__(self, key: Any, thread: int, started: float, deadline: float):
        self.key, self.thread, self.started, self.deadline = key, thread, started, deadline


class Watchdog:
    """Stops an evaluation that runs past ``budget`` seconds and calls ``on_too_slow(key, seconds)``.

    >>> watchdog = Watchdog(1.0, on_too_slow)
    >>> value = watchdog.run("H1.P1", lambda: judge(...))  # raises PredictionTooSlow if stopped
    """

    def __init__(self, budget: float, on_too_slow: Callable[[Any, float], None]):
        self.budget = budget
        self.on_too_slow = on_too_slow
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._current: Optional[_Evaluation] = None
        self._fired: Optional[_Evaluation] = None
        self._idle = True
        self._stopping = False
        self._thread: Optional[threading.Thread] = None

    def run(self, key: Any, evaluate: Callable[[], Any]) -> Any:
        """``evaluate()`` under the budget; :class:`PredictionTooSlow` if it ran past it."""
        self._ensure_thread()
        started = time.monotonic()
        evaluation = _Evaluation(key, threading.get_ident(), started, started + self.budget)
        with self._lock:
            self._current = evaluation
            if self._idle:
                self._cond.notify()
        try:
            value = evaluate()
        finally:
            fired = self._end(evaluation)
        if fired:
            raise PredictionTooSlow(key)
        seconds = time.monotonic() - started
        if seconds > self.budget:
            # A loop in C held the interpreter, so the watchdog could not act in time.
            self.on_too_slow(key, seconds)
            raise PredictionTooSlow(key)
        return value

    def _end(self, evaluation: _Evaluation) -> bool:
        """Mark ``evaluation`` ended; True if the watchdog stopped it (its exception is cleared)."""
        with self._lock:
            if self._current is evaluation:
                self._current = None
                return False
            if self._fired is evaluation:
                self._fired = None
                # The exception may still be pending: it must not land in the code that follows.
                _set_async_exc(evaluation.thread, ctypes.py_object())
                return True
        return False

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="logbook-watchdog", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """End the thread (an evaluation under way is no longer watched)."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _watch(self) -> None:
        while True:
            stopped = self._stop_next()
            if stopped is None:
                return
            try:
                self.on_too_slow(stopped.key, time.monotonic() - stopped.started)
            except Exception:  # noqa: BLE001 - the watchdog must outlive a failed report
                pass

    def _stop_next(self) -> Optional[_Evaluation]:
        """Wait for an evaluation to pass its deadline, stop it and return it; None when stopping."""
        with self._cond:
            while not self._stopping:
                current = self._current
                if current is None:
                    self._idle = True
                    self._cond.wait()
                    self._idle = False
                    continue
                remaining = current.deadline - time.monotonic()
                if remaining > 0:
                    self._cond.wait(remaining)
                    continue
                self._current, self._fired = None, current
                _set_async_exc(current.thread, ctypes.py_object(PredictionTooSlow))
                return current
        return None
