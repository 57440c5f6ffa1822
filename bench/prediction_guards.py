"""What a prediction's judging-time checks cost, and what writing a judgement ahead costs.

1. Guards, in process. Each prediction below is evaluated three ways in the
   same run, interleaved in blocks: plainly (its own code, the bounded
   builtins: the baseline), with its steps recorded (what judging did before
   the guards), and by ``logbook.rules.predictions.judge`` (names looked at, every
   attribute, item, call and operator through its guard, steps recorded).
   Printed per prediction: the median of each, and what the guards add.
2. Writing ahead, in process: a real writer on a fresh logbook, a judging
   row committed before each judgement (``Ahead.before``: a flush through the
   writer thread) and cleared after, median and p99 per judgement.
3. Writing ahead in a shell: an IPython shell with the hooks loaded runs a
   cell whose tensor three predictions read, with writing ahead on and off in
   alternating blocks, everything written between cells (as in a notebook,
   where the kernel waits for the next request); ``record_ms`` median and p99.

Run: ``python bench/prediction_guards.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _kernels import describe  # noqa: E402

from logbook.rules.prediction_steps import RECORDER, instrument  # noqa: E402
from logbook.rules.predictions import SAFE_BUILTINS, judge, parse_expression  # noqa: E402

RUNS = 4000
BLOCKS = 20

PREDICTIONS = [
    "head_scores.max() > 0.5",
    "cache['blocks.0.attn.hook_pattern'].max() > 2",
    "logits.softmax(-1).sum(-1).allclose(torch.ones(1, 12))",
    "abs(loss - target) < 1e-3 and 0 < loss < 2",
    "sorted(heads)[:2] == [(1, 0), (1, 1)] and d.get('k') == 1",
]


def namespace() -> dict:
    import torch

    torch.set_num_threads(1)  # one thread: the figures are the interpreter's, not the thread pool's
    generator = torch.Generator().manual_seed(0)
    return {
        "head_scores": torch.rand(12, 12, generator=generator),
        "cache": {"blocks.0.attn.hook_pattern": torch.rand(1, 2, 12, 12, generator=generator)},
        "logits": torch.randn(1, 12, 20, generator=generator),
        "torch": torch,
        "loss": 0.5,
        "target": 0.5004,
        "heads": [(1, 1), (0, 3), (1, 0)],
        "d": {"k": 1},
    }


def guards() -> None:
    names = namespace()
    print(f"Judging-time checks, in process ({RUNS} evaluations of each, interleaved):")
    print(f"  {'prediction':56} {'plain':>9} {'steps':>9} {'judged':>9} {'guards add':>11}")
    added = []
    for expression in PREDICTIONS:
        reads = parse_expression(expression)
        scope = {name: names[name] for name in reads}
        plain = compile(expression, "<prediction>", "eval")
        stepped = instrument(expression, tuple(reads))

        def baseline(plain=plain, scope=scope) -> None:
            bool(eval(plain, {**scope, "__builtins__": SAFE_BUILTINS}))  # noqa: S307

        def with_steps(stepped=stepped, scope=scope) -> None:
            seen: list = []
            run = {**scope, "__builtins__": SAFE_BUILTINS, RECORDER: stepped.recorder(seen)}
            stepped.steps(seen, eval(stepped.code, run))  # noqa: S307

        def judged(expression=expression, reads=reads) -> None:
            judge(expression, reads, names)

        assert judge(expression, reads, names).error is None, judge(expression, reads, names)
        times: dict[str, list[float]] = {"plain": [], "steps": [], "judged": []}
        calls = (("plain", baseline), ("steps", with_steps), ("judged", judged))
        for block in range(BLOCKS):
            for label, call in calls if block % 2 == 0 else reversed(calls):
                for _ in range(RUNS // BLOCKS):
                    start = time.perf_counter()
                    call()
                    times[label].append(time.perf_counter() - start)
        median = {label: describe(values)["median"] * 1e6 for label, values in times.items()}
        added.append(median["judged"] - median["steps"])
        print(
            f"  {expression[:56]:56} {median['plain']:7.1f}us {median['steps']:7.1f}us "
            f"{median['judged']:7.1f}us {median['judged'] - median['steps']:+9.1f}us"
        )
    print(f"  guards add {min(added):.1f} to {max(added):.1f} us median per prediction (goal < 50 us)")


def writing_ahead() -> None:
    from kernel_hooks.judging import Ahead, TrackedPrediction
    from kernel_hooks.writer import Writer
    from logbook.store.core import Store

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "logbook.db"
        with Store(db) as store:
            h = store.add_hypothesis("writing ahead", 0.5)
            tracked = TrackedPrediction(store.add_prediction(h.id, "x > 0", 0.5), h.statement)
        writer = Writer(db, print)
        ahead = Ahead(writer, "bench", 1.0)
        times = []
        try:
            writer.kernel_busy()  # as after a cell: the flush must not wait for the cell to end
            for _ in range(300):
                start = time.perf_counter()
                ahead.before(tracked)
                times.append(time.perf_counter() - start)
                ahead.done()
            writer.kernel_idle()
        finally:
            writer.stop()
    figures = describe(times)
    print(
        "Writing a judgement ahead (its row and the queued cells committed before it runs), 300 judgements:"
    )
    print(
        f"  median {figures['median'] * 1e3:.3f} ms, p99 {figures['p99'] * 1e3:.3f} ms per judged prediction"
    )


def writing_ahead_in_a_shell(cells: int = 300, block: int = 25) -> None:
    import os
    import statistics

    os.environ["LOGBOOK_DB"] = str(Path(tempfile.mkdtemp()) / "logbook.db")
    from IPython.testing.globalipapp import start_ipython

    import kernel_hooks
    from logbook.store.core import Store

    shell = start_ipython()
    shell.run_line_magic("load_ext", "kernel_hooks")
    recorder = kernel_hooks.active_recorder()
    shell.run_cell("import torch, logbook\nh = logbook.hypothesis('x stays positive')")
    shell.run_cell("for t in (1, 2, 3): h.predict(f'x.min() > -{t}', credence=0.9)")
    real = recorder.ahead

    class Off:
        def before(self, tracked) -> None:
            pass

        def done(self) -> None:
            pass

    for number in range(2 * cells // block):
        recorder.ahead = real if number % 2 == 0 else Off()
        for i in range(block):
            shell.run_cell(f"x = torch.tensor([{i % 7}.0])")
            recorder.flush()  # written before the next cell, as while a kernel waits for its next request
    recorder.ahead = real
    recorder.flush()
    with Store(recorder.path) as store:
        rows = [
            e for e in store.experiments(limit=None, newest_first=False) if e.source.startswith("x = torch")
        ]
    on = [e.record_ms for n, e in enumerate(rows) if (n // block) % 2 == 0]
    off = [e.record_ms for n, e in enumerate(rows) if (n // block) % 2 == 1]
    print(f"A cell three tensor predictions read, in an IPython shell ({len(on)} cells each way), record_ms:")
    for label, values in (("written ahead", on), ("not written ahead", off)):
        print(f"  {label:18} median {statistics.median(values):.3f} ms, p99 {describe(values)['p99']:.3f} ms")
    print(f"  writing ahead adds {statistics.median(on) - statistics.median(off):+.3f} ms median per cell")


if __name__ == "__main__":
    guards()
    writing_ahead()
    writing_ahead_in_a_shell()
