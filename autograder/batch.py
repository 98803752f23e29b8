"""Grade a whole class: one folder per student, one results.json each, one gradebook.csv.

Each submission is graded by its own process, running `python -m autograder grade`'s code,
so one broken or hanging submission costs only itself. Those processes are forked from a
fork server that has imported the engine, numpy and pytest once (and has run nothing else),
instead of starting an interpreter and those imports afresh for every submission; where
there is no fork server (Windows) each is a `python -m autograder grade` subprocess.

What OUT holds (the class report and the LMS exports read it):

    OUT/gradebook.csv                  one row per entry of SUBMISSIONS, sorted by name: student,
                                       one column per exercise, total, (with --due: submitted_at,
                                       late_days, penalty, final,) status, detail, grader_digest
    OUT/batch.json                     the same rows as data, with the raw folder names (cells in
                                       gradebook.csv are escaped for spreadsheets), the grader
                                       digest, --only and the shard
    OUT/students/<name>/results.json   Gradescope's results.json, without wall times, so the same
                                       submission and graders give the same bytes
    OUT/students/<name>/times.json     {"execution_time": s, "exercise_seconds": {exercise: s}}
    OUT/students/<name>/.key           the skip key results.json was graded under
    OUT/regrade.csv, OUT/history/      when a run changed scores: regrade.py

Every entry of SUBMISSIONS gets a row. A folder is graded unless a rule refuses it: a name
that starts with "." (hidden), a name that is not printable text, a symbolic link, or an
entry that is not a folder. status is one of:

    graded           graded; detail names files that are missing, if any
    missing          the folder holds none of the exercise files (graded: all zero)
    does-not-import  an exercise file present fails to import (SyntaxError, an exception or an
                     exit at import); the other exercises are still graded
    refused          not graded, by one of the rules above or the submission file rules
    error            grading did not finish (the engine failed, the wall limit, an interrupt)

A submission is skipped when its .key matches: the digest of its exercise files as the grading
process read them, the digests of the engine, the graders (wherever grading.toml puts them) and
the reference solutions, grading.toml, the data folders (digests.py) and --only; --force
regrades everything. With --due, deadlines.py adds the late columns. --shard K/N grades the
entries whose name hashes to K (of N), and --merge combines the shard outputs into what one
unsharded run writes, byte for byte.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from rich.progress import Progress

from . import deadlines, digests, reaper, regrade, sandbox
from .config import load
from .errors import UsageError
from .intake import digest, submission_files
from .gradebook import STATUSES, Row, merge, name_refusal, parse_shard, shard_of, write_outputs  # noqa: F401 (the CLI's)
from .results import scores_by_exercise, write_atomic
from .text import plain

# A submission's grade ends within grading.toml's wall_s (its time budget); past that plus this
# margin (start-up, reporting) its grading process is killed. --wall-limit overrides the sum.
WALL_MARGIN_S = 120
STOP_GRACE_S = 10  # how long an interrupted worker may take to clean up before it is killed
INTERRUPTED = 130


def grade_all(submissions: Path, out: Path, *, config_path: Path, jobs: int = 1, only: list[str] | None = None,
              allow_unsandboxed: bool = False, force: bool = False, shard: tuple[int, int] | None = None,
              wall_limit_s: float | None = None, entry=None, due: str | None = None,
              late_penalty: float | None = None, submitted_at: Path | None = None,
              extensions: Path | None = None) -> int:
    """Grade every entry of `submissions` into `out`; returns 0, or raises KeyboardInterrupt after
    writing the gradebook of what finished when SIGINT or SIGTERM stopped the run.

    due, late_penalty, submitted_at, extensions: grade-all's --due ISO8601, --late-penalty FRACTION,
    --submitted-at CSV (student,submitted_at) and --extensions CSV (student,due); deadlines.py."""
    config = load(config_path)
    lateness = deadlines.from_options(due, late_penalty, submitted_at, extensions)
    only = list(only or [])
    if not submissions.is_dir():
        raise UsageError(f"{submissions}: not a directory of student folders")
    config.graded(only)  # an unknown name is a UsageError
    try:
        # Not isolated, a submission could write whatever the grading user can, other students'
        # results.json included (their paths are in the parent's command line).
        sandbox.require_of_record(allow_unsandboxed)
    except sandbox.SandboxUnavailable as error:
        raise UsageError(str(error)) from None
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    _check_apart(submissions, out)
    reaper.become_subreaper()  # orphans of a killed worker's children come to this process
    inputs = {**digests.parts(config_path), "only": only}  # the skip key, but for the submission's digest
    graders = digests.combined(inputs)
    before = regrade.earlier(out)
    entries = sorted(os.listdir(submissions))
    mine = [name for name in entries if shard is None or shard_of(name, shard[1]) == shard[0]]
    rows: dict[str, Row] = {}
    todo: list[tuple[str, str, dict]] = []
    for name in mine:
        refusal = refused(submissions, name)
        if refusal:
            rows[name] = Row(name, "refused", refusal)
            continue
        try:
            taken = submission_files(submissions / name, config)
            files = taken.files
            key = _key(inputs, digest(files))
        except (OSError, ValueError) as error:  # unreadable or refused by the file rules (UsageError)
            rows[name] = Row(name, "refused", plain(error).splitlines()[0] if str(error) else type(error).__name__)
            continue
        if not files and taken.refused:  # only links, FIFOs or oversized files: nothing to grade
            rows[name] = Row(name, "refused", _one_line("; ".join(f"{why}: not graded"
                                                                  for _, why in sorted(taken.refused.items()))))
            continue
        if not force and _up_to_date(out / "students" / name, key):
            rows[name] = _row(name, out / "students" / name, files)
        else:
            todo.append((name, key, files))
    runner = _Runner(wall_limit_s or config.wall_s + WALL_MARGIN_S, entry)
    interrupted = False
    pool = ThreadPoolExecutor(max_workers=jobs)
    futures = {}
    try:
        with Progress(transient=False) as progress:
            task = progress.add_task("grading", total=len(mine), completed=len(mine) - len(todo))
            futures = {pool.submit(_grade_one, runner, submissions / name, out / "students" / name, inputs, files,
                                   config_path, only): name for name, _, files in todo}
            try:
                for future in as_completed(futures):
                    rows[futures[future]] = future.result()
                    progress.advance(task)
            except KeyboardInterrupt:
                interrupted = True
                _ignore_signals()
                runner.stop()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for future, name in futures.items():  # what finished while the run was stopping
        if name not in rows and future.done() and not future.cancelled():
            rows[name] = future.result()
    for name in mine:
        rows.setdefault(name, Row(name, "error", "not graded: the run was interrupted (run grade-all again to finish)"))
    ordered = [rows[name] for name in mine]
    if lateness is not None:
        deadlines.apply(ordered, **lateness["rule"])
    write_outputs(out, ordered, exercises=list(config.exercises), graders=graders, only=only,
                  shard=shard, entries=len(entries), deadline=None if lateness is None else lateness["manifest"])
    changed = regrade.record(out, before, ordered, config.graded(only))
    moved = _graders_moved(config_path, inputs, out, [name for name, _, _ in todo])
    if interrupted:
        raise KeyboardInterrupt
    counts = {status: sum(row.status == status for row in ordered) for status in STATUSES}
    print(f"{len(ordered)} entries ({len(todo)} graded this run): "
          + ", ".join(f"{count} {status}" for status, count in counts.items() if count)
          + f" -> {plain(out / 'gradebook.csv')}")
    if changed:
        print(changed)
    if moved:
        print(moved)
    if lateness is not None:
        unknown = sum(row.total is not None and row.final is None for row in ordered)
        late = sum(bool(row.late_days) for row in ordered)
        print(f"deadline {lateness['manifest']['due']}: {late} late" + (
            f", {unknown} with no submission time (final left blank: see detail)" if unknown else ""))
    return 0


def _graders_moved(config_path: Path, inputs: dict, out: Path, graded: list[str]) -> str:
    """The graders, config or data changed while the run graded: what was graded this run is graded
    again next run (its key is removed). Returns the line that says so, or ""."""
    now = digests.parts(config_path)
    if all(now[part] == inputs[part] for part in digests.PARTS):
        return ""
    for name in graded:
        (out / "students" / name / ".key").unlink(missing_ok=True)
    changed = ", ".join(part for part in digests.PARTS if now[part] != inputs[part])
    return (f"warning: the {changed} changed during this run: the {len(graded)} submissions graded in it "
            "will be graded again by the next run")


def _key(inputs: dict, submission: str) -> str:
    return json.dumps({**inputs, "submission": submission}, sort_keys=True)


def refused(submissions: Path, name: str) -> str:
    """Why an entry of SUBMISSIONS is not graded, or "" when it is a folder to grade."""
    if name_refusal(name):
        return name_refusal(name)
    path = submissions / name
    if path.is_symlink():
        return "a symbolic link: links are not followed; copy the folder in instead"
    if not path.is_dir():
        return "not a folder: each student's files go in a folder named after the student"
    return ""


def _check_apart(submissions: Path, out: Path) -> None:
    subs, target = submissions.resolve(), out.resolve()
    if target == subs or subs in target.parents:
        raise UsageError(f"--out {out} is inside {submissions}: it would be graded as a student; put it elsewhere")
    if (target / "students") == subs or (target / "students") in subs.parents:
        raise UsageError(f"{submissions} is inside --out's students/ folder, which grade-all writes")


def _up_to_date(folder: Path, key: str) -> bool:
    try:
        return (folder / ".key").read_text() == key and (folder / "results.json").is_file()
    except OSError:
        return False


def _row(name: str, folder: Path, files: dict) -> Row:
    """The row for a graded submission, from its results.json alone (the same on every run)."""
    try:
        results = json.loads((folder / "results.json").read_text())
        scores, total = scores_by_exercise(results), float(results["score"])
        notes = [str(line) for line in results["extra_data"].get("notes", [])]
        broken = dict(results["extra_data"].get("does_not_import") or {})
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return Row(name, "error", "its results.json cannot be read")
    if not files:
        status, detail = "missing", "none of the exercise files is in the folder"
    elif broken:
        status = "does-not-import"
        detail = "; ".join(f"{file} does not import: {why}" for file, why in sorted(broken.items()))
    else:
        status, detail = "graded", "; ".join(notes)
    return Row(name, status, _one_line(detail), scores, total)


def _one_line(text: str) -> str:
    return " ".join(plain(text).split())[:500]


def _grade_one(runner, folder: Path, target: Path, inputs: dict, files: dict, config_path: Path,
               only: list[str]) -> Row:
    try:
        return _grade(runner, folder, target, inputs, files, config_path, only)
    except Exception as error:  # one student's trouble is a row, never the batch's end
        return Row(folder.name, "error", _one_line(f"{type(error).__name__}: {error}"))


def _grade(runner, folder: Path, target: Path, inputs: dict, files: dict, config_path: Path, only: list[str]) -> Row:
    name = folder.name
    target.mkdir(parents=True, exist_ok=True)
    (target / ".key").unlink(missing_ok=True)  # until the new results.json is complete
    argv = ["--config", str(config_path), "grade", str(folder), "--results", str(target / "results.json"),
            "--times", str(target / "times.json"), "--grader-digest", digests.combined(inputs)] + (["--only", ",".join(only)] if only else []) + (
        ["--allow-unsandboxed"] if not sandbox.of_record() else [])  # grade_all was allowed to, or it stopped
    code, message = runner.run(argv)
    if code is None:
        return Row(name, "error", f"grading took over {runner.wall_limit_s:g} s and was stopped")
    if code == INTERRUPTED or code != 0 and runner.stopping.is_set():
        return Row(name, "error", "not graded: the run was interrupted (run grade-all again to finish)")
    if code == 2:
        return Row(name, "refused", _one_line(message))
    if code != 0:
        return Row(name, "error", _one_line(message))
    # The key names what was graded: the bytes the grading process read (a folder rewritten since
    # the batch looked at it is graded as the process read it, and graded again next run), and
    # the graders only if they did not change while it ran.
    try:
        extra = json.loads((target / "results.json").read_text())["extra_data"]
        graded, by = str(extra["submission_sha256"]), extra["grader_digest"]
    except (OSError, ValueError, KeyError, TypeError):
        graded, by = "", None
    if graded and by == digests.combined(inputs):
        write_atomic(target / ".key", _key(inputs, graded))  # written last: results.json without it is graded again
    return _row(name, target, files)


class _Runner:
    """Runs grading processes; stop() ends them all (SIGTERM, then SIGKILL) and cleans up after them."""

    def __init__(self, wall_limit_s: float, entry=None):
        """entry: the CLI's main(argv), run in processes forked from the fork server (the CLI passes
        it in, so this module never imports the CLI); without it, each grade is a subprocess."""
        self.wall_limit_s, self.entry = wall_limit_s, entry
        self.stopping = threading.Event()
        self.live: dict[int, object] = {}  # pid -> multiprocessing.Process or subprocess.Popen
        self.lock = threading.Lock()
        self.context = _fork_server() if entry is not None else None

    def run(self, argv: list[str]) -> tuple[int | None, str]:
        receive = None
        with self.lock:
            if self.stopping.is_set():
                return INTERRUPTED, "interrupted"
            if self.context is not None:
                receive, send = self.context.Pipe(duplex=False)
                process = self.context.Process(target=_worker, args=(self.entry, argv, send), name="autograder-grade")
                process.start()
                send.close()
            else:
                process = subprocess.Popen([sys.executable, "-m", "autograder", *argv], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.PIPE, text=True, errors="replace",
                                           cwd=Path(__file__).resolve().parent.parent)
            pid = process.pid
            self.live[pid] = process
        try:
            return self._wait_forked(process, receive) if receive is not None else self._wait_subprocess(process)
        finally:
            with self.lock:
                self.live.pop(pid, None)
            if receive is not None:
                receive.close()

    def _wait_forked(self, worker, receive) -> tuple[int | None, str]:
        worker.join(self.wall_limit_s)
        if worker.is_alive():
            worker.kill()
            worker.join()
            reaper.reap(worker.pid)
            return (INTERRUPTED, "interrupted") if self.stopping.is_set() else (None, "")
        if worker.exitcode != 0:
            reaper.reap(worker.pid)  # it may have died before cleaning up (killed, crashed)
        try:
            if receive.poll():
                return receive.recv()
        except (EOFError, OSError):
            pass
        if self.stopping.is_set():
            return INTERRUPTED, "interrupted"
        return worker.exitcode or 3, f"exit status {worker.exitcode}"

    def _wait_subprocess(self, process) -> tuple[int | None, str]:
        try:
            _, errors = process.communicate(timeout=self.wall_limit_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            reaper.reap(process.pid)
            return (INTERRUPTED, "interrupted") if self.stopping.is_set() else (None, "")
        if process.returncode != 0:
            reaper.reap(process.pid)
        if self.stopping.is_set() and process.returncode != 0:
            return INTERRUPTED, "interrupted"
        return process.returncode, (errors.strip().splitlines() or ["no message"])[-1]

    def stop(self) -> None:
        """No new work; SIGTERM every running worker (it cleans up and exits), SIGKILL the slow ones."""
        with self.lock:
            self.stopping.set()
            running = list(self.live.items())
        for pid, _ in running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid, process in running:
            if isinstance(process, subprocess.Popen):
                try:
                    process.wait(STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    process.kill()
            else:
                process.join(STOP_GRACE_S)
                if process.is_alive():
                    process.kill()
        # The threads waiting on these workers reap what each left behind.


def _ignore_signals() -> None:
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_IGN)


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


def _worker(main, argv: list[str], send) -> None:
    """In a fresh process forked from the fork server: main(argv), what `python -m autograder` does."""
    errors = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
            code = main(argv)
    except BaseException as error:  # the engine failed: report it like a crashed subprocess would
        code = 3
        errors.write(f"\n{type(error).__name__}: {error}")
    send.send((code, (errors.getvalue().strip().splitlines() or ["no message"])[-1][:2000]))  # fits the pipe
