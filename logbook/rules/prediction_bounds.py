"""How big a prediction's work may get: bounds checked before anything runs that the time budget cannot stop.

Python stops a prediction that runs past its budget only between bytecodes;
arithmetic on huge integers, repeating a sequence, or a tensor operation
runs in C, holding the interpreter until it returns. So these are bounded
before they run, each from the sizes of its operands::

    check_operation("big ** 10**8", "Pow", 12345, 10**8)   # raises PredictionRefused
    check_call("torch.ones(10**6, 10**6)", torch, "ones", (10**6, 10**6), {})  # raises

Integers are multiplied, divided, raised to a power or shifted up to
100,000 digits; a repetition makes at most 10,000,000 items; a new tensor
or array has at most 2**26 elements, or as many as the largest value it is
made from; a matrix product takes at most 2**33 multiply-adds.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, Optional

from logbook.rules.prediction_methods import library

#: Integers a prediction multiplies, divides, raises to a power or shifts stay under this many bits (100,000 digits).
MAX_INT_BITS = 332_193
#: Items (or characters) a repetition like ``[0] * n`` or ``"x" * n`` may make.
MAX_SEQUENCE = 10_000_000
#: Elements a new tensor or array may have beyond the largest one it is made from.
MAX_NEW_ELEMENTS = 2**26
#: Multiply-adds a matrix product may take.
MAX_MATMUL = 2**33
#: Digits of a width or precision in an f-string's format spec.
MAX_FORMAT_WIDTH = 1000


class PredictionRefused(Exception):
    """A prediction asked, when judged, for something a prediction may not do; nothing of it ran."""


def refuse(text: str, reason: str) -> PredictionRefused:
    return PredictionRefused(f"not allowed in a prediction: {text}: {reason}")


# -- sizes --------------------------------------------------------------------


_ARRAYS: dict[type, bool] = {}


def _shape(value: Any) -> Optional[tuple[int, ...]]:
    """The shape of a torch tensor or numpy array (or scalar), else None."""
    kind = type(value)
    array = _ARRAYS.get(kind)
    if array is None:
        array = _ARRAYS[kind] = (kind.__module__ or "").startswith(("torch", "numpy")) and hasattr(
            kind, "shape"
        )
    if not array:
        return None
    shape = getattr(value, "shape", None)
    return shape if type(shape) is tuple else tuple(shape) if isinstance(shape, tuple) else None


def _numel(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def _broadcast(shapes: list[tuple[int, ...]]) -> Optional[int]:
    """Elements of the shapes broadcast together, or None when they do not broadcast (the operation will raise)."""
    total = 1
    for axis in range(1, max(len(shape) for shape in shapes) + 1):
        size = 1
        for shape in shapes:
            if len(shape) >= axis and shape[-axis] != 1:
                if size not in (1, shape[-axis]):
                    return None
                size = shape[-axis]
        total *= size
    return total


def _check_new(text: str, elements: int, inputs: list[tuple[int, ...]]) -> None:
    if elements <= MAX_NEW_ELEMENTS:
        return
    largest = max((_numel(shape) for shape in inputs), default=0)
    if elements > largest:
        raise refuse(
            text,
            f"it would make {elements:,} elements (a prediction makes at most {MAX_NEW_ELEMENTS:,}, "
            "or as many as the largest value it reads)",
        )


def check_arrays(text: str, values: tuple[Any, ...]) -> None:
    shapes = [shape for shape in map(_shape, values) if shape is not None]
    if len(shapes) >= 2 and any(shape != shapes[0] for shape in shapes):  # equal shapes cannot grow
        elements = _broadcast(shapes)
        if elements is not None:
            _check_new(text, elements, shapes)


def _check_matmul(text: str, left: Any, right: Any) -> None:
    a, b = _shape(left), _shape(right)
    if a is None or b is None or not a or not b:
        return
    a2 = a if len(a) > 1 else (1, *a)
    b2 = b if len(b) > 1 else (*b, 1)
    batch = _broadcast([a2[:-2], b2[:-2]]) if len(a2) > 2 or len(b2) > 2 else 1
    if batch is None:
        return
    n, k, m = a2[-2], a2[-1], b2[-1]
    _check_new(text, batch * n * m, [a, b])
    if batch * n * k * m > MAX_MATMUL:
        raise refuse(
            text, f"a matrix product of {batch * n * k * m:,} multiply-adds (at most {MAX_MATMUL:,})"
        )


def bits(value: Any) -> int:
    if isinstance(value, int):
        return abs(value).bit_length()
    if isinstance(value, Fraction):
        return max(abs(value.numerator).bit_length(), value.denominator.bit_length())
    return 0


def too_many_bits(text: str, bits: float) -> PredictionRefused:
    return refuse(
        text,
        f"an integer of about {int(bits * 0.30103):,} digits (a prediction works with integers "
        f"up to {int(MAX_INT_BITS * 0.30103):,} digits, since Python cannot stop arithmetic on bigger ones)",
    )


def check_power(text: str, base: Any, exponent: Any) -> None:
    if not isinstance(exponent, int) or exponent <= 0 or not isinstance(base, (int, Fraction)):
        return
    size: float = bits(base)
    if size > MAX_INT_BITS:
        raise too_many_bits(text, size)
    if size > 1 or (isinstance(base, Fraction) and base.denominator > 1):
        size = exponent * max(
            math.log2(abs(base.numerator)) if base.numerator else 0.0, math.log2(base.denominator)
        )
        if size > MAX_INT_BITS:
            raise too_many_bits(text, size)


def _check_ints(text: str, op: str, a: int, b: int) -> None:
    if op == "Pow":
        check_power(text, a, b)
    elif op == "Mult":
        if bits(a) + bits(b) > MAX_INT_BITS:
            raise too_many_bits(text, bits(a) + bits(b))
    elif op == "LShift":
        if b > MAX_INT_BITS or bits(a) + b > MAX_INT_BITS:
            raise too_many_bits(text, bits(a) + b)
    elif op in ("FloorDiv", "Mod", "Div"):
        if max(bits(a), bits(b)) > MAX_INT_BITS:
            raise too_many_bits(text, max(bits(a), bits(b)))


SEQUENCES = (str, bytes, bytearray, list, tuple)


def _check_repeat(text: str, sequence: Any, times: Any) -> None:
    if isinstance(times, int) and times > 0 and len(sequence) * times > MAX_SEQUENCE:
        raise refuse(
            text,
            f"a repetition making {len(sequence) * times:,} items (a prediction makes at most {MAX_SEQUENCE:,})",
        )


PLAIN = frozenset({int, float, bool})
_BIG = MAX_INT_BITS // 4


def check_operation(text: str, op: str, a: Any, b: Any) -> None:
    """Refuse ``a <op> b`` when it would run unstoppably long in C or make something huge."""
    ta, tb = type(a), type(b)
    if ta in PLAIN and tb in PLAIN:
        if (ta is float or tb is float) or (op not in ("Pow", "LShift") and max(bits(a), bits(b)) < _BIG):
            return
    if isinstance(a, (int, Fraction)) and isinstance(b, (int, Fraction)):
        if isinstance(b, int) or op != "Pow":
            _check_ints(text, op, a, b)  # type: ignore[arg-type]
        return
    if op == "Mult":
        if isinstance(a, SEQUENCES) and isinstance(b, int):
            return _check_repeat(text, a, b)
        if isinstance(b, SEQUENCES) and isinstance(a, int):
            return _check_repeat(text, b, a)
    if op == "Mod" and isinstance(a, (str, bytes, bytearray)):
        raise refuse(text, "printf-style % formatting; use an f-string")
    if op == "MatMult":
        return _check_matmul(text, a, b)
    if op in ("Pow", "Mult", "LShift") and any(
        getattr(getattr(value, "dtype", None), "kind", "") == "O" for value in (a, b)
    ):
        raise refuse(text, "arithmetic on an array of Python objects (its numbers are not bounded)")
    check_arrays(text, (a, b))


# -- library calls that make new values -----------------------------------------------

_MATMUL = frozenset({"matmul", "dot", "mm", "bmm"})
_JOIN = frozenset({"cat", "concat", "concatenate", "stack", "vstack", "hstack"})
_MADE = frozenset({"zeros", "ones", "full", "arange", "linspace", "eye", "identity"})
_NEW = frozenset({"new_zeros", "new_ones", "new_full", "new_tensor"})


def _dims(args: tuple[Any, ...]) -> list[Any]:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return list(args[0])
    return list(args)


def _requested(module: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Optional[int]:
    """The elements ``module.name(*args, **kwargs)`` would make, for the functions that make new arrays."""
    try:
        if name in ("zeros", "ones"):
            shape = kwargs.get("size", kwargs.get("shape"))
            dims = _dims(args[:1] if module == "numpy" else args) if shape is None else _dims((shape,))
            return math.prod(int(d) for d in dims)
        if name == "full":
            shape = args[0] if args else kwargs.get("size", kwargs.get("shape"))
            return math.prod(int(d) for d in _dims((shape,)))
        if name in ("eye", "identity"):
            n = args[0] if args else kwargs.get("n", kwargs.get("N"))
            m = args[1] if len(args) > 1 and name == "eye" else kwargs.get("m", kwargs.get("M"))
            if n is None:
                return None
            return int(n) * int(m if m is not None else n)
        if name == "linspace":
            steps = args[2] if len(args) > 2 else kwargs.get("steps", kwargs.get("num", 50))
            return int(steps)
        if name == "arange":
            numbers = [float(a) for a in args[:3]]
            start, stop, step = 0.0, 0.0, 1.0
            if len(numbers) == 1:
                stop = numbers[0]
            elif numbers:
                start, stop = numbers[0], numbers[1]
                step = numbers[2] if len(numbers) > 2 else 1.0
            start = float(kwargs.get("start", start))
            stop = float(kwargs.get("end", kwargs.get("stop", stop)))
            step = float(kwargs.get("step", step))
            return max(0, math.ceil((stop - start) / step)) if step else None
    except (TypeError, ValueError, OverflowError):
        return None
    return None


def check_call(text: str, obj: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a library call or tensor method whose result would be huge, before it runs."""
    module = library(obj)
    if module is None and _shape(obj) is None:
        return
    if module is None and name in _NEW:
        shape = args[0] if args else kwargs.get("size")
        if name == "new_tensor" or shape is None:
            return
        elements = math.prod(
            int(d) for d in _dims(args if isinstance(shape, int) and name != "new_full" else (shape,))
        )
        return _check_new(text, elements, [])
    if module is not None and name in _MADE:
        requested = _requested(module, name, args, kwargs)
        if requested is not None:
            _check_new(text, requested, [])
        return
    if name in _MATMUL:
        pair = (obj, args[0]) if module is None and args else args[:2]
        if len(pair) == 2:
            _check_matmul(text, *pair)
        return
    if module is not None and name in _JOIN and args and isinstance(args[0], (list, tuple)):
        shapes = [shape for shape in map(_shape, args[0]) if shape is not None]
        distinct = {id(each): _shape(each) for each in args[0]}
        _check_new(text, sum(map(_numel, shapes)), [shape for shape in distinct.values() if shape])
        return
    check_arrays(text, (obj, *args, *kwargs.values()) if module is None else (*args, *kwargs.values()))


