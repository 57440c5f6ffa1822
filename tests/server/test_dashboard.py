"""GET /logbook/api/dashboard: every chart as the report's own Vega-Lite spec, against the real SQLite store."""

import json

import pytest

from logbook.report.charts import Charts
from logbook.report.markdown import markdown_report
from logbook.store.core import Store
from tests.server.test_routes import api, jp_server_config, logbook_file  # noqa: F401
from tests.unit.test_competing_sets import judge

pytest_plugins = ["pytest_jupyter.jupyter_server"]

MODEL = {"class": "HookedTransformer", "model_name": "attn-only-2l", "n_layers": 2, "n_heads": 3}
EXPECTED = [
    "credences",
    "calibration",
    "calibration-tag",
    "calibration-mode",
    "calibration-brainstorm",
    "calibration-model",
    "calibration-time",
    "surprises",
    "modes",
    "coverage-1",
    "set-C1",
]


def experiment(store: Store, minute: int, mode: str, torch: dict | None = None) -> int:
    row = {
        "source": f"score = probe({minute})",
        "started_at": f"2026-11-25T10:{minute:02d}:00+00:00",
        "duration_ms": 12.0,
        "ok": 1,
        "mode": mode,
    }
    if torch is not None:
        row["torch"] = json.dumps(torch)
    with store.transaction():
        return store.insert_experiment(row, [])


def research_logbook(store: Store) -> None:
    """A short session with something for every chart: a brainstorm, tags, a competing set, verdicts in two
    modes on a TransformerLens model and without one, a flagged surprise, and ablated heads."""
    brainstorm = store.start_brainstorm()
    h1 = store.add_hypothesis(
        "an induction head copies", 0.6, brainstorm_id=brainstorm.id, tags=["induction"]
    )
    h2 = store.add_hypothesis("the model copies by position", 0.3, brainstorm_id=brainstorm.id)
    store.add_hypothesis("attention sinks do it", 0.2)
    store.create_set("How does the model copy?", [h1.id, h2.id], something_else=0.1)
    store.set_mode("explore")
    looked = experiment(
        store, 1, "explore", {"models": [MODEL], "cache_keys": [["blocks.0.attn.hook_pattern"]]}
    )
    ablated = experiment(
        store,
        2,
        "explore",
        {
            "models": [MODEL],
            "hooks": [
                {
                    "hook_point": "blocks.1.attn.hook_z",
                    "function": "ablate",
                    "effect": "replaced",
                    "heads": [2],
                }
            ],
        },
    )
    for credence, held, eid in [(0.9, True, looked), (0.8, False, ablated), (0.6, True, None)]:
        judge(store, store.add_prediction(h1.id, "score > 0.5", credence).id, held, eid)
    store.set_mode("confirm")
    plain = experiment(store, 7, "confirm")
    judge(store, store.add_prediction(h2.id, "score > 0.5", 0.7).id, False, plain)
    store.update_credence(h2.id, 0.2, "period 7 breaks it")
    store.add_manual_surprise("the loss spikes at token 7", plain)


