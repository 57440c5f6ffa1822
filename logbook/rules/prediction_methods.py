"""What a prediction may call: the methods of the values it reads, a few library functions, and your checks.

A method is allowed by the type of the object it is called on, looked up
along that type's bases when the prediction is judged: ``scores.sort()``
is allowed on a tensor (it returns new tensors) and refused on a list (it
sorts the list in place). Each table names the methods that return a new
value and leave their object as it was::

    allowed_method(torch.tensor([1.0]), "max")   # a rule: allowed
    allowed_method([3, 1], "sort")                # None: refused

A number after a name (``sum:2``) is how many positional arguments the call
may take: numpy's methods and functions take an ``out`` array after them,
which they would write into. Modules are reached only through the functions
listed for them (``torch.ones(1, 12)``, ``np.linalg.norm(x)``, ``math.log(p)``).
Your own types' methods are added with :func:`allow_methods`, your own
functions with :func:`mark_checks`.
"""

from __future__ import annotations

import sys
import threading
import types
from typing import Any, Callable, Iterable, Optional

#: Methods common to numpy arrays and numpy scalars, with the positional arguments each may take before ``out``.
_NUMPY_METHODS = """all:1 any:1 argmax:1 argmin:1 argsort astype clip:2 conj:0 conjugate:0 copy cumprod:2
cumsum:2 diagonal dot:1 flatten item max:1 mean:2 min:1 nonzero:0 prod:2 ptp:1 ravel reshape round:1
searchsorted squeeze std:2 sum:2 swapaxes take:2 tobytes tolist:0 trace:4 transpose var:2 view"""

_TENSOR_METHODS = """abs absolute add all allclose amax amin aminmax any argmax argmin argsort bfloat16 bmm bool
byte ceil char chunk clamp clip clone contiguous cos count_nonzero cpu cuda cummax cummin cumprod cumsum
detach diag diagonal dim div divide dot double element_size eq equal exp flatten flip float floor frac
gather ge get_device greater greater_equal gt half index_select int is_complex is_contiguous
is_floating_point isclose isfinite isinf isnan item kthvalue le less less_equal log log10 log1p log2
log_softmax logical_and logical_not logical_or logical_xor logsumexp long lt masked_fill matmul max
maximum mean median min minimum mm mode msort mul multiply nan_to_num nanmean nanmedian nanquantile
nansum narrow ndimension ne neg negative nelement new_full new_ones new_tensor new_zeros nonzero norm not_equal numel numpy permute pow prod
quantile reciprocal relu reshape reshape_as roll round rsqrt select short sigmoid sign signbit sin size
softmax sort split sqrt square squeeze std stride sub subtract sum t tanh to tolist topk trace transpose
tril triu true_divide trunc type type_as unbind unique unique_consecutive unsqueeze var view view_as
where"""

_STR_METHODS = """capitalize casefold count encode endswith find index isalnum isalpha isascii isdecimal
isdigit isidentifier islower isnumeric isprintable isspace istitle isupper join lower lstrip partition
removeprefix removesuffix rfind rindex rpartition rsplit rstrip split splitlines startswith strip swapcase
title upper"""

_BYTES_METHODS = """count decode endswith find hex index isalnum isalpha isascii isdigit islower isspace
istitle isupper join lower lstrip partition removeprefix removesuffix rfind rindex rpartition rsplit rstrip
split splitlines startswith strip upper"""

_TOKENS = "to_str_tokens to_tokens to_string to_single_token"

