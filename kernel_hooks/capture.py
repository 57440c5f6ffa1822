"""Seeing what a cell prints and displays, without changing what the user sees.

Each capture wraps one method of an object the shell already uses (the
stream's ``write``, the display publisher's ``publish``, the display hook's
``write_format_data``) by setting an attribute on that instance; ``remove``
deletes the attribute, restoring the original exactly.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

from logbook.rules.figures import RECORDED_MIMES

#: Text kept per stream per cell; the rest is counted, not stored.
STREAM_CAP = 256 * 1024
#: Display outputs kept per cell.
MAX_OUTPUTS = 50


def _patch(target: Any, name: str, wrapper: Callable) -> bool:
    try:
        setattr(target, name, wrapper)
        return True
    except (AttributeError, TypeError):
        return False


def _attribute(target: Any, name: str) -> Any:
    try:
        return vars(target).get(name)
    except TypeError:
        return None


def _unpatch(target: Any, name: str) -> None:
    try:
        if name in vars(target):
            delattr(target, name)
    except TypeError:
        pass


class StreamCapture:
    """Keeps up to ``STREAM_CAP`` characters written to one stream during a cell."""

    def __init__(self, stream_name: str):
        self.stream_name = stream_name
        self.stream: Any = None
        self._current: Any = None
        #: The token of the newest wrapper: only it keeps text.
        self._newest: Any = None
        self.parts: list[str] = []
        self.kept = 0
        self.total = 0

    def install(self) -> None:
        """Wrap the stream's ``write``, unless our current wrapper is already in place.

        IPython 9 wraps ``write`` itself around each cell and puts back what it
        found afterwards, which can drop or nest our wrapper. Only the newest
        wrapper keeps text, so a nested older one never counts it twice.
        """
        stream = getattr(sys, self.stream_name)
        if stream is self.stream and _attribute(stream, "write") is self._current:
            return
        original = stream.write
        # The wrapper's token, not the wrapper: a function naming itself is a cycle per cell.
        newest = object()

        def write(text: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(text, *args, **kwargs)
            if newest is self._newest and isinstance(text, str):
                self._keep(text)
            return result

        if _patch(stream, "write", write):
            self.stream, self._current, self._newest = stream, write, newest

    def _keep(self, text: str) -> None:
        self.total += len(text)
        room = STREAM_CAP - self.kept
        if room > 0:
            piece = text[:room]
            self.parts.append(piece)
            self.kept += len(piece)

    def take(self) -> str:
        """The text written since the last ``take``, with a note if some was dropped."""
        if not self.parts and not self.total:
            return ""
        text = "".join(self.parts)
        if self.total > self.kept:
            text += f"\n[... {self.total - self.kept} more characters not kept]"
        self.parts, self.kept, self.total = [], 0, 0
        return text

    def remove(self) -> None:
        if self.stream is not None and _attribute(self.stream, "write") is self._current:
            _unpatch(self.stream, "write")
        self.stream = self._current = self._newest = None


class DisplayCapture:
    """Keeps the display outputs and the execution result of a cell."""

    def __init__(self, shell: Any):
        self.shell = shell
        self.outputs: list[dict[str, Any]] = []
        self.paused = False
        self._publisher: Any = None
        self._hook: Any = None

    def install(self) -> None:
        publisher = getattr(self.shell, "display_pub", None)
        if publisher is not None and publisher is not self._publisher:
            original_publish = publisher.publish

            def publish(data: Any, *args: Any, **kwargs: Any) -> Any:
                self._keep(data)
                return original_publish(data, *args, **kwargs)

            if _patch(publisher, "publish", publish):
                self._publisher = publisher
        hook = getattr(self.shell, "displayhook", None)
        if hook is not None and hook is not self._hook and hasattr(hook, "write_format_data"):
            original_write = hook.write_format_data

            def write_format_data(format_dict: Any, *args: Any, **kwargs: Any) -> Any:
                self._keep(format_dict)
                return original_write(format_dict, *args, **kwargs)

            if _patch(hook, "write_format_data", write_format_data):
                self._hook = hook

    def _keep(self, data: Any) -> None:
        if self.paused or not isinstance(data, dict) or len(self.outputs) >= MAX_OUTPUTS:
            return
        kept = {mime: data[mime] for mime in RECORDED_MIMES if mime in data}
        if kept:
            self.outputs.append(kept)

    def take(self) -> list[dict[str, Any]]:
        outputs, self.outputs = self.outputs, []
        return outputs

    def remove(self) -> None:
        if self._publisher is not None:
            _unpatch(self._publisher, "publish")
            self._publisher = None
        if self._hook is not None:
            _unpatch(self._hook, "write_format_data")
            self._hook = None
