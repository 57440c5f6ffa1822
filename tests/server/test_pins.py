"""Pinning figures through the REST API: experiments/{id}/pins."""

from logbook.store.core import Store
from tests.server.test_routes import api, jp_server_config, logbook_file  # noqa: F401  (fixtures)
from tests.support.seed import png

pytest_plugins = ["pytest_jupyter.jupyter_server"]


async def test_a_figure_is_pinned_and_unpinned_over_rest(api, logbook_file):  # noqa: F811
    image = png()
    with Store(logbook_file) as store, store.transaction():
        store.insert_experiment(
            {"source": "plt.show()", "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1},
            [
                {"mime": "text/plain", "data": b"<Figure>", "size": 8, "truncated": False},
                {"mime": "image/png", "data": image, "size": len(image), "truncated": False},
            ],
        )
    status, pin = await api("POST", "experiments/1/pins", {"position": 1, "caption": "the stripe"})
    assert status == 201 and (pin["experiment_id"], pin["position"], pin["caption"]) == (1, 1, "the stripe")
    assert [p["caption"] for p in (await api("GET", "experiments/1/pins"))[1]] == ["the stripe"]
    status, error = await api("POST", "experiments/1/pins", {"position": 7})
    assert status == 400 and "no figure at output 7" in error["message"]
    assert (await api("POST", "experiments/9/pins", {"position": 0}))[0] == 404
    assert (await api("DELETE", "experiments/1/pins", position="1")) == (200, [])
    assert (await api("DELETE", "experiments/1/pins", position="1"))[0] == 404
    with Store(logbook_file) as store:
        kinds = [row[0] for row in store.db.execute("SELECT kind FROM events ORDER BY id")]
    assert kinds == ["experiment.recorded", "figure.pinned", "figure.unpinned"]