#: Methods a prediction may call, by the type that defines them (``module.QualifiedName``).
_METHODS = {
    "torch.Tensor": _TENSOR_METHODS,
    "torch.Size": "count index numel",
    "numpy.ndarray": _NUMPY_METHODS,
    "numpy.generic": _NUMPY_METHODS + " as_integer_ratio is_integer",
    "builtins.str": _STR_METHODS,
    "builtins.bytes": _BYTES_METHODS,
    "builtins.list": "copy count index",
    "builtins.tuple": "count index",
    "builtins.dict": "copy get items keys values",
    "builtins.set": "copy difference intersection isdisjoint issubset issuperset symmetric_difference union",
    "builtins.frozenset": "copy difference intersection isdisjoint issubset issuperset symmetric_difference union",
    "builtins.int": "as_integer_ratio bit_count bit_length conjugate",
    "builtins.float": "as_integer_ratio conjugate hex is_integer",
    "builtins.complex": "conjugate",
    "builtins.range": "count index",
    "collections.deque": "copy count index",
    "collections.Counter": "elements most_common total",
    "transformer_lens.ActivationCache.ActivationCache": (
        "accumulated_resid apply_ln_to_stack decompose_resid items keys stack_activation values"
    ),
    "transformer_lens.model_bridge.transformer_bridge.TransformerBridge": _TOKENS,
    "transformer_lens.HookedTransformer.HookedTransformer": _TOKENS,
    "torch.nn.modules.module.Module": "get_parameter get_submodule",
}

#: Functions a prediction may call, by the module that holds them: the only modules it reaches.
_FUNCTIONS = {
    "torch": """abs all allclose amax amin any arange argmax argmin argsort as_tensor broadcast_shapes cat
        clamp clip concat concatenate corrcoef cosine_similarity count_nonzero cumsum diag diagonal dist dot
        equal exp eye flatten flip from_numpy full is_floating_point is_tensor isclose isfinite isin isinf
        isnan linspace log log_softmax logsumexp matmul max maximum mean median min minimum nanmean nansum
        norm numel ones permute prod quantile reshape round sigmoid sign softmax sort sqrt square squeeze
        stack std sum tanh tensor topk trace transpose tril triu unique unsqueeze var where zeros""",
    "numpy": """abs:1 absolute:1 all:2 allclose any:2 arange argmax:2 argmin:2 argsort argwhere array
        array_equal asarray ceil:1 clip:3 concatenate:2 corrcoef count_nonzero cov cumsum:3 diag diagonal
        dot:2 exp:1 eye flatnonzero floor:1 full hstack identity isclose isfinite:1 isin isinf:1 isnan:1
        linspace log:1 log10:1 log2:1 matmul:2 max:2 maximum:2 mean:3 median:2 min:2 minimum:2 nanmax:2
        nanmean:3 nanmin:2 nansum:3 ndim nonzero ones percentile:3 prod:3 ptp:2 quantile:3 round:2 shape
        sign:1 size sort sqrt:1 square:1 stack:2 std:3 sum:3 tanh:1 trace:5 transpose tril triu unique
        var:3 vstack where zeros""",
    "numpy.linalg": "norm",
    "torch.linalg": "norm vector_norm",
    "torch.nn.functional": """binary_cross_entropy binary_cross_entropy_with_logits cosine_similarity
        cross_entropy gelu kl_div l1_loss log_softmax mse_loss nll_loss normalize relu sigmoid softmax
        tanh""",
    "math": """atan atan2 ceil copysign cos degrees dist erf erfc exp expm1 fabs floor fsum gcd hypot
        isclose isfinite isinf isnan isqrt log log10 log1p log2 radians sin sqrt tan tanh trunc""",
}


#: On a type no table knows (your own classes, other libraries), the methods with these names: reads.
_READS = """all allclose any argmax argmin count count_nonzero dim equal get isclose item items keys max mean
median min norm numel prod quantile size std sum tolist values var"""


def _table(spec: str) -> dict[str, Optional[int]]:
    """``"sum:2 tolist"`` as ``{"sum": 2, "tolist": None}``: each name and its positional arguments at most."""
    table: dict[str, Optional[int]] = {}
    for word in spec.split():
        name, _, most = word.partition(":")
        table[name] = int(most) if most else None
    return table


