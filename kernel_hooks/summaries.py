"""Compact, JSON-safe summaries of the values a cell assigned.

A summary is taken on the user's time, for values of any type, some of them
hostile, so it must be cheap, bounded and never raise:

- It never calls code the user wrote. Values of types it does not know are
  summarized by their type name alone (``{"type": "Model", "repr": "<Model object>"}``):
  their ``__repr__``, ``__len__`` or ``__str__`` could take any time, and a
  call with a time limit could not stop one looping in C. Built-in
  containers are read through the built-in methods, so a subclass's
  overrides are not called either; numpy arrays and torch tensors are
  trusted.
- Every summary is small: text is cut to ``TEXT_LIMIT`` characters, at most
  ``MAX_ITEMS`` items of a container are shown, nested at most two deep, and
  statistics are taken only of numeric arrays of up to ``STATS_MAX_ELEMENTS``;
  arrays of up to ``VALUES_MAX`` elements also list their values.
"""

from __future__ import annotations

import itertools
import math
import sys
import types
from typing import Any, Collection

#: Tensors and arrays with at most this many elements also get statistics.
STATS_MAX_ELEMENTS = 100_000
#: Tensors and arrays with at most this many elements also list them (as ``values``): enough for a
#: layers-by-heads grid of scores up to 16 by 16, whose drift is then named head by head.
VALUES_MAX = 256
#: Characters kept of any text in a summary (a string's start, a repr, a dtype).
TEXT_LIMIT = 200
REPR_LIMIT = TEXT_LIMIT
#: Items shown of a list, tuple, set or dict.
MAX_ITEMS = 8
#: Integers wider than this are summarized by their width, not their digits.
MAX_INT_BITS = 600

_type_qualname = type.__dict__["__qualname__"].__get__
_type_module = type.__dict__["__module__"].__get__
_CONTAINERS = (dict, list, tuple, set, frozenset)
_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)


