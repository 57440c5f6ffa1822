"""Statistics of a tensor that never stall an accelerator.

Reading any element of a CUDA (or MPS, XPU, ...) tensor makes the host wait
until the device has finished everything queued before the read. A summary is
taken while the cell's kernel is still busy, so ``plan`` decides from metadata
alone how much of a tensor it may read:

* ``full``: every element. CPU tensors up to the caller's limit; accelerator
  tensors up to ``DEVICE_FULL_MAX`` elements, only when the device is idle.
* ``sample``: a fixed strided sample of ``SAMPLE`` elements at most, for a larger
  accelerator tensor on an idle device (a view: nothing large is copied).
* ``skip``: nothing. Meta and sparse tensors, tensor subclasses with their own
  dispatch (fake and distributed tensors), CPU tensors over the limit, and any
  accelerator tensor whose device still has work queued.

"Idle" is a non-blocking query of the device's current stream. The statistics
of an accelerator tensor are computed on the device into one small tensor and
copied back once, so the only wait is for that small computation itself.
"""

from __future__ import annotations

import math
import sys
from typing import Any, Callable, NamedTuple, Optional

#: Accelerator tensors up to this many elements are read whole (when the device is idle).
DEVICE_FULL_MAX = 65_536
#: Most elements read from a larger accelerator tensor: a strided sample.
SAMPLE = 65_536

Idle = Callable[[Any], bool]


class Plan(NamedTuple):
    """How much of a tensor a summary reads: ``full``, ``sample`` or ``skip`` (with why)."""

    path: str
    reason: str = ""


def device_idle(device: Any) -> bool:
    """Whether ``device`` has finished all the work queued on its current stream; never blocks."""
    if device.type == "cpu":
        return True
    torch = sys.modules.get("torch")
    if torch is None:
        return False
    for stream in (
        lambda: torch.accelerator.current_stream(device),
        lambda: getattr(torch, device.type).current_stream(device),
    ):
        try:
            return bool(stream().query())
        except Exception:  # noqa: BLE001 - a device without stream queries is never read
            continue
    return False


def _has_own_dispatch(tensor: Any, torch: Any) -> bool:
    for cls in type(tensor).__mro__:
        if cls is torch.Tensor:
            return False
        if "__torch_dispatch__" in vars(cls):
            return True
    return False


def plan(
    tensor: Any,
    cpu_limit: int,
    *,
    device_type: Optional[str] = None,
    idle: Optional[Idle] = None,
) -> Plan:
    """How much of ``tensor`` a summary may read, decided without touching its data.

    ``device_type`` and ``idle`` stand in for the tensor's own device and for
    ``device_idle``: tests use them to take the accelerator path on a CPU.
    """
    torch = sys.modules["torch"]
    kind = device_type or tensor.device.type
    if kind == "meta" or tensor.is_sparse or tensor.is_quantized or tensor.is_nested:
        return Plan("skip", "no data to read")
    if _has_own_dispatch(tensor, torch):
        return Plan("skip", "tensor subclass")
    numel = tensor.numel()
    if numel == 0:
        return Plan("skip", "empty")
    if kind == "cpu":
        return Plan("full") if numel <= cpu_limit else Plan("skip", "large")
    if not (idle or device_idle)(tensor.device):
        return Plan("skip", "device busy")
    return Plan("full") if numel <= DEVICE_FULL_MAX else Plan("sample")


def strided_sample(tensor: Any, limit: int = SAMPLE) -> Any:
    """A view of at most ``limit`` elements spread evenly over ``tensor``; copies nothing."""
    if tensor.numel() <= limit:
        return tensor
    if tensor.is_contiguous():
        flat = tensor.view(-1)
        return flat[:: math.ceil(flat.numel() / limit)]
    steps = [1] * tensor.dim()
    counts = list(tensor.shape)
    while math.prod(counts) > limit:
        widest = max(range(len(counts)), key=counts.__getitem__)
        steps[widest] *= 2
        counts[widest] = math.ceil(tensor.shape[widest] / steps[widest])
    return tensor[tuple(slice(None, None, step) for step in steps)]


def statistics(
    tensor: Any,
    cpu_limit: int,
    *,
    device_type: Optional[str] = None,
    idle: Optional[Idle] = None,
) -> dict[str, Any]:
    """The fields a tensor summary adds: ``value`` or ``nan, min, max, mean, norm``, within the plan.

    A sampled tensor gets ``sample`` (elements read) and no ``norm``; a skipped
    accelerator tensor gets ``stats`` saying why.
    """
    torch = sys.modules["torch"]
    decided = plan(tensor, cpu_limit, device_type=device_type, idle=idle)
    if decided.path == "skip":
        kind = device_type or tensor.device.type
        return {"stats": f"skipped ({decided.reason})"} if kind not in ("cpu", "meta") else {}
    with torch.no_grad():
        data = tensor.detach()
        if data.numel() == 1:
            return {"value": _scalar(data.reshape(()).item())}
        if decided.path == "sample":
            data = strided_sample(data)
        on_device = (device_type or tensor.device.type) != "cpu"
        fields = (_on_device if on_device else _on_cpu)(data.reshape(-1), torch)
    if decided.path == "sample":
        fields.pop("norm", None)
        fields["sample"] = data.numel()
    return fields


def _prepared(data: Any, torch: Any) -> Any:
    if data.is_complex():
        data = data.abs()
    if not data.is_floating_point() or data.dtype in (torch.float16, torch.bfloat16):
        data = data.float()
    return data


def _on_cpu(data: Any, torch: Any) -> dict[str, Any]:
    """Statistics of a flat CPU tensor, skipping NaNs only when there are any."""
    if data.dtype == torch.bool:
        return {"true": int(data.sum())}
    data = _prepared(data, torch)
    nans = torch.isnan(data)
    nan_count = int(nans.sum())
    finite = data[~nans] if nan_count else data
    fields: dict[str, Any] = {"nan": nan_count}
    if finite.numel():
        low, high = torch.aminmax(finite)
        fields.update(
            min=_number(float(low)),
            max=_number(float(high)),
            mean=_number(float(finite.mean(dtype=torch.float64))),
            norm=_number(float(torch.linalg.vector_norm(finite, dtype=torch.float64))),
        )
    return fields


def _on_device(data: Any, torch: Any) -> dict[str, Any]:
    """Statistics of a flat accelerator tensor, computed there and read back in one copy.

    NaNs are masked rather than removed: removing them gives a tensor whose size
    depends on the data, which the host would have to wait for.
    """
    if data.dtype == torch.bool:
        return {"true": int(data.sum().item())}
    data = _prepared(data, torch)
    nans = torch.isnan(data)
    nan_count = nans.sum()
    inf = torch.tensor(math.inf, dtype=data.dtype, device=data.device)
    clean = torch.where(nans, 0, data)
    row = torch.stack(
        [
            nan_count.double(),
            torch.where(nans, inf, data).amin().double(),
            torch.where(nans, -inf, data).amax().double(),
            clean.sum(dtype=torch.float64) / (data.numel() - nan_count).clamp(min=1),
            torch.linalg.vector_norm(clean, dtype=torch.float64),
        ]
    ).tolist()
    fields: dict[str, Any] = {"nan": int(row[0])}
    if row[0] < data.numel():
        fields.update(min=_number(row[1]), max=_number(row[2]), mean=_number(row[3]), norm=_number(row[4]))
    return fields


def _number(value: float) -> float | str:
    return value if math.isfinite(value) else repr(value)


def _scalar(item: Any) -> Any:
    if isinstance(item, float):
        return _number(item)
    return item if isinstance(item, (bool, int)) else repr(item)