class RecordedCharts(Charts):
    """The report's charts, kept as specs instead of rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.specs: list[dict] = []

    def add(self, spec: dict) -> str:
        self.specs.append(spec)
        return f"chart:{len(self.specs) - 1}"


@pytest.fixture
def research(logbook_file):  # noqa: F811
    with Store(logbook_file) as store:
        research_logbook(store)
    return logbook_file


async def test_every_chart_is_the_reports_own_spec(api, research):  # noqa: F811
    status, reply = await api("GET", "dashboard")
    assert status == 200
    assert [c["id"] for c in reply["charts"]] == EXPECTED
    assert reply["counts"] == {"hypotheses": 3, "experiments": 3, "surprises": 3}
    with Store(research) as store, RecordedCharts() as recorded:
        markdown_report(store, charts=recorded)
    for chart in reply["charts"]:
        spec = chart["spec"]
        assert spec["$schema"].endswith("vega-lite/v6.json") and spec["description"]
        assert spec in recorded.specs, f"{chart['id']} is not the report's chart"


async def test_counts_and_small_sample_warnings(api, research):  # noqa: F811
    status, reply = await api("GET", "dashboard")
    charts = {c["id"]: c for c in reply["charts"]}
    assert charts["calibration"]["note"].startswith("4 judged predictions, Brier ")
    assert "too few to mean anything" in charts["calibration"]["warning"]
    by_mode = charts["calibration-mode"]
    assert by_mode["details"][0].startswith("explore: 3 judged, 2 came true")
    assert by_mode["details"][1].startswith("confirm: 1 judged, 0 came true")
    assert "2 of 2 with fewer than 10 judged" in by_mode["warning"]
    labels = [v["label"] for v in by_mode["spec"]["data"]["values"]]
    assert labels[0].startswith("n=3 · Brier") and labels[0].endswith("too few")
    by_model = {row.split(":")[0] for row in charts["calibration-model"]["details"]}
    assert by_model == {"attn-only-2l", "(no model)"}
    assert "too few to tell whether you are getting better" in charts["calibration-time"]["warning"]
    assert charts["surprises"]["note"] == "3 surprises: 2 prediction, 1 flagged"
    assert charts["modes"]["note"] == "3 experiments, one bar per minute: confirm 1 (33%), explore 2 (67%)"
    assert charts["coverage-1"]["note"].startswith("2 experiments; 5 of 6 attention heads never looked at")
    assert charts["set-C1"]["title"] == "C1: How does the model copy?"
    grid = {(v["layer"], v["head"]): v["state"] for v in charts["coverage-1"]["spec"]["data"]["values"]}
    assert grid[(1, 2)] == "looked at" and grid[(0, 0)] == "cached, never read"


async def test_charts_the_client_has_come_without_their_spec_and_a_change_moves_only_its_charts(
    api,  # noqa: F811
    research,
):
    _, first = await api("GET", "dashboard")
    keys = {c["id"]: c["key"] for c in first["charts"]}
    status, again = await api("GET", "dashboard", have=",".join(keys.values()))
    assert status == 200 and all(c["spec"] is None for c in again["charts"])
    assert {c["id"]: c["key"] for c in again["charts"]} == keys
    # A new cell in the same minute, in confirm mode: the modes chart moves; calibration does not.
    with Store(research) as store:
        experiment(store, 7, "confirm")
    _, after = await api("GET", "dashboard", have=",".join(keys.values()))
    moved = {c["id"] for c in after["charts"] if c["key"] != keys[c["id"]]}
    assert moved == {"modes"}
    assert [c["id"] for c in after["charts"] if c["spec"] is not None] == ["modes"]


def test_a_cache_kept_across_another_logbook_file_starts_again(tmp_path):
    from logbook.report.dashboard import DashboardCache, dashboard

    cache = DashboardCache()
    with Store(tmp_path / "a.db") as store:
        research_logbook(store)
        assert [c.id for c in dashboard(store, cache=cache).charts] == EXPECTED
    with Store(tmp_path / "b.db") as store:  # the file was replaced by another logbook
        store.add_hypothesis("a lone idea", 0.4)
        reply = dashboard(store, cache=cache)
    assert [c.id for c in reply.charts] == ["credences"] and reply.counts["experiments"] == 0


async def test_an_empty_logbook_has_no_charts(api):  # noqa: F811
    status, reply = await api("GET", "dashboard")
    assert status == 200 and reply == {
        "charts": [],
        "counts": {"hypotheses": 0, "experiments": 0, "surprises": 0},
        "author": None,
        "authors": [],
    }


async def test_the_charts_are_built_ahead_after_start_and_after_each_change_once_asked(
    research,
    jp_serverapp,
    api,  # noqa: F811
):
    import asyncio

    settings = jp_serverapp.web_app.settings
    warmer = settings["logbook_dashboard_warmer"]
    await asyncio.wait_for(warmer.next_round(0), 60)  # shortly after start, with no request
    cache = settings["logbook_dashboard"]
    assert list(cache.charts) == ["credences", "calibration", "surprises", "modes", "coverage", "sets"]
    _, first = await api("GET", "dashboard")  # served from the charts built ahead
    assert [c["id"] for c in first["charts"]] == EXPECTED
    modes = next(c for c in first["charts"] if c["id"] == "modes")
    rounds = warmer.warmed
    with Store(research) as store:  # another connection writes, as a kernel does
        new = experiment(store, 8, "confirm")
    await asyncio.wait_for(warmer.next_round(rounds), 60)
    # The modes chart was built again for the new cell before any request asked for it.
    assert cache.last_experiment == new and cache.charts["modes"][0] == new
    assert cache.charts["modes"][1][0].key != modes["key"]


def test_the_modes_bins_kept_between_calls_are_those_binned_anew(tmp_path):
    from logbook.report.dashboard import DashboardCache, dashboard, mode_bins

    cache = DashboardCache()
    with Store(tmp_path / "l.db") as store:
        research_logbook(store)
        dashboard(store, cache=cache)
        before = cache.bin_size
        experiment(store, 9, "red-team")  # a new cell in the span binned already: only it is added
        first = next(c for c in dashboard(store, cache=cache).charts if c.id == "modes")
        assert cache.bin_size == before and cache.mode_bins() == mode_bins(cache.minutes)
        with store.transaction():  # weeks later: the span needs wider bins, and all minutes are binned again
            store.insert_experiment(
                {"source": "x = 1", "started_at": "2027-01-20T10:00:00+00:00", "duration_ms": 1.0, "ok": 1},
                [],
            )
        later = next(c for c in dashboard(store, cache=cache).charts if c.id == "modes")
        assert cache.bin_size > before and cache.mode_bins() == mode_bins(cache.minutes)
        assert later.key != first.key and "none 1" in later.note
