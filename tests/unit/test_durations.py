"""How long a brainstorm ran is counted one way everywhere: from its start, pauses left out."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from logbook.durations import brainstorm_seconds, humanise, paused_seconds

START = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


@dataclass
class Clock:
    started_at: datetime = START
    finished_at: Optional[datetime] = None
    paused_at: Optional[datetime] = None
    paused_seconds: float = 0.0


def test_a_running_brainstorm_counts_up_to_now() -> None:
    assert brainstorm_seconds(Clock(), now=at(90)) == 90


def test_pauses_that_ended_are_left_out() -> None:
    assert brainstorm_seconds(Clock(paused_seconds=30), now=at(90)) == 60


def test_a_paused_brainstorm_stops_at_its_pause() -> None:
    clock = Clock(paused_at=at(40), paused_seconds=10)
    assert brainstorm_seconds(clock, now=at(500)) == 30
    assert paused_seconds(clock, now=at(500)) == 10 + 460


def test_a_finished_brainstorm_counts_to_its_finish_whatever_the_time() -> None:
    clock = Clock(finished_at=at(300), paused_seconds=29)
    assert brainstorm_seconds(clock, now=at(9999)) == 271
    assert brainstorm_seconds(clock) == 271


def test_a_clock_never_runs_backwards() -> None:
    assert brainstorm_seconds(Clock(paused_seconds=100), now=at(10)) == 0


def test_durations_read_as_a_person_would_say_them() -> None:
    assert [humanise(s) for s in (0.013, 10.346, 125, 3840)] == ["13 ms", "10.3 s", "2 min 5 s", "1 h 4 min"]
