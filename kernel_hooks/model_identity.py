"""Which model ran: its name or path, revision, dtype, device and a fingerprint of its weights.

``identify(model)`` accepts a ``torch.nn.Module``, a TransformerLens model, a
Hugging Face model, an nnsight wrapper or a ``torch.compile`` wrapper. The
fingerprint hashes every parameter's name, shape and dtype and a fixed strided
sample of ``FINGERPRINT_VALUES`` of its values (none on the meta device). It is
computed once per model object and cached beside it (a weak reference), until
the model moves or changes dtype; weights edited in place keep the cached
fingerprint. On an accelerator it is taken only when the device is idle, like
every other read of device memory (see ``tensor_stats``).
"""

from __future__ import annotations

import hashlib
import os
import sys
import weakref
from typing import Any, Optional

from kernel_hooks.tensor_stats import device_idle, strided_sample

#: Values sampled from each parameter for the fingerprint.
FINGERPRINT_VALUES = 8
_HF_CONFIG_FIELDS = (
    "model_type",
    "num_hidden_layers",
    "hidden_size",
    "num_attention_heads",
    "num_key_value_heads",
    "intermediate_size",
    "vocab_size",
    "max_position_embeddings",
)

_cache: "weakref.WeakKeyDictionary[Any, tuple[tuple, dict[str, Any]]]" = weakref.WeakKeyDictionary()


def torch_module(model: Any) -> Any:
    """The ``torch.nn.Module`` behind an nnsight wrapper or a compiled module (or the model itself)."""
    inner = getattr(model, "_orig_mod" if _is_module(model) else "_module", None)
    return torch_module(inner) if _is_module(inner) else model


def _is_module(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.nn.Module)


def hf_config(config: Any) -> dict[str, Any]:
    """The fields of a Hugging Face ``config`` that say which architecture and size."""
    summary: dict[str, Any] = {}
    architectures = getattr(config, "architectures", None)
    if architectures:
        summary["architecture"] = str(architectures[0])
    for field in _HF_CONFIG_FIELDS:
        try:
            value = getattr(config, field, None)
        except Exception:  # noqa: BLE001 - a config's properties are its own business
            continue
        if isinstance(value, (bool, int, float, str)):
            summary[field] = value
    return summary


def _hf_config_of(module: Any) -> Any:
    """The Hugging Face config of ``module``, or of the model a TransformerBridge wraps."""
    for owner in (module, getattr(module, "original_model", None)):
        config = getattr(owner, "config", None)
        if config is not None and hasattr(config, "name_or_path"):
            return config
    return None


def model_name(model: Any) -> str:
    """The name or path ``model`` was loaded from, else its class name; reads no weights."""
    module = torch_module(model)
    return _name(model, module, _hf_config_of(module)) or type(module).__name__


def _name(model: Any, module: Any, config: Any) -> Optional[str]:
    return _first_str(
        getattr(model, "repo_id", None),
        getattr(config, "name_or_path", None),
        getattr(getattr(module, "cfg", None), "model_name", None),
    )


def identify(model: Any) -> dict[str, Any]:
    """What identifies ``model``: ``class``, ``name``, ``revision``, ``dtype``, ``device``, ``parameters``, ``fingerprint``."""
    module = torch_module(model)
    config = _hf_config_of(module)
    name = _name(model, module, config)
    revision = _first_str(getattr(model, "revision", None), getattr(config, "_commit_hash", None))
    identity: dict[str, Any] = {"class": type(module).__name__}
    if name:
        identity["name"] = name
        if os.path.isdir(name):
            identity["local"] = True
    if revision:
        identity["revision"] = revision
    if config is not None:
        identity["config"] = hf_config(config)
    if _is_module(module):
        identity.update(_weights(module))
    return identity


def _first_str(*values: Any) -> Optional[str]:
    return next((value for value in values if isinstance(value, str) and value), None)


def _weights(module: Any) -> dict[str, Any]:
    """dtype, device, parameter count and fingerprint, cached per module until it moves."""
    first = next(module.parameters(), None)
    if first is None:
        return {"parameters": 0}
    key = (str(first.device), str(first.dtype), first.data_ptr() if first.device.type != "meta" else 0)
    cached = _cache.get(module)
    if cached is not None and cached[0] == key:
        return cached[1]
    weights = _measure(module)
    if not str(weights.get("fingerprint", "")).startswith("pending"):
        _cache[module] = (key, weights)
    return weights


def _measure(module: Any) -> dict[str, Any]:
    torch = sys.modules["torch"]
    digest = hashlib.sha256()
    samples: dict[tuple[Any, Any], list[Any]] = {}
    dtypes: dict[str, int] = {}
    devices: dict[str, int] = {}
    count = 0
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            numel = parameter.numel()
            count += numel
            dtypes[str(parameter.dtype)] = 1
            devices[str(parameter.device)] = 1
            digest.update(f"{name}:{tuple(parameter.shape)}:{parameter.dtype};".encode())
            if numel and parameter.device.type != "meta" and not parameter.is_complex():
                samples.setdefault((parameter.device, parameter.dtype), []).append(_sample(parameter, numel))
    weights: dict[str, Any] = {
        "dtype": _one_or_all([name.removeprefix("torch.") for name in dtypes]),
        "device": _one_or_all(list(devices)),
        "parameters": count,
    }
    busy = sorted({str(device) for device, _ in samples if not device_idle(device)})
    if busy:
        weights["fingerprint"] = f"pending (busy: {', '.join(busy)})"
        return weights
    with torch.no_grad():
        for group in sorted(samples, key=str):
            values = torch.cat(samples[group]).to(torch.float64)
            digest.update(values.cpu().numpy().tobytes())
    weights["fingerprint"] = ("weights:" if samples else "shapes:") + digest.hexdigest()[:16]
    return weights


def _sample(parameter: Any, numel: int) -> Any:
    """``FINGERPRINT_VALUES`` values spread over ``parameter``: a view, in one call when contiguous."""
    if parameter.is_contiguous():
        size = min(FINGERPRINT_VALUES, numel)
        return parameter.as_strided((size,), (numel // size,))
    return strided_sample(parameter, FINGERPRINT_VALUES).reshape(-1)[:FINGERPRINT_VALUES]


def _one_or_all(names: list[str]) -> Any:
    return names[0] if len(names) == 1 else names
