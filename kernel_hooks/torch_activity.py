"""What a cell did with torch, TransformerLens and nnsight.

Sources, none of which puts a hook on every submodule (a forward pass through
a model with thousands of modules costs the same with and without Logbook):

* a forward pre-hook on each ``nn.Module`` the notebook's namespace holds when
  a cell starts (the roots: ``model``, ``probe``, an nnsight wrapper's module):
  which of them were called at the top level, by class, and which models ran;
* ``HookPoint.add_hook`` (TransformerLens 3 and 4): which hook functions the user
  attached, where, how often they ran, and whether they read, edited in place
  or replaced the activation (ablations, patches, probes);
* ``ActivationCache``: the keys of every cache built (``run_with_cache``),
  available but not yet read, and the activations a cell reads from a cache
  (``cache['pattern', 0]``, ``stack_activation``, ``accumulated_resid``... all
  index it; iterating ``items()`` or ``values()`` reads what it yields),
  attributed to the model that built the cache (``cache_reads``);
* nnsight's tracers, when the notebook has imported nnsight (``nnsight_activity``).

TransformerLens models are counted by their own entry points instead
(``forward``, ``run_with_cache``, ``run_with_hooks``: one Python call per pass),
so they are seen even when made and run in the same cell; any other module
created and called in one cell is seen from the next cell on. Every model that
ran is identified (``model_identity``) and named by the notebook variable
that holds it, so a coverage map can follow it across retrains.
"""

from __future__ import annotations

import collections.abc
import functools
import itertools
import re
import sys
import weakref
from collections import Counter
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Callable, Optional

from kernel_hooks.guard import quietly
from kernel_hooks.hooks_left import Attached, HooksLeft, running_with
from kernel_hooks.model_identity import identify, torch_module
from kernel_hooks.patches import Patches
from kernel_hooks.summaries import model_config

_INTERNAL_MODULE_PREFIXES = ("transformer_lens", "torch")
#: Where TransformerLens 3 and 4 define run_with_hooks / run_with_cache.
_MODEL_CLASSES = (
    ("transformer_lens.hook_points", "HookedRootModule"),
    ("transformer_lens.HookedRootModule", "HookedRootModule"),
    ("transformer_lens.model_bridge.bridge_core", "BridgeCore"),
)
#: TransformerLens models whose forward is wrapped, so a model made and run in one cell is seen too.
_FORWARD_CLASSES = (
    ("transformer_lens.HookedTransformer", "HookedTransformer"),
    ("transformer_lens.model_bridge.transformer_bridge", "TransformerBridge"),
)
#: Bounds on what one cell records, so a 48-layer model's activity stays a few KB.
MAX_HOOKS = 200
MAX_MODELS = 8
MAX_CACHES = 5
#: Caches whose reads one cell records (names read beyond CACHE_KEYS_IN_FULL are folded into patterns),
#: and passes over a cache's items or values it follows.
MAX_READ_CACHES = 8
MAX_ITERATIONS = 64
#: Caches with more keys than this are recorded as name patterns (``blocks.{0-47}.attn.hook_z``).
CACHE_KEYS_IN_FULL = 256
_LAYER = re.compile(r"(?:^|\.)(?:blocks|layers|h|layer)\.(\d+)(?:\.|$)")
_NUMBER = re.compile(r"(?<![^.])\d+(?![^.])")


def _defined_in(module_name: str, name: str) -> Any:
    """``module.name`` if the loaded module defines it, without triggering a module ``__getattr__``."""
    module = sys.modules.get(module_name)
    return vars(module).get(name) if module is not None else None


_SCALARS = (bool, int, float, str, type(None))


def _argument_text(value: Any) -> str:
    """A bound argument as a hook's name shows it: scalars (and short lists of them) by value, the rest by type."""
    if isinstance(value, _SCALARS):
        return repr(value)[:40]
    if isinstance(value, (list, tuple)) and len(value) <= 8 and all(isinstance(v, _SCALARS) for v in value):
        return repr(value)[:40]
    return type(value).__name__


def hook_function_name(hook: Any) -> str:
    """A readable name for a hook function: ``patch_head(head=3, clean=ActivationCache)`` for partials."""
    if isinstance(hook, functools.partial):
        inner = hook_function_name(hook.func)
        keywords = ", ".join(f"{k}={_argument_text(v)}" for k, v in hook.keywords.items())
        return f"{inner}({keywords})" if keywords else inner
    name = getattr(hook, "__qualname__", None) or getattr(hook, "__name__", None)
    return name or type(hook).__name__


