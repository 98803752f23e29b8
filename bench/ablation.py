"""Grade with one of the engine's speed-ups switched off, to measure what each one buys.

    python bench/ablation.py grade SUBMISSION --only EX,.. [--prefetch N] [--plugins all] [--close wait]
                             [--zygote off] [--sweep full] [--watchdog thread] [--early off] [--preload off]
    python bench/ablation.py grade-all SUBMISSIONS OUT --only EX,.. --jobs N

`grade` prints one JSON line (execution_time of the pytest session, wall time of grade()).
--plugins all: pytest's plugins as before the trim (entry points, capture, doctest, ...);
--close wait: each exercise's child is cleaned up before the next exercise starts;
--zygote off: each exercise's child is a fresh sandboxed process (AUTOGRADER_ZYGOTE=0), not a fork;
--sweep full: a closed child is swept for leftovers until quiet, its pids cgroup removed or not;
--watchdog thread: the child arms its stack dump with faulthandler.dump_traceback_later (a thread
  per call) instead of its POSIX timer (the child.py of a temporary engine copy says so);
--early off: the submission is taken in and its zygote started after pytest and NumPy are
  imported (inside grade()), not before them as the CLI does;
--preload off: no exercise's child is forked ahead to import grading.toml's preload (each imports
  what it needs with the submission, when its exercise starts).
`grade-all` runs from this script, so it cannot use the fork server (multiprocessing would run a
script's __main__ again in each worker): it grades with one `python -m autograder grade`
subprocess per submission, as before the fork server.
"""

import argparse
import atexit
import contextlib
import dataclasses
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path.cwd()  # bench/run.py runs this in its snapshot of the repository
sys.path.insert(0, str(ROOT))

BEFORE_TRIM = ("--import-mode=importlib", "--assert=plain", "-p", "no:cacheprovider", "-p", "no:terminal",
               "-p", "no:stepwise", "-W", "ignore::pytest.PytestAssertRewriteWarning")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["grade", "grade-all"])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--only", required=True)
    parser.add_argument("--prefetch", type=int, default=None, help="default: the engine's PREFETCH")
    parser.add_argument("--plugins", choices=["trimmed", "all"], default="trimmed")
    parser.add_argument("--close", choices=["background", "wait"], default="background")
    parser.add_argument("--zygote", choices=["on", "off"], default="on")
    parser.add_argument("--sweep", choices=["once", "full"], default="once")
    parser.add_argument("--watchdog", choices=["timer", "thread"], default="timer")
    parser.add_argument("--early", choices=["on", "off"], default="on")
    parser.add_argument("--preload", choices=["on", "off"], default="on")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    only = args.only.split(",")
    started = time.monotonic()
    if args.zygote == "off":
        os.environ["AUTOGRADER_ZYGOTE"] = "0"
    from autograder import sandbox  # noqa: E402 - light: no NumPy, no pytest
    from autograder.config import load  # noqa: E402

    config = load(ROOT / "grading.toml")
    if args.preload == "off":
        config = dataclasses.replace(config, exercises={name: dataclasses.replace(section, preload=())
                                                        for name, section in config.exercises.items()})
    if args.watchdog == "thread":
        sandbox._HERE = _engine_with_thread_watchdog()
    taken = forks = None
    if args.command == "grade" and args.early == "on":  # what the CLI does (cli._started)
        from autograder import intake, zygote

        taken = intake.submission_files(args.paths[0], config, only)
        forks = zygote.start(config, taken.files, config.graded(only))
    from autograder import batch, grade as engine, handle, reaper  # noqa: E402 - pytest and NumPy

    if args.command == "grade-all":
        assert batch._fork_server() is None, "a script's grade-all must fall back to subprocesses"
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            batch.grade_all(args.paths[0], args.paths[1], config_path=ROOT / "grading.toml", jobs=args.jobs, only=only,
                            allow_unsandboxed=True)  # a measurement of trusted submissions
        print(json.dumps({"wall": time.monotonic() - started}))
        return 0
    if args.plugins == "all":
        engine.PYTEST_ARGS = BEFORE_TRIM
    if args.close == "wait":
        close = handle.Student.close
        handle.Student.close = lambda self, *, wait=True: close(self, wait=True)
    if args.sweep == "full":
        sweep = reaper.kill_leftovers
        reaper.kill_leftovers = lambda session, contained=False: sweep(session)
    report = engine.grade(taken or args.paths[0], config=config, only=only, prefetch=engine.PREFETCH if args.prefetch is None else args.prefetch, forks=forks)
    print(json.dumps({"score": report.score, "execution_time": report.execution_time,
                      "wall": time.monotonic() - started}))
    return 0


def _engine_with_thread_watchdog() -> Path:
    """A copy of the child's files whose watchdog is faulthandler.dump_traceback_later (a thread per call)."""
    folder = Path(tempfile.mkdtemp(prefix="ablation-engine-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    source = (ROOT / "autograder" / "child.py").read_text()
    marker = "_WATCHDOG = _Watchdog()\n"
    assert marker in source, "child.py no longer makes _WATCHDOG: update the ablation"
    (folder / "child.py").write_text(source.replace(marker, marker + "_WATCHDOG._fallback = True\n"))
    shutil.copyfile(ROOT / "autograder" / "wire.py", folder / "wire.py")
    return folder


if __name__ == "__main__":
    raise SystemExit(main())
