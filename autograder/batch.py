"""Grade a whole class: one folder per student, one results.json each, one gradebook.csv.

Each submission is graded by its own `python -m autograder grade` process, so one
broken or hanging submission costs only itself. A submission whose files and config
are unchanged since its results.json was written is skipped, so an interrupted or
repeated run resumes where it stopped.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from rich.progress import Progress

from . import sandbox
from .config import load
from .grade import UsageError, digest, submission_files
from .results import write_atomic

WALL_LIMIT_S = 1800  # per submission, on top of the per-call limits inside it


def grade_all(submissions: Path, out: Path, *, config_path: Path, jobs: int = 1, only: list[str] | None = None,
              allow_unsandboxed: bool = False) -> int:
    config = load(config_path)
    if not submissions.is_dir():
        raise UsageError(f"{submissions}: not a directory of student folders")
    if not sandbox.bwrap_works() and not allow_unsandboxed:
        # Without bubblewrap a submission can read and write whatever the grading user can,
        # other students' results.json included (their paths are in the parent's command line).
        raise UsageError("bubblewrap is not available, so submissions could overwrite each other's results: "
                         "install bubblewrap, or pass --allow-unsandboxed for submissions you trust")
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    students = sorted(path for path in submissions.iterdir() if path.is_dir() and not path.name.startswith("."))
    config_hash = digest({"grading.toml": config_path})
    statuses: dict[str, str] = {}
    todo = []
    for folder in students:
        files, _ = submission_files(folder, config)
        key = f"{digest(files)}:{config_hash}:{','.join(only or [])}"
        if _up_to_date(out / folder.name, key):
            statuses[folder.name] = "ok (unchanged, not regraded)"
        else:
            todo.append((folder, key))
    with Progress(transient=False) as progress, ThreadPoolExecutor(max_workers=jobs) as pool:
        task = progress.add_task("grading", total=len(students), completed=len(students) - len(todo))
        futures = {pool.submit(_grade_one, folder, out / folder.name, key, config_path, only): folder for folder, key in todo}
        for future in as_completed(futures):
            statuses[futures[future].name] = future.result()
            progress.advance(task)
    write_atomic(out / "gradebook.csv", gradebook(out, [s.name for s in students], statuses, list(config.exercises)))
    failed = sum(not status.startswith("ok") for status in statuses.values())
    print(f"graded {len(students)} submissions ({len(todo)} this run, {failed} with errors) -> {out / 'gradebook.csv'}")
    return 0


def _up_to_date(folder: Path, key: str) -> bool:
    try:
        return (folder / ".key").read_text() == key and (folder / "results.json").is_file()
    except OSError:
        return False


def _grade_one(folder: Path, target: Path, key: str, config_path: Path, only: list[str] | None) -> str:
    target.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "autograder", "--config", str(config_path), "grade", str(folder),
               "--results", str(target / "results.json")] + (["--only", ",".join(only)] if only else [])
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=WALL_LIMIT_S,
                              cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        return f"error: grading took over {WALL_LIMIT_S} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return f"error: {last}"
    write_atomic(target / ".key", key)  # written last: results.json without it is graded again
    return "ok"


def gradebook(out: Path, students: list[str], statuses: dict[str, str], exercises: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", *exercises, "total", "status"])
    for student in students:
        scores: dict[str, float] = {}
        try:
            results = json.loads((out / student / "results.json").read_text())
            for test in results["tests"]:
                exercise = test["tags"][0]
                scores[exercise] = scores.get(exercise, 0.0) + test["score"]
            total = results["score"]
        except (OSError, ValueError, KeyError, IndexError):
            total = ""
        writer.writerow([student, *(f"{scores[e]:g}" if e in scores else "" for e in exercises),
                         f"{total:g}" if total != "" else "", statuses.get(student, "error: not graded")])
    return buffer.getvalue()
