"""How well stated credences matched outcomes: bands, frequencies and the Brier score.

Each prediction counts once, by its first verdict: a prediction that failed
and held on a later run still counts as failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .models import Prediction

BAND_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    count: int
    came_true: int
    mean_credence: float

    @property
    def frequency(self) -> float:
        return self.came_true / self.count if self.count else 0.0

    @property
    def label(self) -> str:
        return f"{self.low:.1f}-{min(self.high, 1.0):.1f}"


@dataclass(frozen=True)
class Calibration:
    bands: list[Band]
    brier: float | None
    judged: int


def calibrate(outcomes: list[tuple[float, bool]]) -> Calibration:
    """Group (credence, came true) pairs into credence bands; Brier = mean (p - outcome)^2."""
    bands = []
    for low, high in zip(BAND_EDGES, BAND_EDGES[1:]):
        inside = [(p, held) for p, held in outcomes if low <= p < high]
        if inside:
            bands.append(
                Band(
                    low=low,
                    high=high,
                    count=len(inside),
                    came_true=sum(held for _, held in inside),
                    mean_credence=sum(p for p, _ in inside) / len(inside),
                )
            )
    brier = sum((p - float(held)) ** 2 for p, held in outcomes) / len(outcomes) if outcomes else None
    return Calibration(bands=bands, brier=brier, judged=len(outcomes))


def first_verdicts(predictions: Iterable[Prediction]) -> list[tuple[float, bool]]:
    """(credence, came true) for each judged prediction, by its first verdict."""
    return [(p.credence, p.first_verdict == "held") for p in predictions if p.first_verdict is not None]
