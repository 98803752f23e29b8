"""Gradebook CSVs an LMS imports: Canvas and Moodle, from a grade-all output and a roster.

The grades come from OUT/batch.json (gradebook.read_rows: grade-all's rows, with the folder
names as they are; gradebook.csv has the same rows with every cell escaped for spreadsheets).

The roster is a CSV the instructor keeps, one row per student, mapping the submission folder
name to the LMS's identity for that student. Headers are matched without regard to case,
spaces or underscores, and Canvas's own export headers work as they are, so a Canvas gradebook
export with a `folder` column added is a roster:

    folder, Student (or name), ID (or canvas_id), SIS User ID, SIS Login ID, Section,
    email (or Email address), username, idnumber (or ID number)

Canvas (Grades > Import) reads: a header row `Student, ID, SIS User ID, SIS Login ID, Section`,
then one column per assignment ("Title" creates one, "Title (123)" updates assignment 123),
a "Points Possible" row, then one row per student; it matches a student by ID, then SIS User
ID, then SIS Login ID, then name. Moodle (Grades > Import > CSV file) reads a header row and
one row per student; the import form maps one column to a user field (email address, username
or ID number) and the others to grade items or their feedback.

A blank grade is written, and listed on stderr, for a roster student with no row and for a
row without a total (refused, or an error: something to look at, not a zero). When grade-all
ran with --due, the grade is the final score (total x (1 - penalty)), per exercise too, and a
student with no submission time is left blank and listed: never taken to be on time.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from .config import Config
from .errors import UsageError
from .gradebook import Row, read_rows
from .results import write_atomic
from .text import for_csv, plain

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDENTIFIERS = {"email": "Email address", "username": "Username", "idnumber": "ID number"}
# roster header (lower case, spaces for underscores) -> our field
ALIASES = {"folder": "folder", "student": "name", "name": "name", "id": "canvas_id", "canvas id": "canvas_id",
           "sis user id": "sis_user_id", "sis login id": "sis_login_id", "section": "section",
           "email": "email", "email address": "email", "username": "username", "idnumber": "idnumber",
           "id number": "idnumber"}


def read_roster(path: Path) -> list[dict[str, str]]:
    """The roster's rows as {field: value}, in file order; a UsageError for a roster that cannot be used."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # Excel writes a byte-order mark
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read the roster ({error})") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    fields = [ALIASES.get(" ".join(name.replace("_", " ").lower().split())) for name in header]
    if "folder" not in fields:
        raise UsageError(f"{path}: the roster needs a 'folder' column (the student's folder name in SUBMISSIONS)")
    rows, seen = [], set()
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        row = {field: value.strip() for field, value in zip(fields, values) if field}
        if "points possible" in row.get("name", "").lower():
            continue  # a Canvas export used as the roster
        folder = row.get("folder", "")
        if not folder:
            raise UsageError(f"{path}, line {number}: no folder name")
        if folder in seen:
            raise UsageError(f"{path}, line {number}: folder {folder!r} is listed twice")
        seen.add(folder)
        rows.append(row)
    return rows


def read_batch(out: Path) -> tuple[list[str], dict[str, Row]]:
    """(ids of the exercises graded, {folder name: row}) of a grade-all output, from its batch.json."""
    path = Path(out) / "batch.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        exercises = list(manifest.get("only") or manifest["exercises"])  # a run with --only graded just those
        return exercises, {row.name: row for row in read_rows(out)}
    except OSError as error:
        raise UsageError(f"{path}: not there; run grade-all (or grade-all --merge) first ({error.strerror})") from None
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"{path}: not the batch.json of a grade-all run") from None


