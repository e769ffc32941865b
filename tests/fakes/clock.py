"""A clock tests move by hand, and putting the in-process bot on it with its jobs held."""

from __future__ import annotations

from datetime import datetime

from bot.app import BotApplication


class Clock:
    """Returns `now`, which the test sets."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def hold_jobs(app: BotApplication, now: datetime) -> Clock:
    """Stop the scheduled jobs (the test runs them itself) and put the bot on a clock at `now`."""
    jobs = app.job_queue
    assert jobs is not None
    for job in jobs.jobs():
        job.enabled = False
    clock = Clock(now)
    app.bot_data.clock = clock
    return clock
