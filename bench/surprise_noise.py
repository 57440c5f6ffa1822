"""Signal, not noise: how many surprises a session of re-runs raises, and what judging with steps costs.

1. Noise. A notebook whose hypotheses stay active, with two failing and two
   holding predictions (torch, numpy and a TransformerLens cache), each cell
   run three times in one kernel, then the whole notebook again in a fresh
   kernel (Restart & Run All). Printed: failed verdicts, prediction
   surprises, failure streaks, and the surprises beyond one per streak (goal 0).
   Then a seed change on a cell with a 12 by 12 head-score grid: the parts
   that moved and the drift surprises they raised (goal 1).
2. Judging cost, in process: a failed prediction judged with its steps
   recorded, against the same expression evaluated plainly (the baseline),
   median and p99 per prediction (goal: under 0.2 ms median).
3. The kernel round trip of a cell whose tensor three predictions read (two
   fail, with their steps and cards), against a kernel without Logbook,
   kernels alternated.

Run: ``python bench/surprise_noise.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _kernels import describe, kernel, run  # noqa: E402

from logbook.rules.predictions import SAFE_BUILTINS, judge  # noqa: E402
from logbook.store.core import Store  # noqa: E402

BELIEFS = """\
import torch, numpy as np, logbook
h = logbook.hypothesis("head 1 dominates layer 0", credence=0.7)
h.predict("head_scores.max() > 0.5", credence=0.8)
h.predict("arr.mean() > 0", credence=0.9)
h2 = logbook.hypothesis("layer 0 attends sharply", credence=0.6)
h2.predict("cache['blocks.0.attn.hook_pattern'].max() > 2", credence=0.7)
h2.predict("logits.softmax(-1).sum(-1).allclose(torch.ones(1, 12))", credence=0.9)"""
MODEL = """\
from transformer_lens.model_bridge import TransformerBridge
model = TransformerBridge.boot_native(dict(n_layers=2, d_model=32, n_heads=2, d_head=16, d_vocab=20, n_ctx=16,
    attn_only=True, act_fn="relu", seed=0))
