"""Noticing when the kernel has sent a cell's reply, so its record is written after the user has the result.

The cell's record is complete when ``post_run_cell`` ends, but the kernel has
not replied yet: it flushes the output streams and sends ``execute_reply``
next. Writing the record then would compete with that reply for the
interpreter, so the writer waits for the reply itself (bounded by its longest
deferral, for cells run with no reply to send).
"""

from __future__ import annotations

from typing import Any, Callable, Optional


class ReplyWatch:
    """Calls ``on_reply`` each time the IPython kernel of ``shell`` sends an ``execute_reply``."""

    def __init__(self, shell: Any, on_reply: Callable[[], None]):
        self.on_reply = on_reply
        self._session: Optional[Any] = getattr(getattr(shell, "kernel", None), "session", None)
        self._send: Optional[Callable[..., Any]] = None
        self._own_send: Optional[Callable[..., Any]] = None

    def install(self) -> bool:
        """Watch the kernel's replies; False outside a kernel (a terminal IPython sends none)."""
        session = self._session
        if session is None or not callable(getattr(session, "send", None)) or self._send is not None:
            return False
        plain, on_reply = session.send, self.on_reply

        def send(stream: Any, msg_or_type: Any, *args: Any, **kwargs: Any) -> Any:
            sent = plain(stream, msg_or_type, *args, **kwargs)
            if msg_or_type == "execute_reply":
                try:
                    on_reply()
                except Exception:  # noqa: BLE001 - the reply is sent; recording must not break the kernel
                    pass
            return sent

        self._own_send = session.__dict__.get("send")
        session.send = self._send = send
        return True

    def uninstall(self) -> None:
        """Give the session back its own ``send`` (unless something else has wrapped it since)."""
        session, self._send, own = self._session, None, self._own_send
        if session is None or session.__dict__.get("send") is None:
            return
        if own is None:
            del session.__dict__["send"]
        else:
            session.send = own
