"""What the experiment view asks the server for: the index of figure scripts (with the token), the scripts
themselves (public files of installed packages, kept under their digest), and the notes on one experiment."""

import pytest
from tornado.httpclient import HTTPClientError

from logbook.report.figure_scripts import bundle, bundle_digest
from logbook.server import bundles
from logbook.store.core import Store
from tests.server.test_routes import api, jp_server_config, logbook_file  # noqa: F401  (fixtures)

pytest_plugins = ["pytest_jupyter.jupyter_server"]
pytest.importorskip("plotly")
pytest.importorskip("circuitsvis")


async def test_the_bundle_index_names_each_script_by_its_digest_and_says_what_the_logbook_holds(
    api, logbook_file  # noqa: F811
):
    status, index = await api("GET", "bundles")
    assert status == 200 and set(index) == {"plotly", "circuitsvis"}
    for kind, found in index.items():
        assert found["digest"] == bundle_digest(kind) and len(found["digest"]) == 20
        assert found["script"] == f"logbook/scripts/{kind}-{found['digest']}.js"
        assert found["bytes"] == len(bundle(kind).encode()) > 100_000
        assert found["version"]
        assert found["recorded"] is False  # no figure in the logbook: nothing to ready ahead
    with Store(logbook_file) as store, store.transaction():
        store.insert_experiment(
            {"source": "fig", "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1},
            [{"mime": "application/vnd.plotly.v1+json", "data": b'{"data": []}', "size": 12, "truncated": False}],
        )
    _, index = await api("GET", "bundles")
    assert index["plotly"]["recorded"] is True and index["circuitsvis"]["recorded"] is False


async def test_a_script_is_public_javascript_kept_under_its_digest(jp_fetch, logbook_file):  # noqa: F811
    """The frame that loads it has an opaque origin and no credentials, so it needs no token; it is a file of an
    installed package, served under the digest of what is installed and nothing else."""
    for kind in ("plotly", "circuitsvis"):
        digest = bundle_digest(kind)
        response = await jp_fetch("logbook", "scripts", f"{kind}-{digest}.js", headers={"Authorization": ""})
        assert response.code == 200 and response.body.decode() == bundle(kind)
        assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert response.headers["ETag"] == f'"{digest}"'
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Set-Cookie" not in response.headers
    # The browser's copy is still good: 304, no body.
    digest = bundle_digest("plotly")
    with pytest.raises(HTTPClientError) as unchanged:
        await jp_fetch("logbook", "scripts", f"plotly-{digest}.js", headers={"If-None-Match": f'"{digest}"'})
    assert unchanged.value.code == 304


async def test_only_the_installed_scripts_are_served(jp_fetch, logbook_file):  # noqa: F811
    other = "0" * 20 if bundle_digest("plotly") != "0" * 20 else "1" * 20
    for name in (f"plotly-{other}.js", f"plotly-{bundle_digest('circuitsvis')}.js", "logbook-0.js", "..%2F..%2Fetc%2Fpasswd"):
        with pytest.raises(HTTPClientError) as refused:
            await jp_fetch("logbook", "scripts", name, headers={"Authorization": ""})
        assert refused.value.code == 404, name


async def test_the_bundle_index_needs_the_token(jp_fetch, logbook_file):  # noqa: F811
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("logbook", "api", "bundles", headers={"Authorization": ""})
    assert refused.value.code == 403


async def test_a_missing_package_is_named_with_what_to_install(api, jp_fetch, monkeypatch):  # noqa: F811
    monkeypatch.setattr(bundles, "bundle", lambda kind: None if kind == "plotly" else bundle(kind))
    monkeypatch.setattr(
        bundles, "bundle_digest", lambda kind: None if kind == "plotly" else bundle_digest(kind)
    )
    status, index = await api("GET", "bundles")
    assert status == 200 and "digest" in index["circuitsvis"]
    assert index["plotly"] == {"missing": bundles.missing_message("plotly")}
    assert "pip install plotly" in index["plotly"]["missing"]
    with pytest.raises(HTTPClientError) as missing:
        await jp_fetch("logbook", "scripts", f"plotly-{'0' * 20}.js")
    assert missing.value.code == 404 and "pip install plotly" in missing.value.response.body.decode()


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
