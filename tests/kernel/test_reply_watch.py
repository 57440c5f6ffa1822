"""A kernel's cell record is written once the kernel has sent the cell's reply, not while it sends it."""

import threading

from kernel_hooks.reply_watch import ReplyWatch
from kernel_hooks.writer import Writer


class Session:
    """The part of a kernel session the watch wraps: ``send`` of a message type on a stream."""

    def __init__(self):
        self.sent = []

    def send(self, stream, msg_or_type, content=None, parent=None, **kwargs):
        self.sent.append(msg_or_type)
        return {"msg_type": msg_or_type}


class Kernel:
    def __init__(self):
        self.session = Session()


class Shell:
    def __init__(self):
        self.kernel = Kernel()


def test_the_watch_reports_execute_replies_only_after_they_are_sent():
    shell, seen = Shell(), []
    watch = ReplyWatch(shell, lambda: seen.append(list(shell.kernel.session.sent)))
    assert watch.install()
    assert shell.kernel.session.send("shell", "kernel_info_reply") == {"msg_type": "kernel_info_reply"}
    assert seen == []
    shell.kernel.session.send("shell", "execute_reply", {"status": "ok"})
    assert seen == [["kernel_info_reply", "execute_reply"]]
    watch.uninstall()
    assert "send" not in shell.kernel.session.__dict__  # the class's own method again
    shell.kernel.session.send("shell", "execute_reply")
    assert len(seen) == 1


def test_a_failing_callback_never_breaks_the_reply():
    shell = Shell()

    def broken():
        raise RuntimeError("a bug in recording")

    watch = ReplyWatch(shell, broken)
    watch.install()
    assert shell.kernel.session.send("shell", "execute_reply") == {"msg_type": "execute_reply"}
    watch.uninstall()


def test_outside_a_kernel_there_is_nothing_to_watch():
    class TerminalShell:
        pass

    assert ReplyWatch(TerminalShell(), lambda: None).install() is False


def test_the_writer_holds_a_finished_cell_until_its_reply_is_sent(tmp_path):
    written = threading.Event()
    writer = Writer(tmp_path / "logbook.db", print)
    try:
        writer.kernel_busy()
        writer.expect_reply()
        writer.submit(lambda store: written.set())
        writer.kernel_idle()  # the cell ended; the kernel is still sending its reply
        assert not written.wait(0.3)  # past the batching delay, short of the longest deferral
        writer.replied()
        assert written.wait(30)
        assert writer.flush()
    finally:
        writer.stop()
