"""TransformerLens activity is recorded: models, hooks (ablations, patches) and caches.

Runs against whichever TransformerLens is installed: TransformerBridge
(transformer-lens 4) or HookedTransformer (transformer-lens 3), which share
the HookPoint layer the recorder watches.
"""

import pytest

from logbook.store.core import Store
from tests.support.notebooks import outputs_of, run_notebook

pytest.importorskip("transformer_lens")
pytestmark = [pytest.mark.kernel, pytest.mark.transformer_lens]

BUILD_MODEL = """
import functools, importlib.metadata, torch
config = dict(n_layers=2, d_model=32, n_heads=2, d_head=16, d_vocab=20, n_ctx=16, attn_only=True)
if int(importlib.metadata.version("transformer_lens").split(".")[0]) < 4:
    from transformer_lens import HookedTransformer, HookedTransformerConfig
    model = HookedTransformer(HookedTransformerConfig(act_fn="relu", seed=0, **config))
else:
    from transformer_lens.model_bridge import TransformerBridge
    model = TransformerBridge.boot_native(dict(config, act_fn="relu", seed=0))
tokens = torch.randint(0, 20, (1, 12), generator=torch.Generator().manual_seed(0))
"""

GLOBAL_HOOKS = "len(torch.nn.modules.module._global_forward_pre_hooks) + len(torch.nn.modules.module._global_forward_hooks)"

