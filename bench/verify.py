"""`logbook verify` on a logbook of 100,000 events (target: under 2 s).

    python bench/verify.py [--events 100000]

A synthetic logbook (50 hypotheses, 200 predictions, credence changes, notes
and mode switches, then judgements after experiments in one transaction for
the rest) is written through the Store API; then the whole check is timed: the
hash of every event recomputed, the records rebuilt from the events, and every
record compared with them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from logbook.store import Store  # noqa: E402
from logbook.verify import verify_logbook  # noqa: E402


def fill(store: Store, events: int) -> None:
    """Hypotheses, predictions and changes of belief first, then judgements in one transaction."""
    predictions = []
    for i in range(50):
        h = store.add_hypothesis(f"hypothesis {i}: head {i % 4} in layer {i % 2} copies", 0.5)
        for k in range(4):
            predictions.append(store.add_prediction(h.id, f"score_{i}_{k} > 0.5", 0.6 + k / 10))
    for n in range(events // 100):
        store.update_credence(f"H{n % 50 + 1}", 0.3 + (n % 7) / 10, "after a run")
        if n % 2 == 0:
            store.add_note(f"note {n}")
        if n % 5 == 0:
            store.set_mode(("confirm", "red-team", "explore")[n % 3])
    start = datetime.now(timezone.utc)
    with store.transaction():
        for n in range(events - store.chain_head()["events"]):
            experiment = store.insert_experiment(
                {
                    "source": f"score = probe(layer={n % 2})",
                    "started_at": (start + timedelta(seconds=n)).isoformat(),
                    "duration_ms": 3.0,
                    "ok": 1,
                },
                [],
            )
            store.add_judgement(
                held=n % 3 != 0,
                prediction=predictions[n % len(predictions)],
                observed={"score": {"type": "float", "value": n / events}},
                surprisal_bits=0.5,
                experiment_id=experiment,
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "logbook.db") as store:
        started = time.perf_counter()
        fill(store, args.events)
        filled = time.perf_counter() - started
        print(f"logbook verify on {store.chain_head()['events']} events (written in {filled:.0f} s)")
        for _ in range(3):
            started, cpu = time.perf_counter(), time.process_time()
            result = verify_logbook(store)
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
            verdict = "ok" if result.ok else result.summary()
            print(f"  {took:6.2f} s  (CPU {cpu:.2f} s)  {verdict}  (target < 2 s)")


if __name__ == "__main__":
    main()
