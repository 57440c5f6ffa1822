"""Each model is identified by name, revision, dtype, device and a cheap fingerprint cached beside it."""

import gc
import types

import pytest

from kernel_hooks import model_identity
from kernel_hooks.model_identity import identify, model_name

torch = pytest.importorskip("torch")


def mlp(seed: int):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))


def test_the_fingerprint_is_stable_for_equal_weights_and_differs_for_others():
    first, again, other = identify(mlp(0)), identify(mlp(0)), identify(mlp(1))
    assert first["fingerprint"] == again["fingerprint"] != other["fingerprint"]
    assert first["fingerprint"].startswith("weights:")
    assert (first["class"], first["dtype"], first["device"], first["parameters"]) == (
        "Sequential",
        "float32",
        "cpu",
        178,
    )


def test_it_is_computed_once_per_model_until_the_model_changes_dtype(monkeypatch):
    measured = []
    measure = model_identity._measure
    monkeypatch.setattr(model_identity, "_measure", lambda module: measured.append(module) or measure(module))
    model = mlp(0)
    identify(model), identify(model)
    assert len(measured) == 1
    model.double()
    assert identify(model)["dtype"] == "float64" and len(measured) == 2


def test_the_cache_does_not_keep_a_model_alive():
    model = mlp(0)
    identify(model)
    assert model in model_identity._cache
    before = len(model_identity._cache)
    del model
    gc.collect()
    assert len(model_identity._cache) == before - 1


def test_a_busy_device_leaves_the_fingerprint_pending_and_uncached(monkeypatch):
    monkeypatch.setattr(model_identity, "device_idle", lambda device: False)
    model = mlp(0)
    assert identify(model)["fingerprint"] == "pending (busy: cpu)"
    assert model not in model_identity._cache


def test_a_model_on_the_meta_device_is_fingerprinted_by_names_and_shapes_only():
    with torch.device("meta"):
        model = torch.nn.Linear(4096, 4096)
    identity = identify(model)
    assert identity["device"] == "meta" and identity["fingerprint"].startswith("shapes:")


def test_hugging_face_models_give_their_hub_name_and_commit():
    transformers = pytest.importorskip("transformers")
    config = transformers.GPT2Config(n_layer=1, n_embd=8, n_head=2, vocab_size=16, n_positions=8)
    config.name_or_path, config._commit_hash = (
        "openai-community/gpt2",
        "607a30d783dfa663caf39e06633721c8d4cfcd7e",
    )
    identity = identify(transformers.GPT2LMHeadModel(config))
    assert identity["name"] == "openai-community/gpt2" and "local" not in identity
    assert identity["revision"] == "607a30d783dfa663caf39e06633721c8d4cfcd7e"
    assert identity["config"]["model_type"] == "gpt2" and identity["config"]["num_hidden_layers"] == 1


def test_a_wrapper_is_identified_by_the_module_it_wraps_and_its_own_repository():
    inner = mlp(0)
    wrapper = types.SimpleNamespace(_module=inner, repo_id="org/model", revision="main")
    identity = identify(wrapper)
    assert (identity["class"], identity["name"], identity["revision"]) == ("Sequential", "org/model", "main")
    assert identity["fingerprint"] == identify(inner)["fingerprint"]
    assert model_name(wrapper) == "org/model" and model_name(inner) == "Sequential"