def canvas(out: Path, roster: list[dict[str, str]], config: Config, *, assignment: str,
           per_exercise: bool = False) -> tuple[str, list[str]]:
    """(Canvas gradebook CSV, notes on what was left blank or out)."""
    columns, points, rows, notes = _grades(out, roster, config, assignment, per_exercise)
    missing = [row["folder"] for row in roster
               if not (row.get("canvas_id") or row.get("sis_user_id") or row.get("sis_login_id"))]
    if missing:
        raise UsageError(f"Canvas matches students by ID, SIS User ID or SIS Login ID: the roster has none "
                         f"for {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CANVAS_IDENTITY + [for_csv(name) for name in columns])
    writer.writerow(["Points Possible", "", "", "", ""] + points)
    for student, grades in rows:
        writer.writerow([for_csv(student.get(key, "")) for key in
                         ("name", "canvas_id", "sis_user_id", "sis_login_id", "section")] + grades)
    return buffer.getvalue(), notes


def moodle(out: Path, roster: list[dict[str, str]], config: Config, *, assignment: str, identifier: str = "email",
           per_exercise: bool = False) -> tuple[str, list[str]]:
    """(Moodle grade import CSV, notes): the identifier column, the grades, and a feedback column."""
    if identifier not in MOODLE_IDENTIFIERS:
        raise UsageError(f"--moodle-id must be one of {', '.join(MOODLE_IDENTIFIERS)}")
    missing = [row["folder"] for row in roster if not row.get(identifier)]
    if missing:
        raise UsageError(f"the roster has no {identifier} for {', '.join(missing[:5])}"
                         f"{' ...' if len(missing) > 5 else ''} (Moodle matches students by it)")
    columns, _, rows, notes = _grades(out, roster, config, assignment, per_exercise)
    exercises, book = read_batch(out)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([MOODLE_IDENTIFIERS[identifier], "Full name"] + [for_csv(name) for name in columns]
                    + [for_csv(f"Feedback: {assignment}")])
    for student, grades in rows:
        row = book.get(student["folder"])
        scores = row.scores if row else {}
        feedback = "; ".join(f"{exercise} {scores[exercise]:g}/{config.exercises[exercise].max_score:g}"
                             for exercise in exercises if exercise in scores)
        writer.writerow([for_csv(student[identifier]), for_csv(student.get("name", ""))] + grades + [for_csv(feedback)])
    return buffer.getvalue(), notes


def _grades(out: Path, roster: list[dict[str, str]], config: Config, assignment: str, per_exercise: bool):
    """(column names, points possible, [(roster row, grades)], notes) for the export's grade columns."""
    exercises, book = read_batch(out)
    if not assignment.strip():
        raise UsageError("--assignment must name the LMS assignment (e.g. 'Week 3', or 'Week 3 (123)' "
                         "for Canvas's assignment 123)")
    unknown = [e for e in exercises if e not in config.exercises]
    if unknown:
        raise UsageError(f"the gradebook has exercises grading.toml does not: {', '.join(unknown)}")
    if per_exercise:
        columns = [f"{assignment}: {exercise}" for exercise in exercises]
        points = [f"{config.exercises[exercise].max_score:g}" for exercise in exercises]
    else:
        columns = [assignment]
        points = [f"{sum(config.exercises[exercise].max_score for exercise in exercises):g}"]
    rows, blank = [], []
    late = any(row.submitted_at is not None for row in book.values())  # grade-all ran with --due: final counts
    for student in roster:
        graded = book.get(student["folder"])
        if graded is None:
            blank.append(f"{student['folder']}: not in this grade-all output")
            grades = [""] * len(columns)
        elif late:
            keep = None if graded.penalty is None else 1 - graded.penalty
            grades = [_number(None if keep is None or exercise not in graded.scores else
                              round(graded.scores[exercise] * keep, 6)) for exercise in exercises] \
                if per_exercise else [_number(graded.final)]
            if graded.final is None:
                blank.append(f"{student['folder']}: {graded.status}: {graded.detail}")
        else:
            grades = [_number(graded.scores.get(exercise)) for exercise in exercises] if per_exercise else [
                _number(graded.total)]
            if graded.total is None:
                blank.append(f"{student['folder']}: {graded.status}: {graded.detail}")
        rows.append((student, grades))
    listed = {student["folder"] for student in roster}
    notes = [f"left blank: {plain(line)}" for line in blank]
    notes += [f"not in the roster, not exported: {plain(name)}" for name in book if name not in listed]
    return columns, points, rows, notes


def _number(value) -> str:
    """Points as a number for the LMS, or blank (never text a spreadsheet would run)."""
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return ""


def export(out: Path, roster_path: Path, config: Config, *, lms: str, assignment: str, to: Path | None = None,
           identifier: str = "email", per_exercise: bool = False) -> Path:
    """Write OUT/<lms>.csv (or `to`) and print what was left blank or out; returns the path written."""
    roster = read_roster(roster_path)
    if lms == "canvas":
        text, notes = canvas(out, roster, config, assignment=assignment, per_exercise=per_exercise)
    elif lms == "moodle":
        text, notes = moodle(out, roster, config, assignment=assignment, identifier=identifier,
                             per_exercise=per_exercise)
    else:
        raise UsageError(f"unknown LMS {lms!r}: canvas or moodle")
    target = Path(to) if to else Path(out) / f"{lms}.csv"
    write_atomic(target, text)
    for note in notes:
        print(note, file=sys.stderr)
    print(f"wrote {target}: {len(roster)} students, {len(notes)} notes")
    return target
