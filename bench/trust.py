"""What signing and verifying predictions costs, against plain reads of the same predictions.

    python bench/trust.py [--predictions 10000] [--repeats 5]

A synthetic logbook of 100 hypotheses holding ``--predictions`` predictions
in all, each signed with a throwaway secret. Measured in one run (best of
``--repeats``): signing each prediction, verifying each, and reading them all
into models as the store does (which verifies each one) against the baseline
of the same read without verifying. Times are this process's CPU time, so
other work on the machine does not count. The budget is 0.05 ms per
prediction for signing plus verifying; the exit status is 1 over it.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Callable

BUDGET_MS = 0.05


def best(action: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` runs of ``action``, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.process_time()
        action()
        times.append(time.process_time() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="logbook-trust-bench-") as folder:
        return run(Path(folder), args.predictions, args.repeats)


def run(folder: Path, n: int, repeats: int) -> int:
    os.environ["LOGBOOK_SECRET_FILE"] = str(folder / "logbook_secret")

    from logbook.models import Prediction
    from logbook.rules import trust
    from logbook.store.core import Store
    from logbook.store.tables.base import now

    per = max(n // 100, 1)
    with Store(folder / "logbook.db") as store:
        for h in range(100):
            store.add_hypothesis(f"hypothesis {h}", 0.5)
        at = now()
        rows = [
            {
                "id": f"H{i // per + 1}.P{i % per + 1}",
                "hypothesis_id": f"H{i // per + 1}",
                "seq": i % per + 1,
                "kind": "expression",
                "expression": f"score_{i} > 0.5 and len(heads_{i}) == 2",
                "names": json.dumps([f"score_{i}", f"heads_{i}"]),
                "credence": 0.7,
                "created_at": at,
                "state": "pending",
            }
            for i in range(n)
        ]
        trust.secret()  # made once, as on first use
        # With the hypothesis' statement and the logbook's id, as a signature covers them.
        signed = [store.predictions.trust_fields(row, create=True) for row in rows]
        sign_s = best(lambda: [trust.sign(fields) for fields in signed], repeats)
        with store.transaction():
            store.db["predictions"].insert_all(
                {**row, "signature": trust.sign(fields)} for row, fields in zip(rows, signed)
            )
        stored = [
            (store.predictions.trust_fields(row), row["signature"])
            for row in store.db.query("SELECT * FROM predictions")
        ]
        verify_s = best(lambda: [trust.verify(fields, signature) for fields, signature in stored], repeats)
        assert all(trust.verify(fields, signature) for fields, signature in stored)

        def plain_read() -> list[Prediction]:
            return [
                Prediction(
                    id=row["id"],
                    hypothesis_id=row["hypothesis_id"],
                    kind=row["kind"],
                    expression=row["expression"],
                    names=json.loads(row["names"]),
                    credence=row["credence"],
                    created_at=row["created_at"],
                    state=row["state"],
                    error=row["error"],
                    evaluated_at=row["evaluated_at"],
                )
                for row in store.db.query("SELECT * FROM predictions")
            ]

        def verified_read() -> list[Prediction]:
            return store.predictions.matching("1", [])

        plain_s = best(plain_read, repeats)
        verified_s = best(verified_read, repeats)
        assert all(p.trusted for p in verified_read())

    def per_ms(seconds: float) -> float:
        return seconds / n * 1000

    both = per_ms(sign_s) + per_ms(verify_s)
    print(f"{n:,} predictions, best of {repeats}")
    print(f"  sign              {sign_s * 1000:8.1f} ms  ({per_ms(sign_s):.4f} ms each)")
    print(f"  verify            {verify_s * 1000:8.1f} ms  ({per_ms(verify_s):.4f} ms each)")
    print(f"  sign + verify     {both * n:8.1f} ms  ({both:.4f} ms each; budget {BUDGET_MS} ms)")
    print(f"  read, baseline    {plain_s * 1000:8.1f} ms  ({per_ms(plain_s):.4f} ms each)")
    print(
        f"  read, verified    {verified_s * 1000:8.1f} ms  ({per_ms(verified_s):.4f} ms each; "
        f"+{per_ms(verified_s - plain_s):.4f} ms, ratio {verified_s / plain_s:.2f})"
    )
    return 0 if both < BUDGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
