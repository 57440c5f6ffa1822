"""Credences that add up: a competing set's distribution, how it gives way, and Bayes' rule on it.

Pure functions over ``{member: credence}`` dicts, where the key
:data:`ELSE` is the set's *something else* remainder. Every function
returns a distribution that sums to 1 (the remainder takes the rounding).

>>> give_way({"H1": 0.5, "H2": 0.3, ELSE: 0.2}, "H1", 0.7)
{'H1': 0.7, 'H2': 0.18, 'else': 0.12}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

#: The key of a set's "something else" remainder.
ELSE = "else"

#: Credences are kept to this many decimals, so sums are exact enough to check.
DIGITS = 12


class BeliefError(ValueError):
    """A change the distribution cannot take (no one left to give way, probabilities that are not)."""


def settle(credences: Mapping[str, float]) -> dict[str, float]:
    """``credences`` rounded, with the remainder (or the largest member) taking what rounding left over."""
    out = {k: round(max(0.0, float(v)), DIGITS) for k, v in credences.items()}
    total = sum(out.values())
    if total <= 0:
        raise BeliefError("the credences sum to 0: nothing to hold")
    if abs(total - 1.0) > 1e-6:
        out = {k: round(v / total, DIGITS) for k, v in out.items()}
    key = ELSE if ELSE in out and out[ELSE] > 0 else max(out, key=lambda k: out[k])
    out[key] = round(max(0.0, 1.0 - sum(v for k, v in out.items() if k != key)), DIGITS)
    return out


def normalise(credences: Mapping[str, float], remainder: Optional[float] = None) -> dict[str, float]:
    """Members' credences and a remainder as one distribution.

    With ``remainder`` given, the members share ``1 - remainder`` in proportion
    to their credences; without it, the remainder is what the members leave
    (``1 - sum``), or 0.1 when they already claim everything.
    """
    total = sum(credences.values())
    if remainder is None:
        remainder = 1.0 - total if total < 1.0 else 0.1
    if not 0.0 <= remainder <= 1.0:
        raise BeliefError(f"something else must be between 0 and 1, not {remainder}")
    share = 1.0 - remainder
    if total > 0:
        members = {k: v * share / total for k, v in credences.items()}
    else:
        members = {k: share / len(credences) for k in credences} if credences else {}
    if not members and remainder < 1.0:
        remainder = 1.0
    return settle({**members, ELSE: remainder})


def give_way(
    credences: Mapping[str, float],
    member: str,
    value: float,
    giving: Optional[Iterable[str]] = None,
    frozen: Iterable[str] = (),
) -> dict[str, float]:
    """``member`` set to ``value``; the ``giving`` members (default: all others) give or take the difference.

    They give way in proportion to what they hold; when they hold nothing
    they share it equally. ``frozen`` members (refuted ones) never take any.
    """
    if member not in credences:
        raise BeliefError(f"{member} is not in this set")
    if not 0.0 <= value <= 1.0:
        raise BeliefError(f"a credence is between 0 and 1, not {value}")
    frozen = set(frozen)
    if giving is None:
        pool = [k for k in credences if k != member and (k not in frozen or credences[k] > 0)]
    else:
        pool = list(dict.fromkeys(giving))
        for k in pool:
            if k not in credences or k == member:
                raise BeliefError(f"{k} cannot give way: it is not another member of this set")
    fixed = sum(v for k, v in credences.items() if k != member and k not in pool)
    room = 1.0 - value - fixed
    if room < -1e-9:
        raise BeliefError(
            f"{', '.join(pool) or 'no one'} cannot give way enough: the others keep {fixed:.3g},"
            f" so {member} can hold at most {1 - fixed:.3g}"
        )
    room = max(room, 0.0)
    held = sum(credences[k] for k in pool)
    out = dict(credences)
    out[member] = value
    if held > 0:
        for k in pool:
            out[k] = credences[k] * room / held
    else:
        takers = [k for k in pool if k not in frozen] or ([ELSE] if ELSE in credences else [])
        if room > 1e-12 and not takers:
            raise BeliefError(f"no one is left to take the {room:.3g} that {member} gives up")
        for k in takers:
            out[k] = room / len(takers)
    return settle(out)


@dataclass(frozen=True)
class Posterior:
    """Bayes' rule on a distribution: what each member held, how likely the outcome was under it, after."""

    before: dict[str, float]
    likelihoods: dict[str, float]
    after: dict[str, float]
    #: P(outcome | the prediction's hypothesis) / P(outcome | the rest, weighted by credence).
    ratio: Optional[float]
    #: P(outcome) under the prior.
    evidence: float


def posterior(
    before: Mapping[str, float], likelihoods: Mapping[str, float], subject: Optional[str] = None
) -> Posterior:
    """The posterior of ``before`` given the outcome's ``likelihoods`` (one per member).

    >>> posterior({"H1": 0.5, "H2": 0.5}, {"H1": 0.9, "H2": 0.3}, "H1").after
    {'H1': 0.75, 'H2': 0.25}
    """
    for k, p in likelihoods.items():
        if not 0.0 <= p <= 1.0:
            raise BeliefError(f"the likelihood under {k} must be between 0 and 1, not {p}")
    missing = [k for k in before if k not in likelihoods]
    if missing:
        raise BeliefError(f"no likelihood under {', '.join(missing)}")
    joint = {k: before[k] * likelihoods[k] for k in before}
    evidence = sum(joint.values())
    if evidence <= 0:
        raise BeliefError("every member gave this outcome probability 0: Bayes' rule cannot say")
    after = settle({k: v / evidence for k, v in joint.items()})
    ratio = None
    if subject is not None:
        rest = sum(before[k] for k in before if k != subject)
        if rest > 0:
            rest_likelihood = sum(joint[k] for k in before if k != subject) / rest
            ratio = likelihoods[subject] / rest_likelihood if rest_likelihood > 0 else None
    return Posterior(dict(before), dict(likelihoods), after, ratio, evidence)


def outcome_likelihoods(
    members: Iterable[str],
    subject: str,
    credence: float,
    held: bool,
    stated: Mapping[str, float],
    default: float = 0.5,
) -> dict[str, float]:
    """P(the outcome seen | each member): the prediction's credence for its own hypothesis, ``stated``
    (P(the prediction holds | rival)) for the others; rivals without one get ``stated[ELSE]`` if given,
    else ``default``."""
    fallback = stated.get(ELSE, default)
    out = {}
    for k in members:
        p_true = credence if k == subject else stated.get(k, fallback)
        out[k] = p_true if held else 1.0 - p_true
    return out