def hook_heads(hook: Any) -> list[int]:
    """The heads a hook function names in its bound keywords (``head=3``, ``heads=[0, 2]``)."""
    heads: list[int] = []
    while isinstance(hook, functools.partial):
        for name, value in hook.keywords.items():
            if "head" not in name:
                continue
            values = value if isinstance(value, (list, tuple, set, range)) else [value]
            heads.extend(v for v in values if isinstance(v, int) and not isinstance(v, bool))
        hook = hook.func
    return sorted(set(heads))


def collapse_keys(keys: list[str]) -> list[str]:
    """Key names with their numeric parts folded: ``blocks.{0-47}.attn.hook_z``, in first-seen order."""
    numbers: dict[str, list[set[int]]] = {}
    for key in keys:
        pattern = _NUMBER.sub("{}", key)
        found = [int(n) for n in _NUMBER.findall(key)]
        seen = numbers.setdefault(pattern, [set() for _ in found])
        for slot, number in zip(seen, found):
            slot.add(number)
    return [pattern.format(*(_span(slot) for slot in slots)) for pattern, slots in numbers.items()]


def _span(values: set[int]) -> str:
    ordered = sorted(values)
    if len(ordered) == 1:
        return str(ordered[0])
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{{{ordered[0]}-{ordered[-1]}}}"
    return "{" + ",".join(map(str, ordered)) + "}"


def _is_internal(hook: Any) -> bool:
    while isinstance(hook, functools.partial):
        hook = hook.func
    module = getattr(hook, "__module__", "") or ""
    return module.startswith(_INTERNAL_MODULE_PREFIXES)


def _user_namespace() -> dict[str, Any]:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "user_ns", None) or {}


@dataclass
class HookUse:
    """How one user hook function at one hook point was used in a cell."""

    heads: list[int] = field(default_factory=list)
    calls: int = 0
    edited: bool = False
    replaced: bool = False

    @property
    def effect(self) -> str:
        if self.replaced:
            return "replaced"
        if self.edited:
            return "edited in place"
        return "read" if self.calls else "not run"


class RootHook:
    """The forward pre-hook on a root model: counts its top-level calls, nothing else.

    One object shared by every root. Under ``torch.compile`` it does nothing
    (dynamo folds the check away). A model deep-copied keeps it; a model
    pickled (``torch.save(model)``) carries a harmless stand-in instead, so
    loading it never needs this package.
    """

    def __init__(self, activity: "TorchActivity") -> None:
        self._activity = weakref.ref(activity)
        torch = sys.modules["torch"]
        self._compiling = torch.compiler.is_compiling
        self._call_impl = torch.nn.Module._call_impl.__code__

    def __call__(self, module: Any, args: Any) -> None:
        if self._compiling():
            return None
        activity = self._activity()
        if activity is None or not activity.active:
            return None
        frame: Optional[FrameType] = sys._getframe(1)
        calls = 0
        while frame is not None:
            if frame.f_code is self._call_impl:
                calls += 1
                if calls > 1:
                    return None  # called from inside another module: not a top-level call
            frame = frame.f_back
        quietly(activity.root_called, module)
        return None

    def __deepcopy__(self, memo: dict) -> "RootHook":
        return self

    def __reduce__(self) -> tuple:
        # dict.get({}, module, args) returns args: a pre-hook that changes nothing.
        return (functools.partial, (dict.get, {}))


