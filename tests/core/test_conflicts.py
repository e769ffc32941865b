from __future__ import annotations

from bot.core.conflicts import ConflictStep, ConflictWatch

WARN, QUIET, GIVE_UP = ConflictStep.WARN, ConflictStep.QUIET, ConflictStep.GIVE_UP


def test_a_warning_a_minute_then_giving_up() -> None:
    watch = ConflictWatch(give_up_after=300.0)
    steps = [watch.conflict(float(t)) for t in range(0, 301, 10)]
    assert steps[0] == WARN
    assert steps[1:6] == [QUIET] * 5
    assert steps[6] == WARN  # at 60 s
    assert [n for n, step in enumerate(steps) if step is WARN] == [0, 6, 12, 18, 24]
    assert steps[-1] == GIVE_UP  # at 300 s
    assert watch.seconds(300.0) == 300.0


def test_a_quiet_minute_ends_the_run() -> None:
    watch = ConflictWatch(give_up_after=120.0)
    assert watch.conflict(0.0) == WARN
    assert watch.conflict(100.0) == WARN  # quiet for over a minute: a new run, warned again
    assert watch.conflict(200.0) == WARN
    assert watch.conflict(210.0) == QUIET
    # The run that began at 200 s lasts two minutes with a conflict every 10 s.
    steps = [watch.conflict(float(t)) for t in range(220, 321, 10)]
    assert steps[:-1] == [QUIET, QUIET, QUIET, QUIET, WARN, QUIET, QUIET, QUIET, QUIET, QUIET]
    assert steps[-1] == GIVE_UP
