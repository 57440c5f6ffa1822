"""Logbook's own mistakes read as one line in a notebook; records read as one line too."""

import pytest
from IPython import get_ipython
from IPython.testing.globalipapp import start_ipython

import kernel_hooks
from logbook.errors import LogbookError
from logbook.store.core import Store
from tests.support.notebooks import outputs_of, run_notebook

CELLS = [
    "import logbook\nlogbook.mode('bogus')",
    "logbook.hypothesis('the loss falls', credence=1.5)",
    "h = logbook.hypothesis('the loss falls', credence=0.6)\nh.predict('loss >', credence=0.5)",
    "logbook.get('H99')",
    "%mode bogus",
    "%predict -c 0.8 H1: loss < 0.1",
    "h.predict('x > 20', credence=0.8)",
    "h",
    "def normalise(x):\n    return x / 0\nnormalise(1)",
    "%unload_ext kernel_hooks",
    "print(get_ipython().custom_exceptions)\nlogbook.mode('bogus')",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("errors")
    db = folder / ".logbook" / "logbook.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        notebook = run_notebook(CELLS, folder)
    with Store(db) as store:
        yield notebook.cells[1:], store


def error_of(cell) -> dict:
    (error,) = outputs_of(cell, "error")
    return error


@pytest.mark.kernel
@pytest.mark.parametrize(
    "index, ename, line",
    [
        (0, "LogbookError", "logbook: unknown mode 'bogus'; choose one of confirm, red-team, explore"),
        (1, "LogbookError", "logbook: invalid hypothesis: credence: Input should be less than or equal to 1"),
        (2, "PredictionSyntaxError", "logbook: not a Python expression: invalid syntax: 'loss >'"),
        (3, "NotFound", "logbook: no hypothesis 'H99' in this logbook"),
        (4, "LogbookError", "logbook: unknown mode 'bogus'; choose one of confirm, red-team, explore"),
    ],
)
def test_a_logbook_error_is_one_line_naming_the_problem(run, index, ename, line):
    cells, _ = run
    error = error_of(cells[index])
    assert error["ename"] == ename
    assert error["traceback"] == [line]


@pytest.mark.kernel
def test_the_failed_cell_is_still_recorded_as_failed(run):
    _, store = run
    first = store.experiments(limit=None, newest_first=False)[0]
    assert not first.ok and first.error.name == "LogbookError" and "bogus" in first.error.value


@pytest.mark.kernel
def test_other_errors_keep_their_full_traceback(run):
    cells, _ = run
    error = error_of(cells[8])
    assert error["ename"] == "ZeroDivisionError"
    assert "Traceback" in "\n".join(error["traceback"]) and len(error["traceback"]) > 1


@pytest.mark.kernel
def test_a_cell_that_raised_is_found_by_searching_its_error(run):
    _, store = run
    assert [e.source for e in store.search_experiments("ZeroDivisionError")] == [CELLS[8]]


@pytest.mark.kernel
def test_predictions_and_hypotheses_read_as_one_line_with_html(run):
    cells, _ = run
    (magic,) = outputs_of(cells[5], "execute_result")
    assert magic["data"]["text/plain"] == "H1.P1  loss < 0.1  (credence 0.80, pending)"
    (call,) = outputs_of(cells[6], "execute_result")
    assert call["data"]["text/plain"] == "H1.P2  x > 20  (credence 0.80, pending)"
    assert "<code>x &gt; 20</code>" in call["data"]["text/html"]
    (handle,) = outputs_of(cells[7], "execute_result")
    assert handle["data"]["text/plain"] == "H1  the loss falls  (credence 0.60, active)"
    assert "<b>H1</b>" in handle["data"]["text/html"]


@pytest.mark.kernel
def test_unloading_gives_the_errors_back_to_ipython(run):
    cells, _ = run
    (printed,) = outputs_of(cells[10], "stream")
    assert printed["text"] == "()\n"
    error = error_of(cells[10])
    assert error["ename"] == "LogbookError" and len(error["traceback"]) > 1


@pytest.fixture
def shell(logbook_db):
    ip = start_ipython() or get_ipython()
    yield ip
    if kernel_hooks.active_recorder() is not None:
        ip.run_line_magic("unload_ext", "kernel_hooks")


class Theirs(Exception):
    pass


def test_reloading_registers_the_handler_once_and_unloading_restores_the_one_before(shell, capsys):
    seen = []
    shell.set_custom_exc((Theirs,), lambda sh, etype, value, tb, tb_offset=None: seen.append(value))
    before = (shell.custom_exceptions, shell.CustomTB)
    shell.run_line_magic("load_ext", "kernel_hooks")
    shell.run_line_magic("reload_ext", "kernel_hooks")
    assert shell.custom_exceptions.count(LogbookError) == 1 and Theirs in shell.custom_exceptions
    shell.run_cell("raise __import__('tests.kernel.test_notebook_errors').kernel.test_notebook_errors.Theirs('mine')")
    assert [str(v) for v in seen] == ["mine"]
    capsys.readouterr()
    result = shell.run_cell("import logbook\nlogbook.mode('bogus')")
    assert isinstance(result.error_in_exec, LogbookError)
    assert (
        capsys.readouterr().out.strip()
        == "logbook: unknown mode 'bogus'; choose one of confirm, red-team, explore"
    )
    shell.run_line_magic("unload_ext", "kernel_hooks")
    assert (shell.custom_exceptions, shell.CustomTB) == before
    shell.set_custom_exc((), None)