class TorchActivity:
    """Collects torch, TransformerLens and nnsight activity for the cell that is running."""

    def __init__(self) -> None:
        self.active = False
        self.module_calls: Counter[str] = Counter()
        self.hooks: dict[tuple[str, str, str], HookUse] = {}
        self.hooks_omitted = 0
        self.cache_keys: list[list[str]] = []
        self.caches = 0
        #: Per ActivationCache read in this cell: the keys it was indexed with, as given.
        self.cache_reads: dict[Any, set[Any]] = {}
        #: Iterators over caches' items or values handed out in this cell.
        self._iterations: list[tuple[Any, Any, Any, bool]] = []
        self.nnsight: Any = None
        self._models: dict[int, Any] = {}
        self._noted: dict[int, Any] = {}
        self._caching = False
        self._entered = False
        self._root_names: dict[int, str] = {}
        self._kinds: dict[Any, dict[type, int]] = {}
        self._patches = Patches()
        self._roots: "weakref.WeakSet[Any]" = weakref.WeakSet()
        self._root_hook: Optional[RootHook] = None
        self.left = HooksLeft()
        self._carried: dict[int, tuple[Attached, Any]] = {}
        self._namespace: dict[str, Any] = {}
        self._variables: dict[int, str] = {}

    # -- lifecycle --------------------------------------------------------

    def patch_libraries(self) -> None:
        """Wrap TransformerLens's hook, cache and run methods once, if it is loaded."""
        hook_point = _defined_in("transformer_lens.hook_points", "HookPoint")
        if isinstance(hook_point, type):
            self._patches.wrap(hook_point, "add_hook", self._wrap_add_hook)
        cache = _defined_in("transformer_lens.ActivationCache", "ActivationCache")
        if isinstance(cache, type):
            self._patches.wrap(cache, "__init__", self._wrap_cache_init)
            self._patches.wrap(cache, "__getitem__", self._wrap_cache_getitem)
            self._patches.wrap(cache, "items", self._wrap_cache_view)
            self._patches.wrap(cache, "values", self._wrap_cache_view)
        for module_name, class_name in _MODEL_CLASSES:
            cls = _defined_in(module_name, class_name)
            if isinstance(cls, type):
                for method in ("run_with_hooks", "run_with_cache"):
                    self._patches.wrap(cls, method, self._wrap_model_method)
        for module_name, class_name in _FORWARD_CLASSES:
            cls = _defined_in(module_name, class_name)
            if isinstance(cls, type):
                self._patches.wrap(cls, "forward", self._wrap_forward)
        jit = sys.modules.get("torch.jit")
        if jit is not None:
            self._patches.wrap(jit, "script", self._wrap_script)
        if "nnsight" in sys.modules:
            if self.nnsight is None:
                from kernel_hooks.nnsight_activity import NNsightActivity

                self.nnsight = NNsightActivity(self.note_model)
            self.nnsight.patch()

    def unpatch_libraries(self) -> None:
        """Undo ``patch_libraries`` and take the root hooks off every model: the exact mirror."""
        self._patches.restore()
        if self.nnsight is not None:
            self.nnsight.unpatch()
        for module in list(self._roots):
            hooks = module._forward_pre_hooks
            for key in [key for key, hook in hooks.items() if hook is self._root_hook]:
                del hooks[key]
        self._roots = weakref.WeakSet()

    def start(self, namespace: Optional[dict[str, Any]] = None) -> None:
        """Begin collecting for a new cell (``namespace``: the notebook's, by default)."""
        self.patch_libraries()
        self.module_calls = Counter()
        self.hooks = {}
        self.hooks_omitted = 0
        self.cache_keys = []
        self.caches = 0
        self.cache_reads = {}
        self._iterations = []
        self._models = {}
        self._noted = {}
        self._carried = {}
        self._entered = self._caching = False
        self._root_names = {}
        self._namespace = _user_namespace() if namespace is None else namespace
        self._hook_roots(self._namespace)
        if self.nnsight is not None:
            self.nnsight.start()
        self.active = True

    def stop(self) -> dict[str, Any]:
        """Stop collecting; return what the cell did (empty if it used no torch)."""
        self.active = False
        activity: dict[str, Any] = {}
        if self.nnsight is not None:
            traces = self.nnsight.stop()
            if traces:
                activity["nnsight"] = traces
        if self.module_calls:
            activity["module_calls"] = dict(self.module_calls)
        if self._models:
            activity["models"] = [self._describe(model) for model in self._models.values()]
        if self.hooks:
            activity.update(self._hook_activity())
        if self.cache_keys:
            activity["cache_keys"] = self.cache_keys
            activity["caches"] = self.caches
        if self._iterations:
            self._note_iterated()
        if self.cache_reads:
            try:
                reads = self._cache_reads()
            except Exception:  # noqa: BLE001 - the rest of the activity is recorded regardless
                reads = []
            if reads:
                activity["cache_reads"] = reads
        try:
            roots = [torch_module(m) for m in self._models.values()] + list(self._roots)
            left = self.left.cell_ended(roots)
            running = [
                running_with(attached, self._variable(owner)) for attached, owner in self._carried.values()
            ]
        except Exception:  # noqa: BLE001 - the rest of the activity is recorded regardless
            left, running = [], []
        if left:
            activity["hooks_left"] = left
        if running:
            activity["running_with"] = running
        self._models, self._noted, self._carried, self.cache_reads = {}, {}, {}, {}
        self._namespace = {}
        return activity

    # -- models -----------------------------------------------------------

    def _hook_roots(self, namespace: dict[str, Any]) -> None:
        torch = sys.modules.get("torch")
        if torch is None:
            return
        if self._root_hook is None:
            self._root_hook = RootHook(self)
        module_type = torch.nn.Module
        envoy_type = _defined_in("nnsight.intervention.envoy", "Envoy")
        kinds = self._kinds.setdefault(envoy_type, {})  # per type: 0 other, 1 module, 2 nnsight wrapper
        for value in list(namespace.values()):
            kind = kinds.get(type(value))
            if kind is None:
                kind = kinds[type(value)] = (
                    1
                    if isinstance(value, module_type)
                    else 2
                    if envoy_type and isinstance(value, envoy_type)
                    else 0
                )
            if not kind:
                continue
            if kind == 2:
                value = getattr(value, "_module", None)
                if not isinstance(value, module_type):
                    continue
            if value in self._roots:
                continue
            if not any(hook is self._root_hook for hook in value._forward_pre_hooks.values()):
                value.register_forward_pre_hook(self._root_hook)
            self._roots.add(value)

    def _wrap_script(self, original: Callable) -> Callable:
        """``torch.jit.script`` compiles every hook on a module: it gets the module without ours."""
        activity = self

        def script(obj: Any, *args: Any, **kwargs: Any) -> Any:
            detached = activity._detach(obj)
            try:
                return original(obj, *args, **kwargs)
            finally:
                for module in detached:
                    module.register_forward_pre_hook(activity._root_hook)

        return script

    def _detach(self, obj: Any) -> list[Any]:
        torch = sys.modules["torch"]
        if self._root_hook is None or not isinstance(obj, torch.nn.Module):
            return []
        detached = []
        for module in obj.modules():
            hooks = module._forward_pre_hooks
            keys = [key for key, hook in hooks.items() if hook is self._root_hook]
            for key in keys:
                del hooks[key]
            if keys:
                detached.append(module)
        return detached

    def root_called(self, module: Any) -> None:
        """A root model was called at the top level (from ``RootHook``): count it by class."""
        if self._entered:
            return  # inside a TransformerLens entry point, which counts the call itself
        name = self._root_names.get(id(module))
        if name is None:
            name = self._root_names[id(module)] = self._root_name(module)
        if name:
            self.module_calls[name] += 1

    def _root_name(self, module: Any) -> str:
        """What a root's calls are counted as (once per cell); empty for models that count themselves."""
        if getattr(type(module).forward, "__logbook_wrapped__", False):
            return ""
        inner = torch_module(module)
        self.note_model(inner)
        name = type(inner).__name__
        return name if inner is module else f"{name} (compiled)"

    def note_model(self, model: Any) -> None:
        """Remember that ``model`` ran in this cell, to identify it when the cell ends.

        One entry per torch module: a wrapper (an nnsight model) replaces the bare
        module it wraps, since it knows more (the repository and revision).
        """
        if self._noted.get(id(model)) is model:
            return  # seen this cell: every later forward pass costs one lookup
        self._noted[id(model)] = model
        module = torch_module(model)
        for attached in self.left.carried(module):
            self._carried.setdefault(id(attached), (attached, model))
        known = self._models.get(id(module))
        if known is None and len(self._models) >= MAX_MODELS:
            return
        if known is None or (known is module and model is not module):
            self._models[id(module)] = model

    def _describe(self, model: Any) -> dict[str, Any]:
        description: dict[str, Any] = {"class": type(model).__name__, **model_config(model)}
        try:
            description["identity"] = identify(model)
        except Exception as error:  # noqa: BLE001 - a model that cannot be identified still ran
            description["identity"] = {"error": f"{type(error).__name__}: {error}"[:200]}
        try:
            architecture = _architecture(model, description["identity"])
            if architecture:
                description["architecture"] = architecture
            variable = self._variable(model)
            if variable:
                description["variable"] = variable
        except Exception:  # noqa: BLE001 - a model without a name is still described
            pass
        return description

    def _variable(self, model: Any) -> Optional[str]:
        """The notebook name that holds ``model`` (or the module it wraps) when the cell ends, if any.

        Remembered per model, so a later cell checks one name instead of the namespace.
        """
        namespace = self._namespace
        candidates = {id(model), id(torch_module(model))}
        known = self._variables.get(id(model))
        if known is not None and id(namespace.get(known)) in candidates:
            return known
        for name, value in list(namespace.items()):
            if id(value) in candidates and not name.startswith("_"):
                if len(self._variables) > 1000:
                    self._variables.clear()
                self._variables[id(model)] = name
                return name
        return None

    # -- TransformerLens --------------------------------------------------

    def _hook_activity(self) -> dict[str, Any]:
        aliases = self._aliases({point for point, _, _ in self.hooks})
        hooks: list[dict[str, Any]] = []
        touched: dict[int, Optional[set[int]]] = {}
        for (point, function_name, direction), use in self.hooks.items():
            entry: dict[str, Any] = {
                "hook_point": point,
                "function": function_name,
                "direction": direction,
                "calls": use.calls,
                "effect": use.effect,
            }
            found = _LAYER.search(point)
            if found:
                entry["layer"] = layer = int(found.group(1))
                if use.edited or use.replaced:
                    heads = touched.get(layer, set())
                    touched[layer] = heads | set(use.heads) if heads is not None and use.heads else None
            if use.heads:
                entry["heads"] = use.heads
            if aliases.get(point):
                entry["aliases"] = aliases[point]
            hooks.append(entry)
        activity: dict[str, Any] = {"hooks": hooks}
        if touched:
            activity["touched"] = [
                {"layer": layer, **({"heads": sorted(heads)} if heads else {})}
                for layer, heads in sorted(touched.items())
            ]
        if self.hooks_omitted:
            activity["hooks_omitted"] = self.hooks_omitted
        return activity

    def _aliases(self, points: set[str]) -> dict[str, list[str]]:
        """Other names the models' ``hook_dict`` gives these hook points (TransformerBridge's legacy names)."""
        aliases: dict[str, list[str]] = {}
        for model in self._models.values():
            try:
                for name, hook_point in getattr(model, "hook_dict", {}).items():
                    canonical = getattr(hook_point, "name", None)
                    if canonical in points and name != canonical:
                        aliases.setdefault(canonical, []).append(name)
            except Exception:  # noqa: BLE001 - a model's hook_dict is its own business
                continue
        return aliases

    def _track(self, key: tuple[str, str, str], hook: Any) -> Optional[HookUse]:
        if key not in self.hooks:
            if len(self.hooks) >= MAX_HOOKS:
                self.hooks_omitted += 1
                return None
            self.hooks[key] = HookUse(heads=hook_heads(hook))
        return self.hooks[key]

    def _wrap_add_hook(self, original: Callable) -> Callable:
        activity = self

        def add_hook(hook_point: Any, hook: Any, dir: str = "fwd", *args: Any, **kwargs: Any) -> Any:
            if not (activity.active and not activity._caching and not _is_internal(hook) and callable(hook)):
                return original(hook_point, hook, dir, *args, **kwargs)
            try:
                name = hook_function_name(hook)
                use = activity._track((str(hook_point.name), name, dir), hook)
            except Exception:  # noqa: BLE001 - the hook is added whatever happens here
                name, use = "", None
            attached = hook if use is None else _counted(hook, use)
            returned = original(hook_point, attached, dir, *args, **kwargs)
            quietly(activity.left.added, hook_point, attached, name, dir, returned)
            return returned

        return add_hook

    def _wrap_model_method(self, original: Callable) -> Callable:
        activity = self
        caching = original.__name__ == "run_with_cache"

        def run_with(model: Any, *args: Any, **kwargs: Any) -> Any:
            if not activity.active:
                return original(model, *args, **kwargs)
            quietly(activity.note_model, model)
            if not activity._entered:
                activity.module_calls[type(model).__name__] += 1
            # The call is counted here once, whether or not the model then calls itself;
            # run_with_cache attaches its own saving hooks: let those through untouched.
            outer = activity._entered, activity._caching
            activity._entered, activity._caching = True, activity._caching or caching
            try:
                return original(model, *args, **kwargs)
            finally:
                activity._entered, activity._caching = outer

        return run_with

    def _wrap_forward(self, original: Callable) -> Callable:
        activity = self
        compiling = sys.modules["torch"].compiler.is_compiling

        def forward(model: Any, *args: Any, **kwargs: Any) -> Any:
            if compiling() or not activity.active or activity._entered:
                return original(model, *args, **kwargs)
            quietly(activity.note_model, model)
            activity.module_calls[type(model).__name__] += 1
            activity._entered = True
            try:
                return original(model, *args, **kwargs)
            finally:
                activity._entered = False

        return forward

    def _wrap_cache_init(self, original: Callable) -> Callable:
        activity = self

        def __init__(cache: Any, cache_dict: Any, *args: Any, **kwargs: Any) -> None:
            original(cache, cache_dict, *args, **kwargs)
            if activity.active:
                try:
                    activity.caches += 1
                    keys = [str(key) for key in cache_dict]
                    if len(keys) > CACHE_KEYS_IN_FULL:
                        keys = collapse_keys(keys)
                    if keys not in activity.cache_keys and len(activity.cache_keys) < MAX_CACHES:
                        activity.cache_keys.append(keys)
                except Exception:  # noqa: BLE001 - never break the user's cache
                    pass

        return __init__

    def _wrap_cache_getitem(self, original: Callable) -> Callable:
        """``cache[key]``: the key is remembered as given (a set add); it is resolved to a name when the cell ends."""
        activity = self

        def __getitem__(cache: Any, key: Any) -> Any:
            value = original(cache, key)
            if activity.active:
                try:
                    activity.cache_reads[cache].add(key)
                except KeyError:
                    activity._first_read(cache, key)
                except TypeError:  # an unhashable key, or a cache that cannot be a dict key
                    pass
            return value

        return __getitem__

    def _first_read(self, cache: Any, key: Any) -> None:
        if len(self.cache_reads) < MAX_READ_CACHES:
            self.cache_reads[cache] = {key}

    def iterating(self, cache: Any, view: Any, backwards: bool = False) -> Any:
        """The plain iterator over ``view`` (a cache's items or values), remembered to count what it yields."""
        iterator = reversed(view) if backwards else iter(view)
        if self.active and len(self._iterations) < MAX_ITERATIONS:
            mapping = getattr(view, "mapping", None)
            if mapping is not None:
                self._iterations.append((cache, mapping, iterator, backwards))
        return iterator

    def _note_iterated(self) -> None:
        """(Cell end) The keys each remembered iterator yielded: as far as its length hint says it went."""
        furthest: dict[tuple[int, bool], tuple[Any, Any, int]] = {}
        for cache, mapping, iterator, backwards in self._iterations:
            try:
                total, left = len(mapping), iterator.__length_hint__()
            except Exception:  # noqa: BLE001 - never break the user's cache
                continue
            # an exhausted iterator, or one whose dictionary changed size, hints 0: all was read
            yielded = total if left == 0 else max(0, total - left)
            key = (id(cache), backwards)  # one walk per cache and direction, as far as the furthest pass
            if yielded and yielded > furthest.get(key, (None, None, 0))[2]:
                furthest[key] = (cache, mapping, yielded)
        for (_, backwards), (cache, mapping, yielded) in furthest.items():
            try:
                keys = reversed(mapping) if backwards else iter(mapping)
                for key in itertools.islice(keys, yielded):
                    if cache in self.cache_reads:
                        self.cache_reads[cache].add(key)
                    else:
                        self._first_read(cache, key)
            except Exception:  # noqa: BLE001 - never break the user's cache
                continue
        self._iterations = []

    def _wrap_cache_view(self, original: Callable) -> Callable:
        """``cache.items()`` / ``cache.values()``: a view that notes each activation it yields as read."""
        activity = self
        view_type = _ReadItems if original.__name__ == "items" else _ReadValues

        def view(cache: Any) -> Any:
            plain = original(cache)
            if not activity.active:
                return plain
            try:
                return view_type(plain, cache, activity)
            except Exception:  # noqa: BLE001 - never break the user's cache
                return plain

        return view

    def _cache_reads(self) -> list[dict[str, Any]]:
        """What the cell read, per cache: the model that built it and the hook point names."""
        by_model: dict[int, tuple[Any, dict[str, None]]] = {}
        for cache, keys in self.cache_reads.items():
            model = getattr(cache, "model", None)
            names = _read_names(cache, keys)
            if names:
                by_model.setdefault(id(model), (model, {}))[1].update(dict.fromkeys(names))
        reads = []
        for model, found in by_model.values():
            names = sorted(found, key=_layer_order)
            if len(names) > CACHE_KEYS_IN_FULL:
                names = collapse_keys(names)
            record: dict[str, Any] = {"keys": names}
            if model is not None:
                record["model"] = self._describe(model)
            reads.append(record)
        return reads


