"""What a cell did with torch and TransformerLens.

Three sources, all in layers TransformerLens 3 (``HookedTransformer``) and 4
(``TransformerBridge``) share:

* global ``nn.Module`` forward hooks, on only while a cell runs: which modules
  were called at the top level, by class, and the config of any model that
  has a TransformerLens ``cfg``;
* ``HookPoint.add_hook``: which hook functions the user attached, to which hook
  points, and how often they ran (ablations, patches, probes);
* ``ActivationCache``: the keys of every cache built (``run_with_cache``).
"""

from __future__ import annotations

import functools
import sys
from collections import Counter
from typing import Any, Callable

from .summaries import model_config

_INTERNAL_MODULE_PREFIXES = ("transformer_lens", "torch")
#: Where TransformerLens 3 and 4 define run_with_hooks / run_with_cache.
_MODEL_CLASSES = (
    ("transformer_lens.hook_points", "HookedRootModule"),
    ("transformer_lens.HookedRootModule", "HookedRootModule"),
    ("transformer_lens.model_bridge.bridge_core", "BridgeCore"),
)


def _defined_in(module_name: str, name: str) -> Any:
    """``module.name`` if the loaded module defines it, without triggering a module ``__getattr__``."""
    module = sys.modules.get(module_name)
    return vars(module).get(name) if module is not None else None


def hook_function_name(hook: Any) -> str:
    """A readable name for a hook function: ``ablate_head(head=3)`` for partials."""
    if isinstance(hook, functools.partial):
        inner = hook_function_name(hook.func)
        keywords = ", ".join(f"{k}={v!r}"[:40] for k, v in hook.keywords.items())
        return f"{inner}({keywords})" if keywords else inner
    name = getattr(hook, "__qualname__", None) or getattr(hook, "__name__", None)
    return name or type(hook).__name__


def _is_internal(hook: Any) -> bool:
    while isinstance(hook, functools.partial):
        hook = hook.func
    module = getattr(hook, "__module__", "") or ""
    return module.startswith(_INTERNAL_MODULE_PREFIXES)


