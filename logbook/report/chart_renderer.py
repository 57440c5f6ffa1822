"""Drawing Vega-Lite charts to SVG in a process of its own, started once and kept while it is used.

vl-convert holds Python's lock while it draws, and its JavaScript runtime
takes half a second or more to start. A report's charts are therefore drawn
by a child process (this file, run as a script: it imports nothing of
``logbook``, so it starts in a few milliseconds), on another core while the
report is written, and the process stays for the next export until it has
been idle for :data:`IDLE_SECONDS`.

    >>> renderer = shared()
    >>> svg = renderer.render({"mark": "bar", "data": {"values": [{"a": 1}]}, "encoding": {}}).result()

Requests and replies are lines of JSON: ``{"id": 1, "spec": {...}}`` in,
``{"id": 1, "svg": "<svg ..."}`` or ``{"id": 1, "error": "..."}`` out. The
parent alone decides when the child is idle (it closes the child's input),
so a request is never sent to a process that is leaving; a child whose
parent dies reads the end of its input and leaves too.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
from concurrent.futures import Future
from typing import Optional

#: A renderer with nothing to draw for this long ends its process; the next chart starts another.
IDLE_SECONDS = 300.0
#: Drawn as soon as the process starts, so that the runtime is up before the first real chart.
WARM_SPEC = {
    "mark": "bar",
    "data": {"values": [{"a": 1}]},
    "encoding": {"y": {"field": "a", "type": "quantitative"}},
}


#: The child must not import this folder's modules in place of the standard library's (``-P``, Python 3.11+).
_NO_SCRIPT_PATH = ("-P",) if sys.version_info >= (3, 11) else ()


class RendererGone(RuntimeError):
    """The renderer process could not be started, or ended before it answered."""


class Renderer:
    """One renderer process, started on demand and shared by the threads of this process."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()  # the process, the pending charts, the idle timer
        self._writing = threading.Lock()  # one request written at a time
        self._process: Optional[subprocess.Popen] = None
        self._pending: dict[int, tuple[subprocess.Popen, Future]] = {}
        self._next = 0
        self._idle: Optional[threading.Timer] = None
        self.starts = 0  # how many processes this renderer has started, for tests and benchmarks

    def start(self) -> None:
        """Start the process now (its runtime starts at once), unless it is running; raises RendererGone."""
        with self._lock:
            self._ensure()

    def render(self, spec: dict) -> Future:
        """A future of ``spec`` drawn as SVG (vl-convert's text); its exception is ValueError for a bad spec."""
        future: Future = Future()
        with self._lock:
            process = self._ensure()
            self._next += 1
            ident = self._next
            self._pending[ident] = (process, future)
        line = json.dumps({"id": ident, "spec": spec}, default=str) + "\n"
        # Written without the state lock: the reader must always be free to drain the replies, else a
        # child blocked on a full output pipe would stop reading its input and the write would wait forever.
        stdin = process.stdin
        assert stdin is not None  # started with stdin=PIPE
        try:
            with self._writing:
                stdin.write(line)
                stdin.flush()
        except (OSError, ValueError) as error:
            with self._lock:
                self._pending.pop(ident, None)
                if self._process is process:
                    self._forget(process)
            raise RendererGone(f"the chart renderer stopped: {error}") from None
        return future

    def close(self) -> None:
        """End the process (it finishes what it was drawing first); pending charts fail with RendererGone."""
        with self._lock:
            if self._process is not None:
                self._forget(self._process)

    def _ensure(self) -> subprocess.Popen:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self._process is not None and self._process.poll() is None:
            return self._process
        try:
            process = subprocess.Popen(
                [sys.executable, *_NO_SCRIPT_PATH, __file__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                encoding="utf-8",
                bufsize=1,
            )
        except OSError as error:
            raise RendererGone(f"could not start the chart renderer: {error}") from None
        self._process = process
        self.starts += 1
        threading.Thread(
            target=self._read, args=(process,), name="logbook-charts-reader", daemon=True
        ).start()
        return process

    def _read(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None  # started with stdout=PIPE
        for line in process.stdout:
            try:
                reply = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                _, future = self._pending.pop(reply.get("id"), (None, None))
                if not self._pending and self._process is process:
                    self._idle_later(process)
            if future is None:
                continue
            if "svg" in reply:
                future.set_result(reply["svg"])
            else:
                future.set_exception(ValueError(reply.get("error", "the chart could not be drawn")))
        with self._lock:
            if self._process is process:
                self._process = None
            lost = [
                self._pending.pop(key)[1]
                for key, (sent_to, _) in list(self._pending.items())
                if sent_to is process
            ]
        for future in lost:
            if not future.done():
                future.set_exception(RendererGone("the chart renderer ended before it drew this chart"))

    def _idle_later(self, process: subprocess.Popen) -> None:
        if self._idle is not None:
            self._idle.cancel()
        self._idle = threading.Timer(self.idle_seconds, self._end_if_idle, args=(process,))
        self._idle.daemon = True
        self._idle.start()

    def _end_if_idle(self, process: subprocess.Popen) -> None:
        with self._lock:
            if self._process is process and not self._pending:
                self._forget(process)

    def _forget(self, process: subprocess.Popen) -> None:
        """Close the process's input (it leaves when it has read it all); called with the lock held."""
        if self._process is process:
            self._process = None
        try:
            if process.stdin is not None:
                process.stdin.close()
        except OSError:
            pass


_shared: Optional[Renderer] = None
_shared_lock = threading.Lock()


def shared() -> Renderer:
    """The renderer of this process, which every export shares."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Renderer()
            atexit.register(_shared.close)
        return _shared


def _after_fork_in_child() -> None:
    """A forked process starts its own renderer: the parent's pipes and reader thread are not its own."""
    global _shared, _shared_lock
    _shared, _shared_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def serve() -> None:
    """The child's loop: start the runtime, then draw each spec read from standard input until it ends."""
    import vl_convert

    out = sys.stdout
    try:
        vl_convert.vegalite_to_svg(WARM_SPEC)
    except Exception:  # the first real chart reports the error
        pass
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        try:
            reply = {"id": request["id"], "svg": vl_convert.vegalite_to_svg(request["spec"])}
        except Exception as error:  # a bad spec is the parent's to report
            reply = {"id": request.get("id"), "error": str(error) or type(error).__name__}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
        sys.path.pop(0)  # Python 3.10 has no -P; the standard modules above are already imported
    serve()