class _ReadView:
    """``cache.items()`` or ``cache.values()`` as it was; iterating it gives the dictionary's own iterator.

    The iterator is handed to the activity, which counts at the end of the cell
    how far it went (its length hint): the keys it yielded are read. Nothing is
    added per item.
    """

    __slots__ = ("_view", "_cache", "_activity")

    def __init__(self, view: Any, cache: Any, activity: TorchActivity) -> None:
        self._view, self._cache, self._activity = view, cache, activity

    def __iter__(self) -> Any:
        return self._activity.iterating(self._cache, self._view)

    def __reversed__(self) -> Any:
        return self._activity.iterating(self._cache, self._view, backwards=True)

    def __len__(self) -> int:
        return len(self._view)

    def __contains__(self, item: Any) -> bool:
        return item in self._view

    def __repr__(self) -> str:
        return repr(self._view)

    def __eq__(self, other: Any) -> bool:
        return self._view == (other._view if isinstance(other, _ReadView) else other)

    __hash__ = None  # type: ignore[assignment]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._view, name)  # isdisjoint, mapping

    def __and__(self, other: Any) -> Any:
        return self._view & other

    def __or__(self, other: Any) -> Any:
        return self._view | other

    def __sub__(self, other: Any) -> Any:
        return self._view - other

    def __xor__(self, other: Any) -> Any:
        return self._view ^ other

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __rsub__(self, other: Any) -> Any:
        return other - self._view