tokens = torch.randint(0, 20, (1, 12), generator=torch.Generator().manual_seed(0))
logits, cache = model.run_with_cache(tokens)"""
CELLS = [
    BELIEFS,
    "head_scores = torch.tensor([[0.1, 0.2], [0.3, 0.0038]])",
    "arr = np.arange(4.0)",
    MODEL,
]
GRID = [
    "seed = 0",
    "head_grid = torch.randn(12, 12, generator=torch.Generator().manual_seed(seed))",
    "seed = 1",
]
ROUND_TRIPS = 200
JUDGEMENTS = 5000


def noise(folder: Path) -> None:
    db = folder / ".logbook" / "logbook.db"
    env = {**os.environ, "LOGBOOK_DB": str(db)}
    with kernel(env, str(folder)) as (_, client):
        run(client, "%load_ext kernel_hooks")
        for _ in range(3):
            for cell in CELLS:
                run(client, cell, timeout=300)
        run(client, "import logbook; assert logbook.flush()")
    with kernel(env, str(folder)) as (_, client):  # Restart & Run All
        run(client, "%load_ext kernel_hooks")
        for cell in CELLS:
            run(client, cell, timeout=300)
        for cell in (GRID[0], GRID[1], GRID[1], GRID[2], GRID[1]):
            run(client, cell)
        run(client, "import logbook; assert logbook.flush()")
    with Store(db) as store:
        predictions = [p for h in store.hypotheses() for p in h.predictions]
        failed_verdicts = sum(v.count for p in predictions for v in p.verdicts if not v.held)
        streaks = sum(1 for p in predictions for v in p.verdicts if not v.held)
        surprises = store.surprises("all")
        predicted = [s for s in surprises if s.kind == "prediction"]
        drifts = [s for s in surprises if s.kind == "drift"]
        moves = sum(len(s.drift.moves) for s in drifts if s.drift)
    print("Noise: 4 predictions (2 fail), every cell run 3 times, then Restart & Run All")
    print(
        f"  failed verdicts {failed_verdicts}, failure streaks {streaks}, prediction surprises {len(predicted)}"
    )
    print(
        f"  surprises beyond one per failure streak: {len(predicted) - streaks} (goal 0); "
        f"surprises per failed verdict {len(predicted) / max(failed_verdicts, 1):.2f} (one each before)"
    )
    print(
        f"Seed change on a 12x12 head-score grid: {moves} parts moved, {len(drifts)} drift surprise(s) (goal 1)"
    )


def judging_cost() -> None:
    import torch

    scores = torch.rand(12, 12) * 0.4
    expression = "head_scores.max() > 0.5"
    namespace = {"head_scores": scores}
    plain = compile(expression, "<prediction>", "eval")
    judge(expression, ["head_scores"], namespace)  # compiled once, as in a kernel

    def baseline() -> None:
        bool(eval(plain, {"head_scores": scores, "__builtins__": SAFE_BUILTINS}))  # noqa: S307

    def with_steps() -> None:
        judge(expression, ["head_scores"], namespace)

    times: dict[str, list[float]] = {"plain eval": [], "judged with steps": []}
    for block in range(20):
        pairs = (("plain eval", baseline), ("judged with steps", with_steps))
        for label, call in pairs if block % 2 == 0 else reversed(pairs):
            for _ in range(JUDGEMENTS // 20):
                start = time.perf_counter()
                call()
                times[label].append(time.perf_counter() - start)
    base, steps = describe(times["plain eval"]), describe(times["judged with steps"])
    print(f"Judging a failed prediction ({expression} on a 12x12 tensor), {JUDGEMENTS} each, in process:")
    for label, figures in (("plain eval (baseline)", base), ("judged with steps", steps)):
        print(f"  {label:22} median {figures['median'] * 1e3:.4f} ms, p99 {figures['p99'] * 1e3:.4f} ms")
    print(
        f"  steps cost +{(steps['median'] - base['median']) * 1e3:.4f} ms median per failed prediction "
        f"(goal < 0.2 ms); ratio {steps['median'] / base['median']:.2f}"
    )


def round_trips(folder: Path) -> None:
    db = folder / ".logbook" / "round-trip.db"
    env = {**os.environ, "LOGBOOK_DB": str(db)}
    setup = "import torch"
    beliefs = (
        "import logbook\nh = logbook.hypothesis('scores stay small')\n"
        "h.predict('scores.max() > 0.5')\nh.predict('scores.mean() < 0')\nh.predict('scores.min() >= 0')"
    )
    cell = "scores = torch.rand(12, 12, generator=torch.Generator().manual_seed(0)) * 0.4 + {i} * 0"
    times: dict[str, list[float]] = {"without": [], "with": []}
    with kernel(env, str(folder)) as (_, plain), kernel(env, str(folder)) as (_, hooked):
        run(hooked, "%load_ext kernel_hooks")
        for client in (plain, hooked):
            run(client, setup)
        run(hooked, beliefs)
        for i in range(10):
            for client in (plain, hooked):
                run(client, cell.format(i=i))
        for block in range(ROUND_TRIPS // 10):
            order = (("without", plain), ("with", hooked))
            for label, client in order if block % 2 == 0 else reversed(order):
                for i in range(10):
                    times[label].append(run(client, cell.format(i=i)))
        run(hooked, "assert logbook.flush()")
    without, hooked_times = describe(times["without"]), describe(times["with"])
    print(
        f"Kernel round trip, a cell whose tensor 3 predictions read (2 fail), {ROUND_TRIPS} each, alternated:"
    )
    print(
        f"  without Logbook median {without['median'] * 1e3:.2f} ms (p99 {without['p99'] * 1e3:.2f}); "
        f"with {hooked_times['median'] * 1e3:.2f} ms (p99 {hooked_times['p99'] * 1e3:.2f}); "
        f"ratio {hooked_times['median'] / without['median']:.3f} (p99 ratio {hooked_times['p99'] / without['p99']:.3f})"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        noise(folder)
        judging_cost()
        round_trips(folder)


if __name__ == "__main__":
    main()
