"""Loading, unloading and reloading the extension in an in-process IPython shell."""

import gc
import threading

import pytest
from IPython import get_ipython
from IPython.testing.globalipapp import start_ipython

import kernel_hooks
import kernel_hooks.recorder as recorder_module
from kernel_hooks.writer import BATCH_DELAY_SECONDS, MAX_DEFER_SECONDS, Writer
from logbook.store.core import Store


@pytest.fixture
def shell(logbook_db):
    ip = start_ipython() or get_ipython()
    yield ip
    if kernel_hooks.active_recorder() is not None:
        ip.run_line_magic("unload_ext", "kernel_hooks")


def our_callbacks(ip, event):
    return [
        cb
        for cb in ip.events.callbacks[event]
        if getattr(cb, "__self__", None).__class__.__name__ == "Recorder"
    ]


def test_reload_leaves_exactly_one_set_of_hooks(shell, logbook_db):
    shell.run_line_magic("load_ext", "kernel_hooks")
    shell.run_line_magic("reload_ext", "kernel_hooks")
    shell.run_line_magic("reload_ext", "kernel_hooks")
    assert len(our_callbacks(shell, "pre_run_cell")) == 1
    assert len(our_callbacks(shell, "post_run_cell")) == 1
    shell.run_cell("print('once')", store_history=True)
    kernel_hooks.active_recorder().flush()
    with Store(logbook_db) as store:
        assert [e.stdout for e in store.experiments()] == ["once\n"]


def test_unload_mirrors_load(shell):
    publish_before = vars(shell.display_pub).get("publish")
    shell.run_line_magic("load_ext", "kernel_hooks")
    assert "surprise" in shell.magics_manager.magics["line"]
    shell.run_line_magic("unload_ext", "kernel_hooks")
    assert our_callbacks(shell, "pre_run_cell") == [] and our_callbacks(shell, "post_run_cell") == []
    for magic in ("hypothesis", "predict", "mode", "surprise"):
        assert magic not in shell.magics_manager.magics["line"]
    assert vars(shell.display_pub).get("publish") is publish_before
    assert "ast_parse" not in vars(shell.compile)
    assert kernel_hooks.active_recorder() is None


def test_names_are_read_from_the_tree_ipython_parsed_to_run_the_cell(shell, logbook_db, monkeypatch):
    shell.run_line_magic("load_ext", "kernel_hooks")

    def parsed_again(code):
        raise AssertionError(f"the cell was parsed a second time: {code!r}")

    monkeypatch.setattr("kernel_hooks.cells.assigned_names", parsed_again)
    shell.run_cell("a, (b, *c) = 1, (2, 3)\nfor i in range(2):\n    d = i", store_history=True)
    shell.run_cell("%%capture\ninner = 5", store_history=True)
    kernel_hooks.active_recorder().flush()
    with Store(logbook_db) as store:
        plain, magic = store.experiments(newest_first=False)
    assert list(plain.names) == ["a", "b", "c", "i", "d"]
    assert list(magic.names) == ["inner"]


def test_recording_a_cell_leaves_no_reference_cycle_for_the_kernels_garbage_collector(shell):
    """Objects in a cycle wait for a collection; each cell would make the kernel collect more often."""
    shell.run_line_magic("load_ext", "kernel_hooks")
    cells = [
        "x = 1\nprint(x)",
        "import sys as s\nprint(s.version, file=s.stderr)",
        "y = [(z := 2) for _ in '']",
    ]
    for source in cells:  # first runs: caches and the drift history settle
        shell.run_cell(source, store_history=True)
    gc.collect()
    gc.disable()
    try:
        for _ in range(5):
            for source in cells:
                shell.run_cell(source, store_history=True)
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_bug_in_recording_never_breaks_the_cell(shell, logbook_db, monkeypatch, capsys):
    shell.run_line_magic("load_ext", "kernel_hooks")

    def broken_summary(value):
        raise RuntimeError("summary exploded")

    monkeypatch.setattr(recorder_module, "summarize", broken_summary)
    result = shell.run_cell("answer = 6 * 7", store_history=True)
    assert result.success and shell.user_ns["answer"] == 42
    kernel_hooks.active_recorder().flush()
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if line.startswith("logbook:")]
    assert len(warnings) == 1 and "summary exploded" in warnings[0] and "ran normally" in warnings[0]
    with Store(logbook_db) as store:
        assert store.count("recorder_errors") == 1


def test_an_unwritable_logbook_warns_once_and_cells_still_run(shell, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the logbook folder should be")
    monkeypatch.setenv("LOGBOOK_DB", str(blocker / "logbook.db"))
    shell.run_line_magic("load_ext", "kernel_hooks")
    kernel_hooks.active_recorder().flush()
    assert shell.run_cell("x = 1", store_history=True).success
    assert shell.run_cell("y = 2", store_history=True).success
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("logbook:")]
    assert len(warnings) == 1 and "cannot open the logbook" in warnings[0]


def test_prediction_magics_refuse_bad_input_with_one_line(shell, capsys):
    shell.run_line_magic("load_ext", "kernel_hooks")
    shell.run_cell("%hypothesis -c 0.6 the MLP does nothing", store_history=True)
    shell.run_cell("%predict H1: mlp_effect <", store_history=True)
    shell.run_cell("%predict H7: x > 1", store_history=True)
    shell.run_cell("%hypothesis -c 4 too sure", store_history=True)
    out = capsys.readouterr().out
    assert "logbook: not a Python expression" in out
    assert "logbook: no hypothesis 'H7'" in out
    assert "logbook: invalid hypothesis: credence" in out
    assert "Traceback" not in out


def test_a_stalled_writer_stops_queueing_instead_of_filling_memory(tmp_path):
    warnings = []
    release = threading.Event()

    def stuck(store):
        release.wait(30)

    writer = Writer(tmp_path / "logbook.db", warnings.append, max_pending=5)
    writer.submit(stuck)
    assert writer.flush(timeout=0.3) is False  # the writer is busy with the stuck job
    for _ in range(10):
        writer.submit(lambda store: None)
    assert writer.dropped >= 5 and len(set(warnings)) == 1 and "not recorded" in warnings[0]
    release.set()
    assert writer.flush(timeout=30)
    writer.stop()
    with Store(tmp_path / "logbook.db") as store:
        (message,) = [row["message"] for row in store.db.query("SELECT message FROM recorder_errors")]
    assert "cells were not recorded" in message


def test_the_writer_waits_for_the_running_cell_before_it_writes(tmp_path):
    written = threading.Event()
    writer = Writer(tmp_path / "logbook.db", print)
    writer.kernel_busy()
    writer.submit(lambda store: written.set())
    # past the batching delay, short of the longest deferral
    assert not written.wait((BATCH_DELAY_SECONDS + MAX_DEFER_SECONDS) / 2)
    writer.kernel_idle()
    assert written.wait(5)
    writer.kernel_busy()
    writer.submit(lambda store: None)
    assert writer.flush(timeout=5)  # a flush does not wait for the cell
    writer.stop()


def test_loading_twice_is_silent_and_keeps_one_set_of_hooks(shell, capsys):
    shell.run_line_magic("load_ext", "kernel_hooks")
    shell.run_line_magic("load_ext", "kernel_hooks")
    assert "already loaded" not in capsys.readouterr().out
    assert len(our_callbacks(shell, "pre_run_cell")) == 1
    shell.run_line_magic("unload_ext", "kernel_hooks")
    assert kernel_hooks.active_recorder() is None
    shell.run_line_magic("load_ext", "kernel_hooks")
    assert len(our_callbacks(shell, "pre_run_cell")) == 1
