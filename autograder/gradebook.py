"""gradebook.csv and batch.json: the rows of a grade-all run, its shards and their merge.

The layout of a grade-all OUT folder is in batch.py's docstring. read_rows(OUT) gives the rows
with the folder names as they are, for tools that build on a run (exports, the class report).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
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


def write_outputs(out: Path, rows: list[Row], *, exercises: list[str], graders: str, only: list[str],
                  shard: tuple[int, int] | None, entries: int) -> None:
    rows = sorted(rows, key=lambda row: row.name)
    manifest = {"grader_digest": graders, "only": only, "exercises": exercises,
                "shard": None if shard is None else f"{shard[0]}/{shard[1]}", "entries": entries,
                "rows": [asdict(row) for row in rows]}
    write_json(out / "batch.json", manifest)
    write_atomic(out / "gradebook.csv", gradebook(rows, exercises, graders))


def gradebook(rows: list[Row], exercises: list[str], graders: str) -> str:
    """gradebook.csv: every cell escaped so that no spreadsheet reads it as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *exercises, "total", "status", "detail", "grader_digest"])
    for row in rows:
        writer.writerow([for_csv(row.name), *(f"{row.scores[e]:g}" if e in row.scores else "" for e in exercises),
                         f"{row.total:g}" if row.total is not None else "", row.status, for_csv(row.detail), graders])
    return buffer.getvalue()


def merge(shard_outs: list[Path], out: Path) -> int:
    """Combine the outputs of `grade-all --shard K/N` (all N of them) into `out`, as one run writes it."""
    manifests = []
    for folder in shard_outs:
        try:
            manifests.append((folder, json.loads((folder / "batch.json").read_text())))
        except (OSError, ValueError):
            raise UsageError(f"{folder}: no batch.json (not the --out of a grade-all --shard run?)") from None
    first = manifests[0][1]
    for folder, manifest in manifests:
        for key in ("grader_digest", "only", "exercises", "entries"):
            if manifest.get(key) != first.get(key):
                raise UsageError(f"{folder}: its {key} differs from {manifests[0][0]}'s: shards of different runs")
    shards = sorted(str(manifest.get("shard")) for _, manifest in manifests)
    count = len(manifests)
    if shards != sorted(f"{k}/{count}" for k in range(1, count + 1)):
        raise UsageError(f"--merge needs each of the shards 1/{count} .. {count}/{count} once; got {', '.join(shards)}")
    rows = [Row(**row) for _, manifest in manifests for row in manifest["rows"]]
    if len(rows) != first["entries"] or len({row.name for row in rows}) != len(rows):
        raise UsageError(f"the shards hold {len(rows)} rows for {first['entries']} entries: a shard is incomplete")
    for folder, manifest in manifests:
        for row in manifest["rows"]:
            source = folder / "students" / row["name"]
            if source.is_dir():
                target = out / "students" / row["name"]
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(source, target, symlinks=True)
    write_outputs(out, rows, exercises=first["exercises"], graders=first["grader_digest"], only=first["only"],
                  shard=None, entries=first["entries"])
    print(f"merged {count} shards, {len(rows)} entries -> {plain(out / 'gradebook.csv')}")
    return 0
