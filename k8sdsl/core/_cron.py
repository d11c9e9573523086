"""CronJob schedules and time zones, judged as the API server judges them.

The API server parses ``spec.schedule`` with robfig/cron v3's standard parser: five fields
(minute, hour, day of month, month, day of week) or a macro (``@hourly``, ``@daily``...,
``@every 1h30m``). Each field is a list of ``*``, ``?``, a value, a range ``a-b``, each
optionally stepped (``*/15``, ``1-10/2``; ``5/15`` means from 5 to the end). Months and
days of the week may be names (``JAN``, ``mon``, any case). Day of week is 0-6 (Sunday is 0):
unlike some crons, 7 is refused. A schedule containing ``TZ`` (``CRON_TZ=Europe/Paris ...``)
is refused on create since Kubernetes 1.27 (use ``spec.timeZone``).

``spec.timeZone`` is loaded from the IANA database (Go's ``time.LoadLocation``); here the
database is Python's (:func:`zoneinfo.available_timezones`: the ``tzdata`` package, else the
system's zoneinfo). ``Local`` is refused: it would depend on the controller's host.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache

from k8sdsl.core._suggest import suggest

MACROS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
"""The schedule macros the standard parser knows (``@every <duration>`` besides)."""

_MONTHS = {
    name: i + 1
    for i, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_DAYS = {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int] | None = None


FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day-of-month", 1, 31),
    _Field("month", 1, 12, _MONTHS),
    _Field("day-of-week", 0, 6, _DAYS),
)
#: a Go duration (time.ParseDuration): 1h30m, 90s, 1.5h
_GO_DURATION = re.compile(r"^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)")


@dataclass(frozen=True)
class CronProblem:
    """What is wrong with a schedule: the field (``day-of-week``; None for the whole
    schedule), a message naming the value, and the fix."""

    field: str | None
    message: str
    hint: str


def _go_duration(text: str) -> bool:
    rest = text
    if not rest:
        return False
    while rest:
        match = _GO_DURATION.match(rest)
        if match is None:
            return False
        rest = rest[match.end() :]
    return True


def _value(part: str, field: _Field) -> int | CronProblem:
    if field.names is not None and part.lower() in field.names:
        return field.names[part.lower()]
    if part.isascii() and part.isdigit():
        return int(part)
    names = f" or a name ({', '.join(n.upper() for n in field.names)})" if field.names else ""
    return CronProblem(
        field.name,
        f"{field.name} {part!r} is not a number" + (" nor a name" if field.names else ""),
        f"use a number from {field.low} to {field.high}{names}",
    )


def _range_hint(field: _Field) -> str:
    if field.name == "day-of-week":
        return "use 0-6 (Sunday is 0) or SUN-SAT; Kubernetes' cron parser refuses 7"
    if field.names:
        return f"use {field.low}-{field.high} or JAN-DEC"
    return f"use a value from {field.low} to {field.high}"


def _field_problems(text: str, field: _Field) -> list[CronProblem]:
    problems: list[CronProblem] = []
    for part in text.split(","):
        range_and_step = part.split("/")
        if len(range_and_step) > 2:
            problems.append(
                CronProblem(
                    field.name,
                    f"{field.name} {part!r} has more than one '/'",
                    "write one step per range: */15 or 0-30/5",
                )
            )
            continue
        low_high = range_and_step[0].split("-")
        if low_high[0] in ("*", "?"):
            start, end = field.low, field.high
        else:
            if low_high[0] == "" and len(low_high) > 1:
                problems.append(
                    CronProblem(
                        field.name,
                        f"{field.name} {part!r} is negative",
                        f"use a value from {field.low} to {field.high}",
                    )
                )
                continue
            if len(low_high) > 2:
                problems.append(
                    CronProblem(
                        field.name,
                        f"{field.name} {part!r} has more than one '-'",
                        "write a range as low-high (negative values do not exist)",
                    )
                )
                continue
            values = [_value(v, field) for v in low_high]
            bad = [v for v in values if isinstance(v, CronProblem)]
            if bad:
                problems.append(bad[0])
                continue
            numbers = [v for v in values if isinstance(v, int)]
            start, end = numbers[0], numbers[-1]
            if len(range_and_step) == 2 and len(low_high) == 1:
                end = field.high  # robfig: "N/step" means N to the end, by step
        if len(range_and_step) == 2:
            step = range_and_step[1]
            if not (step.isascii() and step.isdigit()) or int(step) == 0:
                problems.append(
                    CronProblem(
                        field.name,
                        f"{field.name} step {step!r} in {part!r} is not a positive number",
                        "use a step of 1 or more: */15",
                    )
                )
                continue
        for value in (start, end):
            if not field.low <= value <= field.high:
                problems.append(
                    CronProblem(
                        field.name,
                        f"{field.name} '{value}' is outside {field.low}-{field.high}",
                        _range_hint(field),
                    )
                )
                break
        else:
            if start > end:
                problems.append(
                    CronProblem(
                        field.name,
                        f"{field.name} range {part!r} starts after it ends",
                        f"write the range low to high ({end}-{start}), or list both parts",
                    )
                )
    return problems


def schedule_problems(schedule: str) -> list[CronProblem]:
    """Why the API server would refuse ``schedule`` (empty when it is valid)."""
    if "TZ" in schedule:
        return [
            CronProblem(
                None,
                f"schedule {schedule!r} sets a time zone (TZ or CRON_TZ), which the API server "
                "refuses",
                "drop it from the schedule and set the time zone in timeZone "
                "(time_zone= in k8sdsl)",
            )
        ]
    text = schedule.strip()
    if not text:
        return [CronProblem(None, "the schedule is empty", "write five fields: '0 3 * * *'")]
    if text.startswith("@"):
        if text in MACROS:
            return []
        if text.startswith("@every "):
            duration = text.removeprefix("@every ").strip()
            if _go_duration(duration):
                return []
            return [
                CronProblem(
                    None,
                    f"@every {duration!r} is not a duration",
                    "write a Go duration: @every 1h30m, @every 90s",
                )
            ]
        guess = suggest(text, sorted(MACROS))
        return [
            CronProblem(
                None,
                f"{text!r} is not a schedule macro",
                f"did you mean {guess!r}?"
                if guess
                else f"use one of {', '.join(sorted(MACROS))} or five fields",
            )
        ]
    fields = text.split()
    if len(fields) != 5:
        extra = " (Kubernetes has no seconds or year field)" if len(fields) in (6, 7) else ""
        return [
            CronProblem(
                None,
                f"schedule {schedule!r} has {len(fields)} field{'s' if len(fields) != 1 else ''}, "
                f"not 5{extra}",
                "write minute hour day-of-month month day-of-week: '0 3 * * *'",
            )
        ]
    problems: list[CronProblem] = []
    for value, field in zip(fields, FIELDS, strict=True):
        problems += _field_problems(value, field)
    return problems


@cache
def iana_time_zones() -> frozenset[str]:
    """The IANA time zone names Python knows (empty when it has no database at all)."""
    return frozenset(zoneinfo.available_timezones())


_TZ_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}$")


def time_zone_problem(time_zone: str) -> CronProblem | None:
    """Why the API server would refuse ``time_zone`` (None when it is a known zone, or when
    no time zone database is available to tell)."""
    if not time_zone:
        return CronProblem(
            "timeZone", "timeZone is empty", "leave it unset (the controller's zone) or name one"
        )
    if time_zone.lower() == "local":
        return CronProblem(
            "timeZone",
            f"timeZone {time_zone!r} is not an explicit time zone: the API server refuses it",
            "name an IANA zone such as 'Etc/UTC' or 'Europe/Paris'",
        )
    known = iana_time_zones()
    parts = time_zone.split("/")
    well_formed = all(
        p not in (".", "..") and not p.startswith("-") and _TZ_PART.match(p) for p in parts
    )
    if known and (not well_formed or time_zone not in known):
        guess = suggest(time_zone, sorted(known))
        return CronProblem(
            "timeZone",
            f"timeZone {time_zone!r} is not in the IANA time zone database",
            f"did you mean {guess!r}?"
            if guess
            else "name a zone such as 'Etc/UTC' or 'Europe/Paris' (see "
            "https://www.iana.org/time-zones)",
        )
    return None


__all__ = ["MACROS", "CronProblem", "iana_time_zones", "schedule_problems", "time_zone_problem"]
