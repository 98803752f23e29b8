"""gradebook.csv and batch.json: the rows of a grade-all run, its shards and their merge.

The layout of a grade-all OUT folder is in batch.py's docstring. read_rows(OUT) gives the rows
with the folder names as they are, for tools that build on a run (exports, the class report).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import UsageError
from .results import write_atomic, write_json
from .text import for_csv, plain

STATUSES = ("graded", "missing", "does-not-import", "refused", "error")


@dataclass
class Row:
    name: str  # the folder's name, as it is
    status: str
    detail: str = ""
    scores: dict[str, float] = field(default_factory=dict)
    total: float | None = None
    # With deadlines (grade-all --due, deadlines.py); None when a run has none, or the student no time.
    submitted_at: str | None = None
    late_days: int | None = None
    penalty: float | None = None
    final: float | None = None


def shard_of(name: str, count: int) -> int:
    """The shard (1..count) an entry belongs to: a hash of its name, so it never depends on the others."""
    number = int.from_bytes(hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()[:8], "big")
    return number % count + 1


def parse_shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text}: give K/N, e.g. 2/4") from None
    if not 1 <= k <= n:
        raise UsageError(f"--shard {text}: K must be between 1 and N")
    return k, n


def read_rows(out: Path) -> list[Row]:
    """The rows of a grade-all (or --merge) output folder, sorted by folder name."""
    return [Row(**row) for row in json.loads((Path(out) / "batch.json").read_text())["rows"]]


def name_refusal(name: str) -> str:
    """Why grade-all grades no folder of this name ("" when it would): the rules on names alone."""
    if name.startswith("."):
        return "hidden (its name starts with '.'): not graded; rename it to grade it"
    if plain(name) != name or not name.isprintable() or "/" in name:
        return "its name is not printable text: rename the folder to grade it"
    return ""


def write_outputs(out: Path, rows: list[Row], *, exercises: list[str], graders: str, only: list[str],
                  shard: tuple[int, int] | None, entries: int, deadline: dict | None = None) -> None:
    """deadline: {"due", "late_penalty", "extensions"} when grade-all was given --due, else None."""
    rows = sorted(rows, key=lambda row: row.name)
    manifest = {"grader_digest": graders, "only": only, "exercises": exercises,
                "shard": None if shard is None else f"{shard[0]}/{shard[1]}", "entries": entries,
                "deadline": deadline, "rows": [asdict(row) for row in rows]}
    write_json(out / "batch.json", manifest)
    write_atomic(out / "gradebook.csv", gradebook(rows, exercises, graders, deadlines=deadline is not None))


def _number(value) -> str:
    return "" if value is None else f"{value:g}"


def gradebook(rows: list[Row], exercises: list[str], graders: str, *, deadlines: bool = False) -> str:
    """gradebook.csv: every cell escaped so that no spreadsheet reads it as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    late = ["submitted_at", "late_days", "penalty", "final"] if deadlines else []
    writer.writerow(["student", *exercises, "total", *late, "status", "detail", "grader_digest"])
    for row in rows:
        writer.writerow([for_csv(row.name), *(_number(row.scores.get(e)) for e in exercises), _number(row.total),
                         *([for_csv(row.submitted_at or ""), _number(row.late_days), _number(row.penalty),
                            _number(row.final)] if deadlines else []),
                         row.status, for_csv(row.detail), graders])
    return buffer.getvalue()


def merge(shard_outs: list[Path], out: Path) -> int:
    """Combine the outputs of `grade-all --shard K/N` (all N of them) into `out`, as one run writes it.

    A shard's batch.json is input like any other: a row is accepted only under a name grade-all
    would have written in that shard (a folder name, hashed to that shard), and only the files
    grade-all writes per student are copied, as regular files, never through a link."""
    from . import regrade

    manifests = []
    for folder in shard_outs:
        try:
            manifests.append((folder, json.loads((folder / "batch.json").read_text())))
        except (OSError, ValueError):
            raise UsageError(f"{folder}: no batch.json (not the --out of a grade-all --shard run?)") from None
    first = manifests[0][1]
    for folder, manifest in manifests:
        if not isinstance(manifest, dict) or not isinstance(manifest.get("rows"), list):
            raise UsageError(f"{folder}: its batch.json is not one grade-all wrote")
        for key in ("grader_digest", "only", "exercises", "entries", "deadline"):
            if manifest.get(key) != first.get(key):
                raise UsageError(f"{folder}: its {key} differs from {manifests[0][0]}'s: shards of different runs")
    shards = sorted(str(manifest.get("shard")) for _, manifest in manifests)
    count = len(manifests)
    if shards != sorted(f"{k}/{count}" for k in range(1, count + 1)):
        raise UsageError(f"--merge needs each of the shards 1/{count} .. {count}/{count} once; got {', '.join(shards)}")
    rows = []
    for folder, manifest in manifests:
        k = int(str(manifest["shard"]).split("/")[0])
        for row in manifest["rows"]:
            try:
                row = Row(**row)
            except TypeError:
                raise UsageError(f"{folder}: a row of its batch.json is not one grade-all writes") from None
            if not isinstance(row.name, str) or not _listable(row.name) or shard_of(row.name, count) != k:
                raise UsageError(f"{folder}: its batch.json names {plain(repr(row.name))[:80]}, which shard {k}/{count} "
                                 "of grade-all never writes: not merged")
            rows.append((folder, row))
    if len(rows) != first["entries"] or len({row.name for _, row in rows}) != len(rows):
        raise UsageError(f"the shards hold {len(rows)} rows for {first['entries']} entries: a shard is incomplete")
    before = regrade.earlier(out)
    for folder, row in rows:
        if not name_refusal(row.name) and row.status != "refused":
            _copy_student(folder / "students" / row.name, out / "students" / row.name)
    rows = [row for _, row in rows]
    write_outputs(out, rows, exercises=first["exercises"], graders=first["grader_digest"], only=first["only"],
                  shard=None, entries=first["entries"], deadline=first.get("deadline"))
    line = regrade.record(out, before, rows, list(first["only"] or first["exercises"]))
    print(f"merged {count} shards, {len(rows)} entries -> {plain(out / 'gradebook.csv')}")
    if line:
        print(line)
    return 0


STUDENT_FILES = ("results.json", "times.json", ".key")  # what grade-all writes per student


def _listable(name: str) -> bool:
    """A name os.listdir() can give: one path component."""
    return bool(name) and name not in (".", "..") and "/" not in name and "\0" not in name


def _copy_student(source: Path, target: Path) -> None:
    """The student's files from a shard, regular files only, replacing (never following) what is there."""
    if source.is_symlink() or source.parent.is_symlink():
        return
    if target.is_symlink() or target.exists() and not target.is_dir():
        target.unlink()
    elif target.is_dir():
        shutil.rmtree(target)
    for name in STUDENT_FILES:
        try:
            fd = os.open(source / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue  # absent (a student not graded) or a link: not grade-all's
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            with os.fdopen(os.dup(fd), "rb") as stream:
                data = stream.read()
        finally:
            os.close(fd)
        write_atomic(target / name, data)
