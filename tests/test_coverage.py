"""Where you have not looked: the coverage map built from recorded TransformerLens activity."""

import json

from logbook.coverage import coverage_maps, logbook_coverage
from logbook.report import markdown_report

MODEL = {"class": "HookedTransformer", "n_layers": 2, "n_heads": 3, "identity": {"name": "attn-only-2l"}}


def _hook(point, function, effect, heads=None, aliases=()):
    hook = {"hook_point": point, "function": function, "effect": effect, "calls": 1}
    return {**hook, **({"heads": heads} if heads else {}), **({"aliases": list(aliases)} if aliases else {})}


ACTIVITY = [
    (
        1,
        {
            "models": [MODEL],
            "cache_keys": [["hook_embed", "blocks.0.attn.hook_pattern", "blocks.0.hook_resid_pre"]],
        },
    ),
    (
        2,
        {"models": [MODEL], "hooks": [_hook("blocks.1.attn.hook_z", "ablate_head(head=2)", "replaced", [2])]},
    ),
    (
        3,
        {
            "models": [MODEL],
            "hooks": [_hook("blocks.1.attn.hook_z", "patch_head(head=0)", "edited in place", [0])],
        },
    ),
    (4, {"models": [MODEL], "hooks": [_hook("blocks.1.hook_resid_pre", "look", "read")]}),
    (5, {"module_calls": {"Linear": 1}}),
]


def test_heads_count_the_experiments_that_cached_ablated_or_patched_them():
    (cov,) = coverage_maps(ACTIVITY)
    assert (cov.model, cov.n_layers, cov.n_heads, cov.experiments) == ("attn-only-2l", 2, 3, [1, 2, 3, 4])
    assert cov.heads[0] == [{"cached": 1}] * 3  # a cached pattern covers every head of its layer
    assert cov.heads[1] == [{"patched": 1}, {}, {"ablated": 1}]
    assert cov.untouched_heads == 1


def test_other_hook_points_are_rows_by_layer_and_hooks_that_only_read_count_as_hooked():
    (cov,) = coverage_maps(ACTIVITY)
    points = {p.name: p for p in cov.points}
    assert points["hook_resid_pre"].layers == [{"cached": 1}, {"hooked": 1}]
    assert not points["hook_embed"].layered and points["hook_embed"].layers == [{"cached": 1}]


def test_a_bridge_hook_point_is_named_by_its_classic_alias_and_its_own_cache_names_are_dropped():
    bridge = {
        **MODEL,
        "class": "TransformerBridge",
        "identity": {"name": "native", "fingerprint": "weights:ab12cd34ef"},
    }
    activity = {
        "models": [bridge],
        "cache_keys": [["embed.hook_out", "hook_embed", "blocks.0.attn.o.hook_in", "blocks.0.attn.hook_z"]],
        "hooks": [_hook("blocks.1.attn.o.hook_in", "zero", "replaced", aliases=["blocks.1.attn.hook_z"])],
    }
    (cov,) = coverage_maps([(7, activity)], here=7)
    assert cov.model == "TransformerBridge ab12cd34"
    assert [p.name for p in cov.points] == ["hook_embed"]
    assert cov.heads[1] == [{"ablated": 1}] * 3
    assert cov.here == ["L0H0", "L0H1", "L0H2", "L1H0", "L1H1", "L1H2", "hook_embed"]


def record_activity(store):
    """One experiment per entry of ``ACTIVITY``, holding that torch activity."""
    with store.transaction():
        for eid, activity in ACTIVITY:
            row = {
                "source": f"cell {eid}",
                "started_at": "2026-01-01T00:00:00+00:00",
                "duration_ms": 1.0,
                "ok": 1,
            }
            store.insert_experiment({**row, "torch": json.dumps(activity)}, [])


def test_the_logbook_map_for_an_experiment_keeps_the_models_it_ran_and_what_it_touched(store):
    record_activity(store)
    (cov,) = logbook_coverage(store.db, 2)
    assert cov.here == ["L1H2"] and cov.experiments == [1, 2, 3, 4]
    assert logbook_coverage(store.db, 5) == []


def test_the_report_shows_the_map_with_the_heads_never_touched(store):
    record_activity(store)
    report = markdown_report(store)
    section = report[report.index("Where you have not looked\n") :]
    assert "1 of 6 attention heads never touched" in section
    assert "| L1 | p | · | a |" in section and "| `hook_resid_pre` | c | h |" in section
