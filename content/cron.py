"""Cron lines as people write them, for APScheduler.

APScheduler 3 numbers weekdays from Monday = 0, while crontab (and every commune IT officer)
uses Sunday = 0 or 7; `CronTrigger.from_crontab` passes the numbers through unchanged, so
"0 19 * * 0" would fire on Mondays. Weekday numbers are turned into names first.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger

_WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def cron_trigger(expression: str, zone: tzinfo | None = None) -> CronTrigger:
    """A trigger for a five-field crontab line; ValueError if it cannot be read."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"cần 5 trường (phút giờ ngày tháng thứ), có {len(fields)}")

    def weekday(match: re.Match[str]) -> str:
        number = int(match.group(0))
        if number > 7:
            raise ValueError(f"thứ trong tuần phải từ 0 đến 7, có {number}")
        return _WEEKDAYS[number]

    # numbers after "/" are steps, not weekdays
    fields[4] = re.sub(r"(?<!/)\b\d+\b", weekday, fields[4])
    minute, hour, day, month, day_of_week = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=day_of_week, timezone=zone)