class _ReadItems(_ReadView):
    """``cache.items()``, noting the keys it yields as read."""

    __slots__ = ()


class _ReadValues(_ReadView):
    """``cache.values()``, noting the keys of the activations it yields as read."""

    __slots__ = ()


collections.abc.ItemsView.register(_ReadItems)
collections.abc.ValuesView.register(_ReadValues)


def _read_names(cache: Any, keys: set[Any]) -> list[str]:
    """The hook point names ``keys`` (as the cell indexed the cache) stand for, as ``__getitem__`` resolves them."""
    stored = getattr(cache, "cache_dict", {})
    module = sys.modules.get(type(cache).__module__)
    utils = vars(module).get("utils") if module is not None else None
    get_act_name = getattr(utils, "get_act_name", None)
    names: dict[str, None] = {}
    for key in keys:
        try:
            if isinstance(key, str):
                name = key if key in stored or get_act_name is None else get_act_name(key)
            elif isinstance(key, tuple) and key and get_act_name is not None:
                if key in stored:
                    name = str(key)
                else:
                    if len(key) > 1 and isinstance(key[1], int) and key[1] < 0:
                        key = (key[0], cache.model.cfg.n_layers + key[1], *key[2:])
                    name = get_act_name(*key)
            else:
                continue
        except Exception:  # noqa: BLE001 - a key the cache accepted but we cannot name
            continue
        names[str(name)] = None
    return list(names)


