"""The clock: 'now' in UTC and 'today' in a setting's time zone. Tests fix time with time-machine."""

import datetime as dt
import zoneinfo

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today(tz_name: str = "Europe/London") -> dt.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(tz_name)).date()


def start_of_day(day: dt.date, tz_name: str = "Europe/London") -> dt.datetime:
    """Midnight at the start of `day` in the given zone, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=zoneinfo.ZoneInfo(tz_name))
