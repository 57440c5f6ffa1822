"""Where you have not looked: the coverage map built from recorded TransformerLens activity."""

import json

import pytest

from logbook.report.coverage_section import weights_line
from logbook.report.markdown import markdown_report
from logbook.rules.coverage import (
    coverage_maps,
    logbook_coverage,
    unfold,
)
from logbook.store.core import Store
from tests.support.notebooks import outputs_of, run_notebook

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
    # a cache built and never read is available, not looked at
    assert (cov.untouched_heads, cov.unread_heads) == (4, 3)


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


def test_the_report_shows_the_map_with_the_heads_never_looked_at(store):
    record_activity(store)
    report = markdown_report(store)
    section = report[report.index("Where you have not looked\n") :]
    assert "4 of 6 attention heads never looked at (3 of them cached but never read)" in section
    assert "| L0 | c | c | c |" in section and "| L1 | p | · | a |" in section
    assert "| `hook_resid_pre` | c | h |" in section


def _described(variable, fingerprint, n_layers=2, architecture="GPT2LMHeadModel"):
    return {
        "class": "TransformerBridge",
        "n_layers": n_layers,
        "n_heads": 3,
        "d_model": 32,
        "architecture": architecture,
        "variable": variable,
        "identity": {"name": "native", "fingerprint": f"weights:{fingerprint}"},
    }


def test_a_cache_read_counts_for_the_model_that_built_it_even_in_a_cell_where_it_did_not_run():
    model = _described("model", "aaaa1111")
    built = {"models": [model], "cache_keys": [["blocks.0.attn.hook_pattern", "blocks.1.attn.hook_pattern"]]}
    read = {
        "cache_reads": [{"model": model, "keys": ["blocks.1.attn.hook_pattern", "blocks.0.hook_resid_pre"]}]
    }
    (cov,) = coverage_maps([(1, built), (2, read)], here=2)
    assert cov.experiments == [1, 2] and cov.here == ["L1H0", "L1H1", "L1H2", "hook_resid_pre@0"]
    assert cov.heads[0] == [{"cached": 1}] * 3 and cov.heads[1] == [{"cached": 1, "read": 1}] * 3
    assert (cov.untouched_heads, cov.unread_heads) == (3, 3)
    # only the weights of models that ran are history; a read is not a run
    assert [w.experiments for w in cov.fingerprints] == [1]


def test_the_same_variable_and_architecture_keep_one_map_across_retrains_with_the_weights_seen():
    activity = [
        (1, {"models": [_described("model", "aaaa1111")]}, "2026-01-01T10:00:00+00:00"),
        (
            2,
            {
                "models": [_described("model", "aaaa1111")],
                "hooks": [_hook("blocks.0.attn.hook_z", "f", "read")],
            },
        ),
        (3, {"models": [_described("model", "bbbb2222")]}, "2026-01-01T11:30:00+00:00"),
        (4, {"models": [_described("model", "cccc3333", n_layers=4)]}),  # another architecture
        (5, {"models": [_described("other", "bbbb2222")]}),  # another variable
    ]
    first, deeper, other = coverage_maps(activity)
    assert (first.variable, first.model, first.experiments) == ("model", "model (GPT2LMHeadModel)", [1, 2, 3])
    assert first.heads[0] == [{"hooked": 1}] * 3  # the hooks before the retrain stay on the map
    seen = [(w.fingerprint, w.experiments, w.first_experiment, w.last_experiment) for w in first.fingerprints]
    assert seen == [("weights:aaaa1111", 2, 1, 2), ("weights:bbbb2222", 1, 3, 3)]
    assert first.fingerprints[1].first_seen.hour == 11
    assert (deeper.n_layers, deeper.experiments, other.variable) == (4, [4], "other")
    assert "2 sets of weights under one map" in weights_line(
        first
    ) and "`bbbb2222` (experiment 3" in weights_line(first)


def test_folded_cache_keys_of_deep_models_stand_for_every_layer_they_name():
    assert unfold("blocks.{0-2}.attn.hook_z") == [f"blocks.{i}.attn.hook_z" for i in range(3)]
    assert unfold("blocks.{1,4}.hook_resid_pre") == ["blocks.1.hook_resid_pre", "blocks.4.hook_resid_pre"]
    assert unfold("hook_embed") == ["hook_embed"] and unfold("blocks.{0-99999999}.x") == []
    (cov,) = coverage_maps([(1, {"models": [MODEL], "cache_keys": [["blocks.{0-1}.attn.hook_z"]]})])
    assert cov.heads == [[{"cached": 1}] * 3] * 2


