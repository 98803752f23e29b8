"""Deadlines, late penalties and extensions: one rule, for grade-all and for Gradescope.

A submission handed in after its due time (the student's extension, if they have one) is
late by the started days (or hours) past it: one second late is one day. The penalty is that
count times the rate, at most the whole score; the final score is total x (1 - penalty).

Submission times come from the platform (Gradescope's created_at; for repositories, the time
runners/fetch_submissions.py fetched them or the hosting service's pushed time), never from
anything the student controls such as a commit's date. A time without a zone is refused: it
would be a guess. A student with no time is flagged in the gradebook (final left blank), never
taken to be on time.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import datetime, timedelta
from pathlib import Path

from .errors import UsageError

NO_TIME = "no submission time in --submitted-at: final left blank (add the student's time and run grade-all again)"


def parse_time(text: object) -> datetime | None:
    """An ISO 8601 time with its zone ("2026-12-01T17:00:00+01:00", "...Z"), else None."""
    try:
        moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def need_time(text: str, what: str) -> datetime:
    moment = parse_time(text)
    if moment is None:
        raise UsageError(f"{what} '{text}' is not an ISO 8601 time with its zone, like 2026-12-01T17:00:00+00:00")
    return moment


def late_units(submitted: datetime, due: datetime, unit: str = "day") -> int:
    """Started days (or hours) after the due time; 0 when on time."""
    if submitted <= due:
        return 0
    return math.ceil((submitted - due) / timedelta(**{f"{unit}s": 1}))


def penalty(units: int, rate: float) -> float:
    """The share of the score taken: units x rate, at most 1."""
    return min(1.0, round(units * rate, 12))


def read_times(path: Path, column: str) -> dict[str, datetime]:
    """{student: time} from a CSV with the header `student,<column>` (other columns ignored)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot be read ({error})") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "student" not in reader.fieldnames or column not in reader.fieldnames:
        raise UsageError(f"{path}: needs the header student,{column}")
    found: dict[str, datetime] = {}
    for number, row in enumerate(reader, start=2):
        student, when = (row.get("student") or "").strip(), (row.get(column) or "").strip()
        if not student and not when:
            continue
        if not student:
            raise UsageError(f"{path}, line {number}: no student")
        if student in found:
            raise UsageError(f"{path}, line {number}: {student!r} is listed twice")
        found[student] = need_time(when, f"{path}, line {number}: {column}")
    return found


def check_rate(rate: float) -> float:
    if not 0 <= rate <= 1:
        raise UsageError(f"--late-penalty {rate:g}: give the share of the score taken per started day, 0 to 1")
    return rate


def apply(rows, *, due: datetime, rate: float, submitted: dict[str, datetime],
          extensions: dict[str, datetime]) -> None:
    """Set each gradebook row's submitted_at, late_days, penalty and final (rows are gradebook.Row)."""
    for row in rows:
        when = submitted.get(row.name)
        if when is None:
            row.submitted_at, row.late_days, row.penalty, row.final = "", None, None, None
            if row.total is not None:
                row.detail = NO_TIME + (f"; {row.detail}" if row.detail else "")
            continue
        days = late_units(when, extensions.get(row.name, due))
        row.submitted_at = when.isoformat()
        row.late_days = days
        row.penalty = penalty(days, rate)
        row.final = None if row.total is None else round(row.total * (1 - row.penalty), 6)


def from_options(due: str | None, rate: float | None, submitted_at: Path | None, extensions: Path | None) -> dict | None:
    """The late rule of a run ({"rule": apply's arguments, "manifest": what batch.json records})."""
    if due is None:
        if rate is not None or submitted_at is not None or extensions is not None:
            raise UsageError("--late-penalty, --submitted-at and --extensions need --due")
        return None
    if submitted_at is None:
        raise UsageError("--due needs --submitted-at CSV (student,submitted_at: times from the platform)")
    moment = need_time(due, "--due")
    rate = check_rate(0.0 if rate is None else float(rate))
    times = read_times(submitted_at, "submitted_at")
    extended = read_times(extensions, "due") if extensions is not None else {}
    return {"rule": {"due": moment, "rate": rate, "submitted": times, "extensions": extended},
            "manifest": {"due": moment.isoformat(), "late_penalty": rate,
                         "extensions": {name: when.isoformat() for name, when in sorted(extended.items())}}}