def _layer_order(name: str) -> tuple[int, str]:
    found = _LAYER.search(name)
    return (int(found.group(1)) if found else -1, name)


def _architecture(model: Any, identity: dict[str, Any]) -> Optional[str]:
    """The architecture's name: the Hugging Face config's, else the TransformerLens config's, else none."""
    config = identity.get("config") if isinstance(identity, dict) else None
    if isinstance(config, dict) and config.get("architecture"):
        return str(config["architecture"])
    cfg = getattr(model, "cfg", None)
    for field_name in ("original_architecture", "architecture"):
        value = getattr(cfg, field_name, None)
        if isinstance(value, str) and value:
            return value
    return None


def _version(value: Any) -> Optional[int]:
    try:
        return value._version
    except Exception:  # noqa: BLE001 - not a tensor, or an inference tensor without a version
        return None


def _counted(hook: Callable, use: HookUse) -> Callable:
    """``hook``, counting its calls and noticing whether it edits or replaces the activation."""

    @functools.wraps(hook)
    def counted(*args: Any, **kwargs: Any) -> Any:
        use.calls += 1
        activation = args[0] if args else None
        before = _version(activation)
        result = hook(*args, **kwargs)
        if result is not None and result is not activation:
            use.replaced = True
        elif before is not None and _version(activation) != before:
            use.edited = True
        return result

    return counted
