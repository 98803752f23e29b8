"""Grade a whole class: one folder per student, one results.json each, one gradebook.csv.

Each submission is graded by its own process, running `python -m autograder grade`'s code,
so one broken or hanging submission costs only itself. Those processes are forked from a
fork server that has imported the engine, numpy and pytest once (and has run nothing else),
instead of starting an interpreter and those imports afresh for every submission; where
there is no fork server (Windows) each is a `python -m autograder grade` subprocess.
A submission whose files and config are unchanged since its results.json was written is
skipped, so an interrupted or repeated run resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import multiprocessing
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from rich.progress import Progress

from . import sandbox
from .config import load
from .grade import UsageError, digest, submission_files
from .results import scores_by_exercise, write_atomic

# A submission's grade ends within grading.toml's wall_s; past that plus this margin (start-up,
# reporting) its grading process is killed.
WALL_MARGIN_S = 120


def grade_all(submissions: Path, out: Path, *, config_path: Path, jobs: int = 1, only: list[str] | None = None,
              allow_unsandboxed: bool = False) -> int:
    config = load(config_path)
    if not submissions.is_dir():
        raise UsageError(f"{submissions}: not a directory of student folders")
    try:
        # Not isolated, a submission could write whatever the grading user can, other students'
        # results.json included (their paths are in the parent's command line).
        sandbox.require_of_record(allow_unsandboxed)
    except sandbox.SandboxUnavailable as error:
        raise UsageError(str(error)) from None
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    students = sorted(path for path in submissions.iterdir() if path.is_dir() and not path.name.startswith("."))
    config_hash = digest({"grading.toml": Path(config_path).read_bytes()})
    statuses: dict[str, str] = {}
    todo = []
    for folder in students:
        try:
            files = submission_files(folder, config).files
        except UsageError:
            files = {}
        key = f"{digest(files)}:{config_hash}:{','.join(only or [])}"
        if _up_to_date(out / folder.name, key):
            statuses[folder.name] = "ok (unchanged, not regraded)"
        else:
            todo.append((folder, key))
    with Progress(transient=False) as progress, ThreadPoolExecutor(max_workers=jobs) as pool:
        task = progress.add_task("grading", total=len(students), completed=len(students) - len(todo))
        limit = config.wall_s + WALL_MARGIN_S
        futures = {pool.submit(_grade_one, folder, out / folder.name, key, config_path, only, limit): folder
                   for folder, key in todo}
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


def _grade_one(folder: Path, target: Path, key: str, config_path: Path, only: list[str] | None, limit: float) -> str:
    target.mkdir(parents=True, exist_ok=True)
    argv = ["--config", str(config_path), "grade", str(folder), "--results", str(target / "results.json")] + (
        ["--only", ",".join(only)] if only else []) + (["--allow-unsandboxed"] if not sandbox.of_record() else [])
    context = _fork_server()
    code, message = _run_forked(context, argv, limit) if context else _run_subprocess(argv, limit)
    if code is None:
        return f"error: grading took over {limit:g} s"
    if code != 0:
        return f"error: {message}"
    write_atomic(target / ".key", key)  # written last: results.json without it is graded again
    return "ok"


# What every grading process imports: loaded once, in the fork server, before any fork.
PRELOAD = ["numpy", "pytest", "autograder.batch", "autograder.cli", "autograder.grade", "autograder.results",
           "autograder.plugin"]


def _fork_server():
    """The fork server context, or None: none on Windows, and none when __main__ is a script,
    which multiprocessing would run again in every worker (`python -m autograder` is fine)."""
    main = sys.modules.get("__main__")
    if "forkserver" not in multiprocessing.get_all_start_methods() or (
            getattr(getattr(main, "__spec__", None), "name", None) is None and getattr(main, "__file__", None)):
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _run_forked(context, argv: list[str], limit: float) -> tuple[int | None, str]:
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(argv, send), name="autograder-grade")
    worker.start()
    send.close()
    worker.join(limit)
    if worker.is_alive():
        worker.kill()
        worker.join()
        return None, ""
    try:
        return receive.recv() if receive.poll() else (worker.exitcode or 3, f"exit status {worker.exitcode}")
    except (EOFError, OSError):
        return worker.exitcode or 3, f"exit status {worker.exitcode}"
    finally:
        receive.close()


def _worker(argv: list[str], send) -> None:
    """In a fresh process forked from the fork server: what `python -m autograder grade` does."""
    from .cli import main

    errors = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
            code = main(argv)
    except BaseException as error:  # the engine failed: report it like a crashed subprocess would
        code = 3
        errors.write(f"\n{type(error).__name__}: {error}")
    send.send((code, (errors.getvalue().strip().splitlines() or ["no message"])[-1][:2000]))  # fits the pipe


def _run_subprocess(argv: list[str], limit: float) -> tuple[int | None, str]:
    try:
        done = subprocess.run([sys.executable, "-m", "autograder", *argv], capture_output=True, text=True,
                              timeout=limit, cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        return None, ""
    return done.returncode, (done.stderr.strip().splitlines() or ["no message"])[-1]


def gradebook(out: Path, students: list[str], statuses: dict[str, str], exercises: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", *exercises, "total", "status"])
    for student in students:
        scores: dict[str, float] = {}
        try:
            results = json.loads((out / student / "results.json").read_text())
            scores, total = scores_by_exercise(results), results["score"]
        except (OSError, ValueError, KeyError, IndexError):
            total = ""
        writer.writerow([student, *(f"{scores[e]:g}" if e in scores else "" for e in exercises),
                         f"{total:g}" if total != "" else "", statuses.get(student, "error: not graded")])
    return buffer.getvalue()
