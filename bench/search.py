"""Searching a big logbook: 100,000 experiments, 20,000 surprises with explanations, hypotheses and notes.

    python bench/search.py [--experiments 100000] [--surprises 20000] [--hypotheses 1000] [--runs 20]

Builds the logbook once (rows written as a long-lived logbook holds them,
the index kept by its triggers as a kernel's writes keep it), then times
``Store.search`` (every kind, five hits each, the call behind the sidebar's
search and ``logbook search``) for a mix of queries: rare and common words,
words typed a letter at a time, several words, words of explanations, and
nothing found. Prints the median and 95th percentile over every query run,
then each query's median and what it found; the goal is a median under 50 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from logbook.store.core import Store  # noqa: E402

LINES = [
    "logits, cache = model.run_with_cache(tokens)",
    "scores = attention_stripes(cache, offset=period - 1)",
    "patched = patch_residual(model, clean_cache, layer={layer}, position={pos})",
    "ablated = ablate_head(model, {layer}, {head})",
    "logit_diff = (logits[:, -1, answer] - logits[:, -1, wrong]).mean()",
    "probe_{n} = train_probe(cache['blocks.{layer}.hook_resid_post'], labels)",
    "plt.imshow(cache['pattern', {layer}][0, {head}].cpu())",
    "norms = cache.accumulated_resid().norm(dim=-1)",
    "copy_score = copying_eigenvalues(model.OV[{layer}, {head}])",
    "loss = model(tokens, return_type='loss')",
    "for h in range({head}):\n    print(h, scores[{layer}, h].item())",
    "sweep_{n} = [evaluate(model, seed=s) for s in range(8)]",
]
OUTPUTS = [
    "tensor({value:.4f})",
    "induction score {value:.2f} for head {layer}.{head}",
    "logit difference after ablation: {value:.3f}",
    "loss {value:.3f} on the repeated half",
    "residual norm grows from {value:.1f}",
]
ERRORS = [
    (
        "RuntimeError",
        "CUDA out of memory",
        "Traceback (most recent call last):\n  File <cell>, line 2\nRuntimeError",
    ),
    (
        "KeyError",
        "'blocks.9.hook_resid_post'",
        "Traceback (most recent call last):\n  File <cell>, line 1\nKeyError",
    ),
    (
        "ValueError",
        "period must be positive",
        "Traceback (most recent call last):\n  File <cell>, line 3\nValueError",
    ),
]
EXPLANATIONS = [
    "the tokenizer splits the repeated block at a positional boundary",
    "a stale cache from the previous run held the old activations",
    "the probe saturates because of a clipped softmax temperature",
    "layer norm rescales the residual stream, so the raw norm misleads",
    "it is the previous token head, not an induction head, that moved",
    "seed variance: eight seeds give a spread wider than the effect",
    "the ablation also removed the bias term of the output projection",
]
STATEMENTS = [
    "Head {layer}.{head} is an induction head",
    "Layer {layer} copies by position, not content",
    "The residual norm grows linearly with depth",
    "Head {layer}.{head} attends to the previous token",
    "Name movers in layer {layer} read the indirect object",
]

QUERIES = [
    "ablate_head",
    "train_probe",
    "induction",
    "induction head",
    "i",
    "in",
    "ind",
    "indu",
    "induc",
    "model",
    "cache",
    "logits",
    "previous token head",
    "tokenizer",
    "stale cache",
    "softmax temperature",
    "KeyError",
    "out of memory",
    "positional boundary",
    "sweep_417",
    "probe_9999",
    "0.5",
    '"unbalanced AND (',
    "qwertyuiop",
]


def fill(path: Path, experiments: int, surprises: int, hypotheses: int, seed: int = 0) -> None:
    rng = random.Random(seed)

    def fmt(template: str, n: int) -> str:
        return template.format(
            n=n, layer=rng.randrange(12), head=rng.randrange(12), pos=rng.randrange(64), value=rng.random()
        )

    with Store(path) as store, store.transaction():
        rows = []
        for n in range(experiments):
            source = "\n".join(fmt(rng.choice(LINES), n) for _ in range(rng.randint(1, 6)))
            error = ERRORS[n % len(ERRORS)] if n % 17 == 0 else None
            rows.append(
                [
                    source,
                    "2026-11-25T10:00:00+00:00",
                    3.0,
                    0 if error else 1,
                    "analysis.ipynb" if n % 3 else "sweeps.ipynb",
                    n % 50 + 1,
                    fmt(rng.choice(OUTPUTS), n) if n % 2 else "",
                    fmt(rng.choice(OUTPUTS), n) if n % 5 == 0 else "",
                    *(error or (None, None, None)),
                ]
            )
        store.db.conn.executemany(
            "INSERT INTO experiments (source, started_at, duration_ms, ok, notebook, execution_count,"
            " stdout, output_text, error_name, error_value, traceback) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        for n in range(1, hypotheses + 1):
            store.db.execute(
                "INSERT INTO hypotheses (id, seq, statement, credence, status, created_at) VALUES (?, ?, ?, 0.5,"
                " 'active', '2026-11-25T10:00:00+00:00')",
                [f"H{n}", n, fmt(rng.choice(STATEMENTS), n)],
            )
            for p in (1, 2):
                store.db.execute(
                    "INSERT INTO predictions (id, hypothesis_id, seq, kind, expression, credence, created_at,"
                    " state) VALUES (?, ?, ?, 'expression', ?, 0.8, '2026-11-25T10:00:00+00:00', 'pending')",
                    [f"H{n}.P{p}", f"H{n}", p, f"score_{n}[{p}] > 0.{rng.randint(1, 9)}"],
                )
        store.db.conn.executemany(
            "INSERT INTO surprises (hypothesis_id, prediction_id, prediction, observed, credence, surprisal_bits,"
            " created_at, manual, note, status, resolution, explanation) VALUES (?, ?, ?, '{}', 0.8, 2.3,"
            " '2026-11-25T10:00:00+00:00', 0, '', 'explained', 'explained', ?)",
            [
                [
                    f"H{n % hypotheses + 1}",
                    f"H{n % hypotheses + 1}.P1",
                    f"score_{n % hypotheses + 1}[1] > 0.5",
                    rng.choice(EXPLANATIONS) + f" (run {n})",
                ]
                for n in range(surprises)
            ],
        )
        store.db.conn.executemany(
            "INSERT INTO notes (text, hypothesis_id, created_at) VALUES (?, ?, '2026-11-25T10:00:00+00:00')",
            [[rng.choice(EXPLANATIONS), f"H{n % hypotheses + 1}"] for n in range(hypotheses * 2)],
        )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiments", type=int, default=100_000)
    parser.add_argument("--surprises", type=int, default=20_000)
    parser.add_argument("--hypotheses", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20, help="times each query is timed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ".logbook" / "logbook.db"
        started = time.perf_counter()
        fill(path, args.experiments, args.surprises, args.hypotheses)
        built = time.perf_counter() - started
        size = path.stat().st_size + sum(p.stat().st_size for p in path.parent.glob("logbook.db-wal"))
        with Store(path) as store:
            index_pages = store.db.execute("SELECT sum(length(block)) FROM search_index_data").fetchone()[0]
            every, per_query = [], {}
            for query in QUERIES:
                times = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    try:
                        found = store.search(query)
                        what = ", ".join(f"{g.total:,} {g.kind}" for g in found.groups) or "nothing"
                    except Exception as error:  # noqa: BLE001 - a query with no words answers an error
                        what = f"error: {error}"
                    times.append((time.perf_counter() - start) * 1000)
                every += times
                per_query[query] = (statistics.median(times), max(times), what)
            rows = []
            for query in ("model", "induction", "KeyError"):
                start = time.perf_counter()
                for _ in range(args.runs):
                    store.experiment_rows(100, 0, query)
                rows.append((query, (time.perf_counter() - start) * 1000 / args.runs))
    print(
        f"Search over {args.experiments:,} experiments, {args.surprises:,} surprises with explanations, "
        f"{args.hypotheses:,} hypotheses ({2 * args.hypotheses:,} predictions, {2 * args.hypotheses:,} notes)"
    )
    print(
        f"  built in {built:.1f} s; logbook {size / 1e6:.0f} MB, of which the index {index_pages / 1e6:.0f} MB"
    )
    print(
        f"  Store.search, every kind, 5 hits each: median {statistics.median(every):.1f} ms, "
        f"p95 {percentile(every, 0.95):.1f} ms, max {max(every):.1f} ms "
        f"({len(QUERIES)} queries x {args.runs} runs; goal: median < 50 ms)"
    )
    for query, (median, worst, what) in per_query.items():
        print(f"    {query!r:<26} median {median:6.1f} ms  max {worst:6.1f} ms  {what}")
    for query, ms in rows:
        print(f"  the experiments list filtered by {query!r}, newest 100: {ms:.1f} ms")
    print(
        json.dumps({"median_ms": statistics.median(every), "p95_ms": percentile(every, 0.95)}),
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