class TorchActivity:
    """Collects torch and TransformerLens activity for the cell that is running."""

    def __init__(self) -> None:
        self.active = False
        self.module_calls: Counter[str] = Counter()
        self.models: dict[int, dict[str, Any]] = {}
        self.hooks: dict[tuple[str, str, str], int] = {}
        self.cache_keys: list[list[str]] = []
        self.caches = 0
        self._top_models: dict[int, Any] = {}
        self._caching = False
        self._depth = 0
        self._handles: list[Any] = []
        self._patched: list[tuple[type, str, Callable]] = []

    # -- lifecycle --------------------------------------------------------

    def patch_libraries(self) -> None:
        """Wrap ``HookPoint.add_hook`` and ``ActivationCache.__init__`` once, if loaded."""
        hook_point = _defined_in("transformer_lens.hook_points", "HookPoint")
        if isinstance(hook_point, type):
            self._wrap(hook_point, "add_hook", self._wrap_add_hook)
        cache = _defined_in("transformer_lens.ActivationCache", "ActivationCache")
        if isinstance(cache, type):
            self._wrap(cache, "__init__", self._wrap_cache_init)
        for module_name, class_name in _MODEL_CLASSES:
            cls = _defined_in(module_name, class_name)
            if isinstance(cls, type):
                for method in ("run_with_hooks", "run_with_cache"):
                    self._wrap(cls, method, self._wrap_model_method)

    def _wrap(self, cls: type, name: str, make: Callable[[Callable], Callable]) -> None:
        if any(patched_cls is cls and patched_name == name for patched_cls, patched_name, _ in self._patched):
            return
        original = cls.__dict__.get(name)
        if original is None or getattr(original, "__logbook_wrapped__", False):
            return
        wrapper = make(original)
        functools.update_wrapper(wrapper, original)
        wrapper.__logbook_wrapped__ = True  # type: ignore[attr-defined]
        setattr(cls, name, wrapper)
        self._patched.append((cls, name, original))

    def unpatch_libraries(self) -> None:
        for cls, name, original in reversed(self._patched):
            setattr(cls, name, original)
        self._patched.clear()

    def start(self) -> None:
        """Begin collecting for a new cell."""
        self.patch_libraries()
        self.module_calls = Counter()
        self.models = {}
        self.hooks = {}
        self.cache_keys = []
        self.caches = 0
        self._top_models = {}
        self._depth = 0
        self.active = True
        torch = sys.modules.get("torch")
        if torch is not None and not self._handles:
            module_hooks = torch.nn.modules.module
            self._handles = [
                module_hooks.register_module_forward_pre_hook(self._before_forward),
                module_hooks.register_module_forward_hook(self._after_forward, always_call=True),
            ]

    def stop(self) -> dict[str, Any]:
        """Stop collecting; return what the cell did (empty if it used no torch)."""
        self.active = False
        for handle in self._handles:
            handle.remove()
        self._handles = []
        activity: dict[str, Any] = {}
        if self.module_calls:
            activity["module_calls"] = dict(self.module_calls)
        if self.models:
            activity["models"] = list(self.models.values())
        if self.hooks:
            aliases = self._aliases({point for point, _, _ in self.hooks})
            activity["hooks"] = [
                {
                    "hook_point": point,
                    "function": function,
                    "direction": direction,
                    "calls": calls,
                    **({"aliases": aliases[point]} if aliases.get(point) else {}),
                }
                for (point, function, direction), calls in self.hooks.items()
            ]
        if self.cache_keys:
            activity["cache_keys"] = self.cache_keys
            activity["caches"] = self.caches
        self._top_models = {}
        return activity

    def _aliases(self, points: set[str]) -> dict[str, list[str]]:
        """Other names the models' ``hook_dict`` gives these hook points (TransformerBridge's legacy names)."""
        aliases: dict[str, list[str]] = {}
        for model in self._top_models.values():
            try:
                for name, hook_point in getattr(model, "hook_dict", {}).items():
                    canonical = getattr(hook_point, "name", None)
                    if canonical in points and name != canonical:
                        aliases.setdefault(canonical, []).append(name)
            except Exception:  # noqa: BLE001 - a model's hook_dict is its own business
                continue
        return aliases

    # -- collectors -------------------------------------------------------

    def _before_forward(self, module: Any, args: Any) -> None:
        if self._depth == 0:
            self.module_calls[type(module).__name__] += 1
            if not self._top_models and getattr(module, "cfg", None) is not None:
                self._note_model(module)
        self._depth += 1

    def _after_forward(self, module: Any, args: Any, output: Any) -> None:
        self._depth = max(0, self._depth - 1)

    def _wrap_add_hook(self, original: Callable) -> Callable:
        activity = self

        def add_hook(hook_point: Any, hook: Any, dir: str = "fwd", *args: Any, **kwargs: Any) -> Any:
            if activity.active and not activity._caching and not _is_internal(hook):
                key = (str(hook_point.name), hook_function_name(hook), dir)
                activity.hooks.setdefault(key, 0)
                user_hook = hook

                def counted(*hook_args: Any, **hook_kwargs: Any) -> Any:
                    activity.hooks[key] = activity.hooks.get(key, 0) + 1
                    return user_hook(*hook_args, **hook_kwargs)

                hook = functools.wraps(user_hook)(counted) if callable(user_hook) else user_hook
            return original(hook_point, hook, dir, *args, **kwargs)

        return add_hook

    def _note_model(self, model: Any) -> None:
        if id(model) not in self.models and getattr(model, "cfg", None) is not None:
            self.models[id(model)] = {"class": type(model).__name__, **model_config(model)}
        self._top_models[id(model)] = model

    def _wrap_model_method(self, original: Callable) -> Callable:
        activity = self

        caching = original.__name__ == "run_with_cache"

        def run_with(model: Any, *args: Any, **kwargs: Any) -> Any:
            if not activity.active:
                return original(model, *args, **kwargs)
            activity._note_model(model)
            if not caching:
                return original(model, *args, **kwargs)
            # run_with_cache attaches its own saving hooks: let those through untouched.
            outer, activity._caching = activity._caching, True
            try:
                return original(model, *args, **kwargs)
            finally:
                activity._caching = outer

        return run_with

    def _wrap_cache_init(self, original: Callable) -> Callable:
        activity = self

        def __init__(cache: Any, cache_dict: Any, *args: Any, **kwargs: Any) -> None:
            original(cache, cache_dict, *args, **kwargs)
            if activity.active:
                try:
                    activity.caches += 1
                    keys = [str(key) for key in cache_dict]
                    if keys not in activity.cache_keys and len(activity.cache_keys) < 5:
                        activity.cache_keys.append(keys)
                except Exception:  # noqa: BLE001 - never break the user's cache
                    pass

        return __init__
