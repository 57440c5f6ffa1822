"""Loading Logbook brings in neither pandas nor numpy, and leaves them to import as always."""

import subprocess
import sys

import pytest

pytest.importorskip("pandas")


def in_fresh_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_kernel_extension_loads_without_pandas_or_numpy():
    printed = in_fresh_python(
        "import sys, kernel_hooks.recorder, logbook.server\n"
        "print('pandas' in sys.modules, 'numpy' in sys.modules)"
    )
    assert printed == "False False"


def test_the_user_imports_them_afterwards_as_always():
    printed = in_fresh_python(
        "import logbook, sqlite_utils.db\n"
        "import numpy, pandas\n"
        "print(sqlite_utils.db.pd is None, numpy.zeros(2).sum(), len(pandas.DataFrame({'a': [1, 2]})))"
    )
    assert printed == "True 0.0 2"


def test_where_they_are_imported_already_sqlite_utils_gets_them():
    printed = in_fresh_python(
        "import numpy, pandas, logbook, sqlite_utils.db\nprint(sqlite_utils.db.pd is pandas)"
    )
    assert printed == "True"
