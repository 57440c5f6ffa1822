"""Compact, JSON-safe summaries of the values a cell assigned.

A summary must be cheap to take and never raise: it is computed on the
user's time, for values of any type, some of them hostile.
"""

from __future__ import annotations

import math
import reprlib
import sys
import types
from typing import Any

#: Tensors and arrays with at most this many elements also get statistics.
STATS_MAX_ELEMENTS = 100_000
REPR_LIMIT = 200

_repr = reprlib.Repr()
_repr.maxstring = REPR_LIMIT
_repr.maxother = REPR_LIMIT
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 8


def _type_name(value: Any) -> str:
    cls = type(value)
    module = cls.__module__
    return cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"


def _number(value: float) -> float | str:
    value = float(value)
    return value if math.isfinite(value) else repr(value)


def summarize(value: Any) -> dict[str, Any]:
    """A small dict describing ``value``; falls back to type and a short repr."""
    try:
        return _summarize(value)
    except Exception as error:  # noqa: BLE001 - any object may misbehave
        return {"type": _safe_type(value), "error": f"{type(error).__name__} while summarizing"}


def _safe_type(value: Any) -> str:
    try:
        return _type_name(value)
    except Exception:  # noqa: BLE001
        return "?"


def _summarize(value: Any) -> dict[str, Any]:
    if value is None or isinstance(value, bool):
        return {"type": _type_name(value), "value": value}
    if isinstance(value, int):
        return {"type": "int", "value": value if abs(value) < 2**53 else repr(value)}
    if isinstance(value, float):
        return {"type": "float", "value": _number(value)}
    if isinstance(value, str):
        return {"type": "str", "len": len(value), "value": value[:REPR_LIMIT]}
    if isinstance(value, types.ModuleType):
        return {"type": "module", "name": value.__name__}
    torch = sys.modules.get("torch")
    if torch is not None:
        if isinstance(value, torch.Tensor):
            return _tensor(value, torch)
        if isinstance(value, torch.nn.Module):
            return _module(value)
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray):
        return _array(value, numpy)
    if numpy is not None and isinstance(value, numpy.generic):
        item = value.item()
        return {"type": _type_name(value), "value": _number(item) if isinstance(item, float) else repr(item)}
    if _type_name(value).endswith("ActivationCache"):
        keys = list(value.keys())
        return {"type": "ActivationCache", "keys": len(keys), "first_keys": keys[:8]}
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return {"type": _type_name(value), "len": len(value), "repr": _repr.repr(value)}
    if callable(value) and hasattr(value, "__qualname__"):
        return {"type": _type_name(value), "name": value.__qualname__}
    return {"type": _type_name(value), "repr": _repr.repr(value)}


def _tensor(value: Any, torch: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "type": "torch.Tensor",
        "shape": list(value.shape),
        "dtype": str(value.dtype).removeprefix("torch."),
        "device": str(value.device),
    }
    if value.requires_grad:
        summary["requires_grad"] = True
    from .tensor_stats import statistics  # the device-safe policy: which elements may be read

    summary.update(statistics(value, STATS_MAX_ELEMENTS))
    return summary


def _scalar(item: Any) -> Any:
    if isinstance(item, float):
        return _number(item)
    return item if isinstance(item, (bool, int)) else repr(item)


def _array(value: Any, numpy: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {"type": "numpy.ndarray", "shape": list(value.shape), "dtype": str(value.dtype)}
    if value.size == 1:
        summary["value"] = _scalar(value.reshape(-1)[0].item())
    elif 0 < value.size <= STATS_MAX_ELEMENTS and numpy.issubdtype(value.dtype, numpy.number):
        data = value.astype("float64", copy=False)
        nan_count = int(numpy.isnan(data).sum())
        summary["nan"] = nan_count
        if nan_count < value.size:
            summary.update(
                min=_number(numpy.nanmin(data)),
                max=_number(numpy.nanmax(data)),
                mean=_number(numpy.nanmean(data)),
                norm=_number(numpy.sqrt(numpy.nansum(data * data))),
            )
    return summary


def _module(value: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "type": _type_name(value),
        "parameters": sum(p.numel() for p in value.parameters()),
        "training": value.training,
    }
    config = model_config(value)
    if config:
        summary["config"] = config
    return summary


_CONFIG_FIELDS = (
    "model_name",
    "n_layers",
    "n_heads",
    "d_model",
    "d_head",
    "d_mlp",
    "d_vocab",
    "n_ctx",
    "attn_only",
    "act_fn",
    "positional_embedding_type",
    "normalization_type",
    "device",
    "dtype",
)


def model_config(model: Any) -> dict[str, Any]:
    """The interesting fields of a TransformerLens model's ``cfg``, if it has one."""
    cfg = getattr(model, "cfg", None)
    if cfg is None:
        return {}
    config: dict[str, Any] = {}
    for field in _CONFIG_FIELDS:
        value = getattr(cfg, field, None)
        if value is None:
            continue
        config[field] = value if isinstance(value, (bool, int, float, str)) else str(value)
    return config