METHODS: dict[str, dict[str, Optional[int]]] = {kind: _table(spec) for kind, spec in _METHODS.items()}
FUNCTIONS: dict[str, dict[str, Optional[int]]] = {module: _table(spec) for module, spec in _FUNCTIONS.items()}
READS: dict[str, Optional[int]] = _table(_READS)
#: The modules a prediction reaches (through the functions above, and their plain values: ``math.pi``).
LIBRARIES = frozenset(FUNCTIONS)

_lock = threading.Lock()
#: Methods you allowed, by type name (bare or qualified) or by the class itself.
_extra: dict[Any, dict[str, Optional[int]]] = {}
#: Functions you marked as checks, by identity (kept alive, so an id is never reused for another).
_checks: dict[int, Callable[..., Any]] = {}
_by_type: dict[type, dict[str, Optional[int]]] = {}


def type_name(kind: type) -> str:
    """``torch.Tensor``, ``builtins.list``: a type as the tables name it."""
    return f"{getattr(kind, '__module__', '?')}.{getattr(kind, '__qualname__', kind.__name__)}"


def _methods_of(kind: type) -> dict[str, Optional[int]]:
    found = _by_type.get(kind)
    if found is not None:
        return found
    methods: dict[str, Optional[int]] = {}
    known = False
    for base in reversed(kind.__mro__):
        table = METHODS.get(type_name(base))
        if table is not None:
            methods.update(table)
            known = True
        for key in (type_name(base), getattr(base, "__qualname__", None), base):
            methods.update(_extra.get(key, {}))
    if not known:
        methods = {**READS, **methods}
    with _lock:
        _by_type[kind] = methods
    return methods


def library(value: Any) -> Optional[str]:
    """The name of the library module ``value`` is (``"torch"``), or None for any other value or module."""
    if not isinstance(value, types.ModuleType):
        return None
    name = getattr(value, "__name__", None)
    return name if name in LIBRARIES and sys.modules.get(name) is value else None


def allowed_method(obj: Any, name: str) -> tuple[bool, Optional[int]]:
    """Whether a prediction may call ``obj.name(...)``, and how many positional arguments it may pass."""
    module = library(obj)
    table = FUNCTIONS[module] if module is not None else _methods_of(type(obj))
    if name in table:
        return True, table[name]
    return False, None


def allow_methods(kind: type | str, methods: Iterable[str], refused: Callable[[str], Optional[str]]) -> None:
    """Let predictions call ``methods`` on values of ``kind`` (a class, or its name, bare or with its module).

    ``refused(name)`` says why a method may never be allowed (it changes its
    object whatever its type), or None.
    """
    if not isinstance(kind, (type, str)) or (isinstance(kind, str) and not kind.strip()):
        raise ValueError(
            "name the type as a class or by its name, e.g. 'MyResult' or 'mypkg.results.MyResult'"
        )
    names = [methods] if isinstance(methods, str) else list(methods)
    for name in names:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"{name!r} is not a method name")
        reason = refused(name)
        if reason is not None:
            raise ValueError(reason)
    key = kind.strip() if isinstance(kind, str) else kind
    with _lock:
        _extra.setdefault(key, {}).update({name: None for name in names})
        _by_type.clear()


def mark_checks(functions: Iterable[Any]) -> None:
    """Let predictions call these functions by name: ``my_metric(logits, labels) > 0.5``."""
    chosen = list(functions)
    for function in chosen:
        if isinstance(function, (type, types.ModuleType)) or not callable(function):
            what = (
                "a class"
                if isinstance(function, type)
                else "a module"
                if callable(function)
                else "not callable"
            )
            raise ValueError(f"a check is a function you wrote; {function!r} is {what}")
    with _lock:
        for function in chosen:
            _checks[id(function)] = function


def is_check(value: Any) -> bool:
    """Whether ``value`` is a function you marked as a check (this very object, not one of the same name)."""
    return _checks.get(id(value)) is value


def checks() -> list[Callable[..., Any]]:
    """The functions marked as checks in this process."""
    with _lock:
        return list(_checks.values())
