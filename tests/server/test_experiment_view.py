"""What the experiment view asks the server for: the figure bundles (cached, never without a token) and the
notes on one experiment."""

import pytest
from tornado.httpclient import HTTPClientError

from logbook.report.figure_scripts import bundle, bundle_digest
from logbook.server import bundles
from logbook.store.core import Store
from tests.server.test_routes import api, jp_server_config, logbook_file  # noqa: F401  (fixtures)

pytest_plugins = ["pytest_jupyter.jupyter_server"]
pytest.importorskip("plotly")
pytest.importorskip("circuitsvis")


async def test_the_bundle_index_names_each_bundle_by_its_digest(api):  # noqa: F811
    status, index = await api("GET", "bundles")
    assert status == 200 and set(index) == {"plotly", "circuitsvis"}
    for kind, found in index.items():
        assert found["digest"] == bundle_digest(kind) and len(found["digest"]) == 20
        assert found["url"] == f"bundles/{kind}?v={found['digest']}"
        assert found["bytes"] == len(bundle(kind).encode()) > 100_000
        assert found["version"]


async def test_a_bundle_is_javascript_cached_under_its_digest(jp_fetch, logbook_file):  # noqa: F811
    digest = bundle_digest("plotly")
    response = await jp_fetch("logbook", "api", "bundles", "plotly", params={"v": digest})
    assert response.code == 200 and response.body.decode() == bundle("plotly")
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.headers["ETag"] == f'"{digest}"'
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Asked for without its digest (or by an old one), it must be checked again each time.
    for params in ({}, {"v": "an-older-digest"}):
        again = await jp_fetch("logbook", "api", "bundles", "circuitsvis", params=params)
        assert again.headers["Cache-Control"] == "private, no-cache" and again.body.decode() == bundle(
            "circuitsvis"
        )
    # The browser's copy is still good: 304, no body.
    with pytest.raises(HTTPClientError) as unchanged:
        await jp_fetch("logbook", "api", "bundles", "plotly", headers={"If-None-Match": f'"{digest}"'})
    assert unchanged.value.code == 304


async def test_bundles_need_the_token_and_name_only_known_kinds(jp_fetch, logbook_file):  # noqa: F811
    for route in (["bundles"], ["bundles", "plotly"], ["bundles", "circuitsvis"]):
        with pytest.raises(HTTPClientError) as refused:
            await jp_fetch("logbook", "api", *route, headers={"Authorization": ""})
        assert refused.value.code == 403, route
    with pytest.raises(HTTPClientError) as unknown:
        await jp_fetch("logbook", "api", "bundles", "..%2F..%2Fetc%2Fpasswd")
    assert unknown.value.code == 404


async def test_a_missing_package_is_named_with_what_to_install(api, monkeypatch):  # noqa: F811
    monkeypatch.setattr(bundles, "bundle", lambda kind: None if kind == "plotly" else bundle(kind))
    monkeypatch.setattr(
        bundles, "bundle_digest", lambda kind: None if kind == "plotly" else bundle_digest(kind)
    )
    status, index = await api("GET", "bundles")
    assert status == 200 and "digest" in index["circuitsvis"]
    assert index["plotly"] == {"missing": bundles.missing_message("plotly")}
    assert "pip install plotly" in index["plotly"]["missing"]
    status, error = await api("GET", "bundles/plotly")
    assert status == 404 and "pip install plotly" in error["message"]


async def test_the_notes_on_one_experiment(api, logbook_file):  # noqa: F811
    with Store(logbook_file) as store, store.transaction():
        for source in ("first()", "second()"):
            store.insert_experiment(
                {"source": source, "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1}, []
            )
    for text, experiment in (("about the first", 1), ("about the second", 2), ("about nothing", None)):
        status, _ = await api("POST", "notes", {"text": text, "experiment_id": experiment})
        assert status == 201
    assert [n["text"] for n in (await api("GET", "notes", experiment_id="2"))[1]] == ["about the second"]
    assert [n["text"] for n in (await api("GET", "notes"))[1]] == [
        "about the first",
        "about the second",
        "about nothing",
    ]
    assert (await api("GET", "notes", experiment_id="3"))[1] == []
    status, error = await api("GET", "notes", experiment_id="two")
    assert status == 400 and "whole number" in error["message"]
