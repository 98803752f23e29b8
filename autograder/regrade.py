"""The regrade report: when grade-all (or --merge) rewrites a gradebook and scores change.

Before a run writes OUT, earlier() reads what OUT holds (batch.json's rows, the gradebook's
bytes, each student's skip key). After it, record() compares: when any score changed, the
earlier gradebook.csv and batch.json are kept as OUT/history/<UTC time>-gradebook.csv and
-batch.json, OUT/regrade.csv gets one row per changed exercise of each student and one for
the total (and the final score, when deadlines apply), and one line is printed. When nothing
changed nothing is written. Students new to this run or gone from it are not regrades.

regrade.csv: student,exercise,old,new,reason; reason names what changed between the two skip
keys, "; "-separated: engine, graders, config, data (digests.py), submission, only (--only
differs); "forced" when none did (--force, or grading that is not deterministic).
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from .digests import PARTS
from .gradebook import Row
from .results import write_atomic
from .text import for_csv, plain

INTERRUPTED = "not graded: the run was interrupted"
COLUMNS = ["student", "exercise", "old", "new", "reason"]


@dataclass
class Earlier:
    rows: dict[str, dict] = field(default_factory=dict)  # name -> batch.json row
    gradebook: bytes | None = None
    batch: bytes | None = None
    keys: dict[str, dict] = field(default_factory=dict)  # name -> skip key


def read_key(folder: Path) -> dict:
    try:
        key = json.loads((folder / ".key").read_text())
    except (OSError, ValueError):
        return {}
    return key if isinstance(key, dict) else {}


def earlier(out: Path) -> Earlier:
    """What OUT holds before a run rewrites it (nothing, for a new OUT)."""
    out = Path(out)
    try:
        batch = (out / "batch.json").read_bytes()
        rows = {row["name"]: row for row in json.loads(batch)["rows"] if isinstance(row.get("name"), str)}
        gradebook = (out / "gradebook.csv").read_bytes()
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Earlier()
    keys = {name: read_key(out / "students" / name) for name in rows if _plain_name(name)}
    return Earlier(rows, gradebook, batch, keys)


def _plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\0" not in name and name not in (".", "..")


def reason(old: dict, new: dict) -> str:
    if not old or not new:
        return "unknown (no earlier skip key)"
    changed = [part for part in (*PARTS, "submission", "only") if old.get(part) != new.get(part)]
    return "; ".join(changed) or "forced"


def _number(value) -> str:
    return "" if value is None else f"{float(value):g}"


def changes(before: Earlier, rows: list[Row], keys: dict[str, dict], exercises: list[str]) -> list[list[str]]:
    """[student, exercise, old, new, reason] for every score that differs (raw names, not yet escaped)."""
    found = []
    for row in sorted(rows, key=lambda row: row.name):
        old = before.rows.get(row.name)
        if old is None or INTERRUPTED in row.detail or INTERRUPTED in str(old.get("detail", "")):
            continue
        why = None
        olds = old.get("scores") or {}
        pairs = [(exercise, _number(olds.get(exercise)), _number(row.scores.get(exercise))) for exercise in exercises]
        pairs.append(("total", _number(old.get("total")), _number(row.total)))
        if old.get("final") is not None or row.final is not None:
            pairs.append(("final", _number(old.get("final")), _number(row.final)))
        for exercise, was, now in pairs:
            if was != now:
                why = why or reason(before.keys.get(row.name, {}), keys.get(row.name, {}))
                found.append([row.name, exercise, was, now, why])
    return found


def csv_text(found: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([for_csv(cell) for cell in line] for line in found)
    return buffer.getvalue()


def record(out: Path, before: Earlier, rows: list[Row], exercises: list[str]) -> str:
    """Compare with the earlier gradebook; keep it and write regrade.csv when a score changed.
    Returns the line to print ("" when nothing changed)."""
    out = Path(out)
    keys = {row.name: read_key(out / "students" / row.name) for row in rows
            if row.name in before.rows and _plain_name(row.name)}
    found = changes(before, rows, keys, exercises)
    if not found or before.gradebook is None:
        return ""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    history = out / "history"
    number, name = 1, stamp
    while (history / f"{name}-gradebook.csv").exists():
        number += 1
        name = f"{stamp}-{number}"
    write_atomic(history / f"{name}-gradebook.csv", before.gradebook)
    write_atomic(history / f"{name}-batch.json", before.batch)
    write_atomic(out / "regrade.csv", csv_text(found))
    per: dict[str, list[str]] = {}  # student -> the line of their final score, else of their total
    for line in found:
        if line[1] == "final" or line[1] == "total" and line[0] not in per:
            per[line[0]] = line
    up = sum(float(line[3]) > float(line[2]) for line in per.values() if line[2] and line[3])
    down = sum(float(line[3]) < float(line[2]) for line in per.values() if line[2] and line[3])
    other = sum(not (line[2] and line[3]) for line in per.values())
    students = len({line[0] for line in found})
    return (f"regrade: {students} students changed ({up} up, {down} down"
            + (f", {other} graded or ungraded" if other else "") + ")"
            + f" -> {plain(out / 'regrade.csv')} (earlier gradebook: {plain(history / (name + '-gradebook.csv'))})")


def read(out: Path) -> list[dict[str, str]]:
    """regrade.csv's rows, as written (escaped cells), for the class report; [] when there is none."""
    try:
        return list(csv.DictReader(io.StringIO((Path(out) / "regrade.csv").read_text())))
    except (OSError, ValueError, csv.Error):
        return []