def test_the_logbook_map_for_a_cell_that_only_read_a_cache_is_that_models_map(store):
    model = _described("model", "aaaa1111")
    with store.transaction():
        for activity in (
            {"models": [model], "cache_keys": [["blocks.0.attn.hook_z"]]},
            {"cache_reads": [{"model": model, "keys": ["blocks.0.attn.hook_z"]}]},
        ):
            row = {"source": "c", "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1}
            store.insert_experiment({**row, "torch": json.dumps(activity)}, [])
    (cov,) = logbook_coverage(store.db, 2)
    assert cov.here == ["L0H0", "L0H1", "L0H2"] and cov.heads[0] == [{"cached": 1, "read": 1}] * 3
    assert cov.fingerprints[0].first_seen is not None
    report = markdown_report(store)
    assert "Weights `aaaa1111` throughout." in report and "| L0 | r | r | r |" in report


# -- in a real kernel -----------------------------------------------------------------------------

BUILD_MODEL = """
import importlib.metadata, torch
config = dict(n_layers=2, d_model=32, n_heads=2, d_head=16, d_vocab=20, n_ctx=16, attn_only=True)
if int(importlib.metadata.version("transformer_lens").split(".")[0]) < 4:
    from transformer_lens import HookedTransformer, HookedTransformerConfig
    model = HookedTransformer(HookedTransformerConfig(act_fn="relu", seed=0, **config))
else:
    from transformer_lens.model_bridge import TransformerBridge
    model = TransformerBridge.boot_native(dict(config, act_fn="relu", seed=0))
tokens = torch.randint(0, 20, (1, 12), generator=torch.Generator().manual_seed(0))
"""

RETRAIN = BUILD_MODEL.replace("seed=0", "seed=1").replace("tokens = ", "_unused = ")

KERNEL_CELLS = [
    BUILD_MODEL,
    "logits, cache = model.run_with_cache(tokens)",
    "pattern = cache['pattern', 1]",
    "stacked = cache.stack_activation('resid_pre')\nresid = cache.accumulated_resid()",
    "for key, value in cache.items():\n    if key.endswith('hook_resid_pre'):\n        break",
    "queries = {k: v.shape for k, v in cache.items() if k.endswith('hook_q')}\nn_values = len(cache.values())",
    RETRAIN + "retrained_logits = model(tokens)",
    "%unload_ext kernel_hooks",
    "print(getattr(type(cache).__getitem__, '__logbook_wrapped__', False), type(cache.items()).__name__)",
]


@pytest.fixture(scope="module")
def kernel_run(tmp_path_factory):
    pytest.importorskip("transformer_lens")
    folder = tmp_path_factory.mktemp("coverage")
    db = folder / "logbook.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        notebook = run_notebook(KERNEL_CELLS, folder, timeout=300)
    errors = [o for cell in notebook.cells for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    with Store(db) as store:
        yield notebook, store


@pytest.mark.kernel
@pytest.mark.transformer_lens
def test_building_a_cache_reads_nothing_and_indexing_it_reads_what_was_indexed(kernel_run):
    _, store = kernel_run
    built, indexed, stacked = store.experiments(limit=None, newest_first=False)[1:4]
    assert built.torch["cache_keys"] and "cache_reads" not in built.torch
    (read,) = indexed.torch["cache_reads"]
    assert read["keys"] == ["blocks.1.attn.hook_pattern"]
    assert read["model"]["variable"] == "model" and "module_calls" not in indexed.torch  # read, not run
    (read,) = stacked.torch["cache_reads"]
    assert {"blocks.0.hook_resid_pre", "blocks.1.hook_resid_pre", "blocks.1.hook_resid_post"} <= set(
        read["keys"]
    )
    maps = coverage_maps((e.id, e.torch) for e in [built, indexed])
    (cov,) = maps
    assert cov.heads[0] == [{"cached": 1}] * 2 and cov.heads[1] == [{"cached": 1, "read": 1}] * 2
    assert (cov.untouched_heads, cov.unread_heads) == (2, 2)


@pytest.mark.kernel
@pytest.mark.transformer_lens
def test_iterating_items_reads_what_it_yielded_and_len_of_a_view_reads_nothing(kernel_run):
    _, store = kernel_run
    broke, iterated = store.experiments(limit=None, newest_first=False)[4:6]
    (read,) = broke.torch["cache_reads"]  # the loop stopped at the first resid_pre
    assert read["keys"][-1] == "blocks.0.hook_resid_pre" and "hook_embed" in read["keys"]
    assert not any(key.startswith(("blocks.0.attn", "blocks.1")) for key in read["keys"])
    (read,) = iterated.torch["cache_reads"]
    assert "blocks.0.attn.hook_q" in read["keys"] and "blocks.1.attn.hook_pattern" in read["keys"]
    assert iterated.names["n_values"]["value"] > 10  # len(cache.values()) still works, and is no read
    assert iterated.names["queries"]["type"] == "dict"


@pytest.mark.kernel
@pytest.mark.transformer_lens
def test_a_model_retrained_under_the_same_name_keeps_its_map_with_both_fingerprints(kernel_run):
    _, store = kernel_run
    experiments = store.experiments(limit=None, newest_first=False)
    (cov,) = logbook_coverage(store.db)
    assert cov.variable == "model" and (cov.n_layers, cov.n_heads, cov.d_model) == (2, 2, 32)
    assert cov.experiments == [e.id for e in experiments[1:7]]
    first, second = cov.fingerprints
    assert first.fingerprint != second.fingerprint and second.first_experiment == experiments[6].id
    assert first.first_seen <= second.first_seen


@pytest.mark.kernel
@pytest.mark.transformer_lens
def test_unloading_puts_the_activation_cache_back_as_it_was(kernel_run):
    notebook, _ = kernel_run
    (printed,) = outputs_of(notebook.cells[-1], "stream")
    assert printed["text"].split() == ["False", "dict_items"]
