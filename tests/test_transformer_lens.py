"""TransformerLens activity is recorded: models, hooks (ablations, patches) and caches.

Runs against whichever TransformerLens is installed: TransformerBridge
(transformer-lens 4) or HookedTransformer (transformer-lens 3), which share
the HookPoint layer the recorder watches.
"""

import pytest

from logbook.store import Store

from .notebooks import run_notebook

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

CELLS = [
    BUILD_MODEL,
    "logits, cache = model.run_with_cache(tokens)",
    "def zero_head(pattern, hook, head):\n"
    "    pattern[:, head] = 0\n"
    "    return pattern\n"
    "ablated = model.run_with_hooks(tokens, fwd_hooks=[\n"
    "    ('blocks.0.attn.hook_pattern', functools.partial(zero_head, head=1))])",
    "probe = torch.nn.Linear(32, 2)\nscores = probe(torch.ones(3, 32))",
    "plain = 1 + 1",
]


@pytest.fixture(scope="module")
def experiments(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tl")
    db = folder / "logbook.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        notebook = run_notebook(CELLS, folder, timeout=300)
    errors = [o for cell in notebook.cells for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    with Store(db) as store:
        yield store.experiments(limit=None, newest_first=False)


def test_run_with_cache_records_the_model_config_and_cache_keys(experiments):
    activity = experiments[1].torch
    (model,) = activity["models"]
    assert (model["n_layers"], model["d_model"], model["n_heads"], model["attn_only"]) == (2, 32, 2, True)
    keys = activity["cache_keys"][0]
    assert "blocks.0.attn.hook_pattern" in keys and "blocks.1.attn.hook_pattern" in keys
    assert activity["caches"] == 1
    assert experiments[1].names["cache"]["type"] == "ActivationCache"
    assert experiments[1].names["logits"]["shape"] == [1, 12, 20]


def test_hooks_added_by_the_user_are_recorded_with_their_functions(experiments):
    activity = experiments[2].torch
    assert activity["hooks"] == [
        {
            "hook_point": "blocks.0.attn.hook_pattern",
            "function": "zero_head(head=1)",
            "direction": "fwd",
            "calls": 1,
        }
    ]
    assert "cache_keys" not in activity


def test_plain_torch_modules_are_recorded_by_class(experiments):
    assert experiments[3].torch["module_calls"] == {"Linear": 1}
    assert experiments[3].names["probe"]["parameters"] == 66


def test_cells_without_torch_work_record_no_torch_activity(experiments):
    assert experiments[4].torch == {}