def _clip(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def type_name(cls: type) -> str:
    """``cls``'s name, read without calling anything its metaclass defines."""
    module, name = _type_module(cls), _type_qualname(cls)
    module = module if type(module) is str else "?"
    name = name if type(name) is str else "?"
    return _clip(name if module in ("builtins", "__main__") else f"{module}.{name}")


def _number(value: float) -> float | str:
    value = float(value)
    return value if math.isfinite(value) else repr(value)


def summarize(value: Any) -> dict[str, Any]:
    """A small dict describing ``value``; falls back to its type name."""
    try:
        return _summarize(value)
    except Exception as error:  # noqa: BLE001 - any object may misbehave
        return {"type": _safe_type(value), "error": f"{type(error).__name__} while summarizing"}


def _safe_type(value: Any) -> str:
    try:
        return type_name(type(value))
    except Exception:  # noqa: BLE001
        return "?"


def _summarize(value: Any) -> dict[str, Any]:
    cls = type(value)
    if cls is int:
        return _int(value)
    if cls is float:
        return {"type": "float", "value": _number(value)}
    if value is None or cls is bool:
        return {"type": cls.__name__, "value": value}
    if cls is complex:
        return {"type": "complex", "value": repr(value)}
    if cls is str:
        return {"type": "str", "len": len(value), "value": value[:TEXT_LIMIT]}
    numpy = sys.modules.get("numpy")
    if numpy is not None and issubclass(cls, numpy.ndarray):
        return _array(value, numpy)
    if numpy is not None and issubclass(cls, numpy.generic) and not issubclass(cls, (str, bytes)):
        return {"type": type_name(cls), **_element(value.dtype.kind, value.item())}
    torch = sys.modules.get("torch")
    if torch is not None and issubclass(cls, torch.Tensor):
        return _tensor(value, torch)
    if torch is not None and issubclass(cls, torch.nn.Module):
        return _module(value)
    name = type_name(cls)
    if issubclass(cls, str):
        return {
            "type": name,
            "len": str.__len__(value),
            "value": str.__getitem__(value, slice(0, TEXT_LIMIT)),
        }
    if issubclass(cls, bool):
        return {"type": name, "value": bool(int.__index__(value))}
    if issubclass(cls, int):
        return {**_int(int.__index__(value)), "type": name}
    if issubclass(cls, float):
        return {"type": name, "value": _number(float.__float__(value))}
    if issubclass(cls, (bytes, bytearray)):
        base = bytes if issubclass(cls, bytes) else bytearray
        return {
            "type": name,
            "len": base.__len__(value),
            "repr": _short(bytes(base.__getitem__(value, slice(0, 64)))),
        }
    if issubclass(cls, types.ModuleType):
        module_name = types.ModuleType.__getattribute__(value, "__name__")
        return {"type": "module", "name": _clip(module_name) if type(module_name) is str else "?"}
    if issubclass(cls, _CONTAINERS):
        container = next(base for base in _CONTAINERS if issubclass(cls, base))
        summary = {
            "type": name,
            "len": container.__len__(value),
            "repr": _clip(_short_container(value, container, 1)),
        }
        if cls is dict:
            items = _items(value)
            if items:
                summary["items"] = items
        return summary
    if name.startswith("transformer_lens.") and name.endswith(".ActivationCache"):
        keys = list(value.keys())
        return {
            "type": "ActivationCache",
            "keys": len(keys),
            "first_keys": [_clip(str(k)) for k in keys[:MAX_ITEMS]],
        }
    if issubclass(cls, _FUNCTIONS):
        function = value.__func__ if cls is types.MethodType else value
        if issubclass(cls, type):
            qualname = _type_qualname(value)
        elif type(function) in (types.FunctionType, types.BuiltinFunctionType):
            qualname = function.__qualname__
        else:
            qualname = "?"
        return {"type": name, "name": _clip(qualname if type(qualname) is str else "?")}
    return {"type": name, "repr": f"<{name} object>"}


def _items(value: dict) -> dict[str, Any]:
    """A small dict's numbers and small tensors, by their keys as indexing reads them (``"'clean'"``).

    Only a dict of at most ``MAX_ITEMS`` entries with str or int keys; other
    values are left to its ``repr``. These let drift name ``results['clean']``.
    """
    if dict.__len__(value) > MAX_ITEMS:
        return {}
    items = {}
    for key, item in dict.items(value):
        if type(key) not in (str, int):
            return {}
        kind = type(item)
        small = kind in (int, float, bool) or (
            hasattr(item, "shape")
            and _numel(item) <= VALUES_MAX
            and _type_module(kind).startswith(("torch", "numpy"))
        )
        if small:
            items[repr(key)] = _summarize(item)
    return items


def _numel(item: Any) -> int:
    try:
        return math.prod(int(n) for n in item.shape)
    except (TypeError, ValueError):
        return VALUES_MAX + 1


def _int(value: int) -> dict[str, Any]:
    if abs(value) < 2**53:
        return {"type": "int", "value": value}
    bits = value.bit_length()
    if bits > MAX_INT_BITS:
        return {"type": "int", "bits": bits, "repr": f"<int of {bits} bits>"}
    return {"type": "int", "value": repr(value)}


def _short(value: Any, depth: int = 0) -> str:
    """A short repr of ``value`` for the built-in types; ``<type>`` for anything else."""
    cls = type(value)
    if value is None or cls in (bool, float):
        return repr(value)
    if cls is int:
        return repr(value) if value.bit_length() <= 64 else f"<int of {value.bit_length()} bits>"
    if cls is str or cls is bytes:
        return repr(value[:40]) + ("…" if len(value) > 40 else "")
    if cls in _CONTAINERS:
        return _short_container(value, cls, depth + 1) if depth < 2 else f"<{cls.__name__} of {len(value)}>"
    return f"<{type_name(cls)}>"


def _short_container(value: Any, base: type[Collection[Any]], depth: int) -> str:
    if base is dict:
        items = [
            f"{_short(k, depth)}: {_short(v, depth)}"
            for k, v in itertools.islice(dict.items(value), MAX_ITEMS)
        ]
    else:  # the built-in __iter__, so a subclass's own is never called
        items = [_short(item, depth) for item in itertools.islice(base.__iter__(value), MAX_ITEMS)]
    if base.__len__(value) > MAX_ITEMS:
        items.append("...")
    body = _clip(", ".join(items))
    if base is dict:
        return "{" + body + "}"
    if base is list:
        return "[" + body + "]"
    if base is tuple:
        return "(" + body + ("," if len(items) == 1 else "") + ")"
    return base.__name__ + "({" + body + "})" if items else base.__name__ + "()"


def _element(kind: str, item: Any) -> dict[str, Any]:
    """The value of one numpy element of dtype kind ``kind``, bounded."""
    if kind in "biu":
        return {"value": _scalar(item)}
    if kind == "f":
        return {"value": _number(item)}
    if kind in "US" and isinstance(item, (str, bytes)):
        return {"len": len(item), "value": item[:TEXT_LIMIT] if kind == "U" else _short(item)}
    if kind in "cmM":
        return {"value": _clip(str(item))}
    return {}


def _tensor(value: Any, torch: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "type": "torch.Tensor",
        "shape": list(value.shape),
        "dtype": str(value.dtype).removeprefix("torch."),
        "device": str(value.device),
    }
    if value.requires_grad:
        summary["requires_grad"] = True
    from kernel_hooks.tensor_stats import statistics  # the device-safe policy: which elements may be read

    summary.update(statistics(value, STATS_MAX_ELEMENTS))
    numel = value.numel()
    if 1 < numel <= VALUES_MAX and value.device.type == "cpu" and "min" in summary and not value.is_complex():
        summary["values"] = [_number(x) for x in value.detach().reshape(-1).double().tolist()]
    return summary


def _scalar(item: Any) -> Any:
    if isinstance(item, float):
        return _number(item)
    if type(item) is int:
        return _int(item)["value"] if abs(item) < 2**53 else _clip(repr(item))
    return item if isinstance(item, bool) else _clip(repr(item))


def _array(value: Any, numpy: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "type": "numpy.ndarray",
        "shape": list(value.shape),
        "dtype": _clip(str(value.dtype)),
    }
    kind = value.dtype.kind
    if value.size == 1 and kind in "US":
        # Converting the element would copy all of it, however long: cut it first.
        first = value.reshape(-1)[:1]
        summary["value"] = _element(kind, first.astype(f"{kind}{TEXT_LIMIT}")[0].item())["value"]
    elif value.size == 1 and kind != "O":
        summary.update(_element(kind, value.reshape(-1)[0].item()))
    elif 0 < value.size <= STATS_MAX_ELEMENTS and kind in "biuf":
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
        if value.size <= VALUES_MAX:
            summary["values"] = [_number(x) for x in data.reshape(-1).tolist()]
    return summary


def _module(value: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "type": type_name(type(value)),
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
        config[field] = (
            _clip(value)
            if isinstance(value, str)
            else value
            if isinstance(value, (bool, int, float))
            else _clip(str(value))
        )
    return config
