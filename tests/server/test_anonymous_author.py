"""On a server without accounts, what the sidebar does is credited to the author the kernels record as, not to
the anonymous name Jupyter makes up for each browser."""

import pytest

from logbook.paths import current_author
from logbook.store.core import Store
from tests.server.test_routes import api, logbook_file  # noqa: F401  (fixtures)
from tests.server.test_triage import failed

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config(jp_server_config):
    return {"ServerApp": {"jpserver_extensions": {"logbook.server": True}}}  # Jupyter's own token identity


async def test_a_surprise_explained_in_the_sidebar_is_credited_to_the_author_the_kernels_record_as(
    api,  # noqa: F811
    logbook_file,  # noqa: F811
):
    with Store(logbook_file) as store:
        (surprise,) = failed(store, 1)
    status, closed = await api(
        "PATCH", f"surprises/{surprise}", {"action": "explained", "explanation": "seed"}
    )
    assert status == 200
    assert closed["resolved_by"] == current_author() and not closed["resolved_by"].startswith("Anonymous")
