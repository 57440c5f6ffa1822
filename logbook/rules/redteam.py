"""Red-teaming: when a hypothesis is going well enough to try to break it, and how the attempts went.

A hypothesis is *going well* while it is active and either its credence
reached :data:`CREDENCE` or :data:`HELD` of its predictions held (by their
first verdict) with none failed. The sidebar then offers falsification
templates; a prediction written while the mode is ``red-team`` is a red-team
prediction, and the report counts, per hypothesis, those it survived (held)
and failed, and compares calibration across modes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from logbook.models import (
    Hypothesis,
    HypothesisStatus,
    Prediction,
    ResearchMode,
)
from logbook.rules.calibration import calibrate, first_verdicts
from logbook.words import MODE_NAMES, mode_name

#: Credence from which a hypothesis is going well.
CREDENCE = 0.8
#: Predictions held, with none failed, from which a hypothesis is going well.
HELD = 3


def going_well_reason(hypothesis: Hypothesis) -> Optional[str]:
    """Why ``hypothesis`` is going well enough to red-team, or None when it is not.

    >>> going_well_reason(Hypothesis(id="H1", statement="s", credence=0.85))
    'credence 0.85'
    """
    if hypothesis.status is not HypothesisStatus.active:
        return None
    verdicts = [p.first_verdict for p in hypothesis.predictions if p.first_verdict]
    held, failed = verdicts.count("held"), verdicts.count("failed")
    if hypothesis.credence >= CREDENCE:
        return f"credence {hypothesis.credence:.2f}"
    if held >= HELD and not failed:
        return f"{held} predictions held, none failed"
    return None


def going_well(hypothesis: Hypothesis) -> bool:
    """Whether the sidebar offers to red-team ``hypothesis`` (see :func:`going_well_reason`)."""
    return going_well_reason(hypothesis) is not None


@dataclass(frozen=True)
class RedTeamTally:
    """A hypothesis' red-team predictions: survived (held), failed, and not judged yet."""

    hypothesis_id: str
    survived: int
    failed: int
    pending: int


def red_team_tally(hypothesis: Hypothesis) -> RedTeamTally:
    """Count the red-team predictions of ``hypothesis`` by first verdict."""
    red = [p for p in hypothesis.predictions if p.mode is ResearchMode.red_team]
    verdicts = [p.first_verdict for p in red]
    return RedTeamTally(hypothesis.id, verdicts.count("held"), verdicts.count("failed"), verdicts.count(None))


def calibration_by_mode(predictions: Iterable[Prediction]) -> dict[str, tuple[int, int, float, float]]:
    """Per mode: (judged, came true, mean credence, Brier score), by first verdict.

    Mean credence above the share that came true means overconfidence in that mode.
    """
    by_mode: dict[str, list[Prediction]] = {}
    for p in predictions:
        by_mode.setdefault(mode_name(p.mode), []).append(p)
    result = {}
    for mode in MODE_NAMES:
        outcomes = first_verdicts(by_mode.get(mode, []))
        if outcomes:
            scored = calibrate(outcomes)
            mean = sum(p for p, _ in outcomes) / len(outcomes)
            result[mode] = (len(outcomes), sum(held for _, held in outcomes), mean, scored.brier or 0.0)
    return result


def red_team_tallies(hypotheses: Iterable[Hypothesis]) -> list[RedTeamTally]:
    """The tallies of the hypotheses that have red-team predictions."""
    tallies = [red_team_tally(h) for h in hypotheses]
    return [t for t in tallies if t.survived or t.failed or t.pending]


def red_team_section(
    hypotheses: list[Hypothesis], lines: list[str], link: Callable[[str], str] = str
) -> None:
    """The body of the report's "Red team" section: per hypothesis (``link`` names one), and calibration by mode."""
    tallies = red_team_tallies(hypotheses)
    if tallies:
        lines += ["| hypothesis | survived | failed | pending |", "|---|---|---|---|"]
        lines += [f"| {link(t.hypothesis_id)} | {t.survived} | {t.failed} | {t.pending} |" for t in tallies]
        lines.append("")
    else:
        lines += ["No predictions were written in red-team mode.", ""]
    modes = calibration_by_mode(p for h in hypotheses for p in h.predictions)
    if not modes:
        return
    lines += [
        "Calibration by the mode a prediction was written in (first verdicts): a mean credence above "
        "the share that came true is overconfidence.",
        "",
        "| mode | judged | came true | share | mean credence | Brier |",
        "|---|---|---|---|---|---|",
    ]
    for mode, (judged, held, mean, brier) in modes.items():
        lines.append(f"| {mode} | {judged} | {held} | {held / judged:.2f} | {mean:.2f} | {brier:.3f} |")
    lines.append("")