CELLS = [
    BUILD_MODEL,
    "logits, cache = model.run_with_cache(tokens)",
    "def zero_head(pattern, hook, head):\n"
    "    pattern[:, head] = 0\n"
    "    return pattern\n"
    "ablated = model.run_with_hooks(tokens, fwd_hooks=[\n"
    "    ('blocks.0.attn.hook_pattern', functools.partial(zero_head, head=1))])",
    "probe = torch.nn.Linear(32, 2)",
    "scores = probe(torch.ones(3, 32))",
    "plain = 1 + 1",
    "def patch_from_clean(z, hook):\n"
    "    return cache[hook.name].clone()\n"
    "def look(z, hook):\n"
    "    seen.append(z.shape)\n"
    "seen = []\n"
    "patched = model.run_with_hooks(tokens, fwd_hooks=[\n"
    "    ('blocks.1.attn.hook_pattern', patch_from_clean), ('blocks.0.attn.hook_pattern', look)])",
    f"global_hooks_during_a_cell = {GLOBAL_HOOKS}\nforward = model(tokens)",
    "import warnings\n"
    "with warnings.catch_warnings(record=True) as caught:\n"
    "    warnings.simplefilter('always')\n"
    "    compiled = torch.compile(probe, backend='eager')\n"
    "    first = compiled(torch.ones(3, 32))\n"
    "compile_warnings = [str(w.message) for w in caught]\n"
    "from torch._dynamo.utils import counters\n"
    "graphs_after_compiling = counters['stats']['unique_graphs']",
    "second = compiled(torch.ones(3, 32))\ngraphs_later = counters['stats']['unique_graphs']",
    "import copy, io\n"
    "buffer = io.BytesIO()\n"
    "torch.save(probe, buffer)\n"
    "pickled_mentions_us = b'kernel_hooks' in buffer.getvalue()\n"
    "reloaded = torch.load(io.BytesIO(buffer.getvalue()), weights_only=False)\n"
    "twin = copy.deepcopy(probe)\n"
    "x = torch.ones(3, 32)\n"
    "same = bool((reloaded(x) == probe(x)).all() and (twin(x) == probe(x)).all())",
    "fresh = copy.deepcopy(model)\nfresh_logits = fresh(tokens)",
    "scripted = torch.jit.script(probe)\nscripted_same = bool((scripted(x) == probe(x)).all())\n"
    "probe_hooks = len(probe._forward_pre_hooks)",
    "%unload_ext kernel_hooks",
    "print(len(model._forward_pre_hooks), len(probe._forward_pre_hooks), len(twin._forward_pre_hooks))",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tl")
    db = folder / "logbook.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        notebook = run_notebook(CELLS, folder, timeout=300)
    errors = [o for cell in notebook.cells for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    with Store(db) as store:
        yield notebook, store.experiments(limit=None, newest_first=False)


@pytest.fixture(scope="module")
def experiments(run):
    return run[1]


def test_run_with_cache_records_the_model_config_and_cache_keys(experiments):
    activity = experiments[1].torch
    (model,) = activity["models"]
    assert (model["n_layers"], model["d_model"], model["n_heads"], model["attn_only"]) == (2, 32, 2, True)
    keys = activity["cache_keys"][0]
    assert "blocks.0.attn.hook_pattern" in keys and "blocks.1.attn.hook_pattern" in keys
    assert activity["caches"] == 1
    assert experiments[1].names["cache"]["type"] == "ActivationCache"
    assert experiments[1].names["logits"]["shape"] == [1, 12, 20]


def test_the_model_that_ran_is_identified_by_dtype_device_and_a_weight_fingerprint(experiments):
    identity = experiments[1].torch["models"][0]["identity"]
    assert identity["dtype"] == "float32" and identity["device"] == "cpu"
    assert identity["parameters"] > 0 and identity["fingerprint"].startswith("weights:")
    assert experiments[2].torch["models"][0]["identity"]["fingerprint"] == identity["fingerprint"]


def test_hooks_added_by_the_user_are_recorded_with_their_functions_layers_and_heads(experiments):
    activity = experiments[2].torch
    assert activity["hooks"] == [
        {
            "hook_point": "blocks.0.attn.hook_pattern",
            "function": "zero_head(head=1)",
            "direction": "fwd",
            "calls": 1,
            "effect": "edited in place",
            "layer": 0,
            "heads": [1],
        }
    ]
    assert activity["touched"] == [{"layer": 0, "heads": [1]}]
    assert "cache_keys" not in activity


def test_a_patch_that_replaces_an_activation_is_told_apart_from_a_probe_that_reads_it(experiments):
    activity = experiments[6].torch
    effects = {hook["function"]: (hook["effect"], hook["layer"]) for hook in activity["hooks"]}
    assert effects == {"patch_from_clean": ("replaced", 1), "look": ("read", 0)}
    assert activity["touched"] == [{"layer": 1}]


def test_plain_torch_modules_are_recorded_by_class_from_the_cell_after_they_are_made(experiments):
    assert "module_calls" not in experiments[3].torch
    assert experiments[4].torch["module_calls"] == {"Linear": 1}
    assert experiments[4].torch["models"][0]["identity"]["parameters"] == 66
    assert experiments[3].names["probe"]["parameters"] == 66


def test_a_forward_pass_is_recorded_without_any_global_module_hook(experiments):
    cell = experiments[7]
    assert cell.names["global_hooks_during_a_cell"]["value"] == 0
    (called,) = cell.torch["module_calls"].values()
    assert called == 1


def test_a_model_made_and_run_in_the_same_cell_is_recorded(experiments):
    cell = experiments[11]
    assert list(cell.torch["module_calls"].values()) == [1]
    (fresh,) = cell.torch["models"]
    assert fresh["identity"]["fingerprint"] == experiments[1].torch["models"][0]["identity"]["fingerprint"]


def test_torch_jit_script_compiles_a_model_without_our_hook_which_stays_on_the_model(experiments):
    cell = experiments[12]
    assert cell.names["scripted_same"]["value"] is True and cell.names["probe_hooks"]["value"] == 1


def test_torch_compile_gives_no_warning_and_no_recompilation_with_the_hooks_loaded(experiments):
    compiling, later = experiments[8], experiments[9]
    assert compiling.names["compile_warnings"]["len"] == 0
    assert later.names["graphs_later"]["value"] == compiling.names["graphs_after_compiling"]["value"]
    assert later.torch["module_calls"] == {"Linear (compiled)": 1}


def test_models_pickle_without_the_recorder_and_copies_keep_working(experiments):
    cell = experiments[10]
    assert cell.names["pickled_mentions_us"]["value"] is False
    assert cell.names["same"]["value"] is True


def test_unloading_takes_every_hook_off_the_models(run):
    notebook, _ = run
    (printed,) = outputs_of(notebook.cells[-1], "stream")
    assert printed["text"].split() == ["0", "0", "0"]


def test_cells_without_torch_work_record_no_torch_activity(experiments):
    assert experiments[5].torch == {}


LEFT_BEHIND = [
    BUILD_MODEL,
    "def ablate_head(z, hook, head):\n"
    "    z[:, :, head] = 0\n"
    "    return z\n"
    "def wrong_shape(z, hook):\n"
    "    assert z.shape[-1] == 64, f'expected d_head 64, got {z.shape[-1]}'\n"
    "model.add_hook('blocks.0.attn.hook_z', functools.partial(ablate_head, head=1))\n"
    "model.run_with_hooks(tokens, fwd_hooks=[('blocks.1.attn.hook_z', wrong_shape)])\n"
    "model.reset_hooks()",
    "later = model(tokens)",
    "model.reset_hooks()\nclean = model(tokens)",
    "model.run_with_hooks(tokens, fwd_hooks=[('blocks.1.attn.hook_z', wrong_shape)])",
    "after_error = model(tokens)",
]


@pytest.fixture(scope="module")
def left_behind(tmp_path_factory):
    folder = tmp_path_factory.mktemp("left")
    db = folder / "logbook.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        notebook = run_notebook(LEFT_BEHIND, folder, timeout=300)
    with Store(db) as store:
        yield notebook.cells[1:], store.experiments(limit=None, newest_first=False)


def _stderr(cell) -> str:
    return "".join(o.get("text", "") for o in outputs_of(cell, "stream") if o["name"] == "stderr")


def test_a_hook_left_attached_by_an_exception_in_run_with_hooks_is_reported_once_under_the_cell(left_behind):
    cells, experiments = left_behind
    assert outputs_of(cells[1], "error")  # the cell raised inside run_with_hooks, before reset_hooks
    left = experiments[1].torch["hooks_left"]
    assert [(h["function"], h["direction"]) for h in left] == [("ablate_head(head=1)", "fwd")]
    assert "hook_z" in left[0]["hook_point"] or "blocks.0.attn" in left[0]["hook_point"]
    message = _stderr(cells[1])
    assert "left a TransformerLens hook attached" in message and "ablate_head(head=1)" in message
    assert all("hooks_left" not in e.torch for e in experiments[2:])
    assert all("left a TransformerLens hook" not in _stderr(cell) for cell in cells[2:])


def test_later_forward_passes_run_with_the_hook_until_it_is_removed(left_behind):
    cells, experiments = left_behind
    later, cleaned, failed, after_error = experiments[2:6]
    assert [h["function"] for h in later.torch["running_with"]] == ["ablate_head(head=1)"]
    assert later.torch["running_with"][0]["left_by"] == {"cell": 3, "experiment": experiments[1].id}
    assert "running_with" not in cleaned.torch
    marked = [line for line in _stderr(cells[2]).splitlines() if "ran with a TransformerLens hook" in line]
    assert len(marked) == 1 and "by cell [3]" in marked[0] and "model.reset_hooks()" in marked[0]
    assert all("ran with a TransformerLens hook" not in _stderr(cell) for cell in cells[3:])


def test_run_with_hooks_takes_its_own_hooks_off_after_an_exception_so_nothing_is_left(left_behind):
    cells, experiments = left_behind
    assert outputs_of(cells[4], "error")
    assert "hooks_left" not in experiments[4].torch and "running_with" not in experiments[5].torch


class ActivationCache(dict):
    def __repr__(self):
        return f"ActivationCache with keys {list(self)}"


def patch_head(z, hook, head, clean, heads, scale):
    return z


def test_a_hook_bound_to_a_cache_is_named_by_the_cache_type_not_its_contents():
    import functools

    from kernel_hooks.torch_activity import hook_function_name

    clean = ActivationCache({"embed": 1, "blocks.0.attn.hook_z": 2})
    hook = functools.partial(patch_head, head=0, clean=clean, heads=[0, 2], scale=0.5)
    assert hook_function_name(hook) == "patch_head(head=0, clean=ActivationCache, heads=[0, 2], scale=0.5)"
