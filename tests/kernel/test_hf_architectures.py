"""Hugging Face GPT-2, GPT-NeoX and Llama booted through TransformerBridge: caches, ablations and patches are recorded.

Tiny random-weight models saved locally (``tiny_models``), run in a real kernel
with the network closed to the Hub. Needs transformer-lens 4 (``boot_transformers``).
"""

import pytest

from logbook.store.core import Store
from tests.support.notebooks import run_notebook
from tests.support.tiny_models import ARCHITECTURES, tiny_models  # noqa: F401 - fixture

bridge = pytest.importorskip("transformer_lens.model_bridge")
pytestmark = [pytest.mark.kernel, pytest.mark.transformer_lens]

CLASSES = {"gpt2": "GPT2LMHeadModel", "neox": "GPTNeoXForCausalLM", "llama": "LlamaForCausalLM"}

SETUP = """
import functools, torch
from transformer_lens.model_bridge import TransformerBridge
clean = torch.tensor([[2, 3, 4, 5, 6]])
corrupted = torch.tensor([[2, 3, 7, 5, 6]])
def zero_head(z, hook, head):
    z[:, :, head] = 0
    return z
def from_clean(resid, hook, cache):
    return cache[hook.name].clone()
"""


def cells_for(name: str, path: str) -> list[str]:
    return [
        f"{name} = TransformerBridge.boot_transformers({path!r}, device='cpu')",
        f"{name}_logits, {name}_cache = {name}.run_with_cache(clean)",
        f"{name}_ablated = {name}.run_with_hooks(clean, fwd_hooks=[\n"
        "    ('blocks.1.attn.hook_z', functools.partial(zero_head, head=2))])",
        f"{name}_patched = {name}.run_with_hooks(corrupted, fwd_hooks=[\n"
        f"    ('blocks.1.hook_resid_pre', functools.partial(from_clean, cache={name}_cache))])",
    ]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, tiny_models):  # noqa: F811 - fixture
    folder = tmp_path_factory.mktemp("hf")
    db = folder / "logbook.db"
    cells = [SETUP] + [cell for name in ARCHITECTURES for cell in cells_for(name, str(tiny_models[name]))]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        mp.setenv("HF_HUB_OFFLINE", "1")
        notebook = run_notebook(cells, folder, timeout=300)
    errors = [o for cell in notebook.cells for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    with Store(db) as store:
        experiments = store.experiments(limit=None, newest_first=False)
    steps = {}
    for name in ARCHITECTURES:
        for step, cell in zip(("boot", "cache", "ablate", "patch"), cells_for(name, str(tiny_models[name]))):
            steps[name, step] = next(e for e in experiments if e.source == cell)
    return steps, tiny_models


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_a_cache_records_the_local_model_its_config_and_fingerprint(recorded, name):
    steps, paths = recorded
    activity = steps[name, "cache"].torch
    assert activity["module_calls"] == {"TransformerBridge": 1}
    (model,) = activity["models"]
    assert (model["class"], model["n_layers"], model["n_heads"]) == ("TransformerBridge", 2, 4)
    identity = model["identity"]
    assert (identity["name"], identity["local"]) == (str(paths[name]), True)
    assert identity["config"]["architecture"] == CLASSES[name]
    assert identity["config"]["num_hidden_layers"] == 2 and identity["dtype"] == "float32"
    assert identity["fingerprint"].startswith("weights:")
    assert {"blocks.1.attn.hook_pattern", "blocks.1.hook_resid_pre"} <= set(activity["cache_keys"][0])


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_a_head_ablation_is_recorded_under_its_hook_point_with_the_alias_used(recorded, name):
    steps, _ = recorded
    activity = steps[name, "ablate"].torch
    (hook,) = activity["hooks"]
    assert hook["hook_point"] == "blocks.1.attn.o.hook_in" and "blocks.1.attn.hook_z" in hook["aliases"]
    assert (hook["function"], hook["calls"], hook["effect"]) == ("zero_head(head=2)", 1, "edited in place")
    assert (hook["layer"], hook["heads"]) == (1, [2])
    assert activity["touched"] == [{"layer": 1, "heads": [2]}]


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_activation_patching_is_recorded_as_replacing_a_whole_layer(recorded, name):
    steps, _ = recorded
    cell = steps[name, "patch"]
    (hook,) = cell.torch["hooks"]
    assert hook["hook_point"] == "blocks.1.hook_in" and "blocks.1.hook_resid_pre" in hook["aliases"]
    assert (hook["effect"], hook["layer"]) == ("replaced", 1) and "heads" not in hook
    assert cell.torch["touched"] == [{"layer": 1}]
    assert cell.names[f"{name}_patched"]["shape"] == [1, 5, 64]


def test_each_architecture_has_its_own_fingerprint_kept_across_cells(recorded):
    steps, _ = recorded
    prints = {
        name: {
            steps[name, step].torch["models"][0]["identity"]["fingerprint"] for step in ("cache", "ablate")
        }
        for name in ARCHITECTURES
    }
    assert all(len(found) == 1 for found in prints.values())
    assert len(set.union(*prints.values())) == len(ARCHITECTURES)