def _is_mask(value: Any) -> bool:
    return str(getattr(value, "dtype", "")) in ("torch.bool", "bool")


def _index_elements(key: Any) -> int:
    """Elements an advanced index (a list, tensor or array of positions) picks; 0 for plain indexing."""
    most = 0
    for part in key if isinstance(key, tuple) else (key,):
        if isinstance(part, list):
            most = max(most, len(part) * (len(part[0]) if part and isinstance(part[0], list) else 1))
        elif not _is_mask(part):
            shape = _shape(part)
            if shape is not None:
                most = max(most, _numel(shape))
    return most


def check_index(text: str, obj: Any, key: Any) -> None:
    if isinstance(key, (int, str, slice)):
        return
    shape = _shape(obj)
    if shape is None or not shape:
        return
    picked = _index_elements(key)
    if picked:
        _check_new(text, picked * _numel(shape) // max(1, min(shape)), [shape])


_FORMAT_NUMBER = re.compile(r"\d+")


def format_spec_problem(spec: str) -> Optional[str]:
    """Why an f-string's format spec is refused (a width or precision that would make a huge string), or None."""
    for number in _FORMAT_NUMBER.findall(spec):
        if len(number) > 4 or int(number) > MAX_FORMAT_WIDTH:
            return f"a format width or precision of {number} (at most {MAX_FORMAT_WIDTH})"
    return None
