"""Grade with one of the engine's speed-ups switched off, to measure what each one buys.

    python bench/ablation.py grade SUBMISSION --only EX,.. [--prefetch N] [--plugins all] [--close wait] [--zygote off]
    python bench/ablation.py grade-all SUBMISSIONS OUT --only EX,.. --jobs N

`grade` prints one JSON line (execution_time of the pytest session, wall time of grade()).
--plugins all: pytest's plugins as before the trim (entry points, capture, doctest, ...);
--close wait: each exercise's child is cleaned up before the next exercise starts;
--zygote off: each exercise's child is a fresh sandboxed process (AUTOGRADER_ZYGOTE=0), not a fork.
`grade-all` runs from this script, so it cannot use the fork server (multiprocessing would run a
script's __main__ again in each worker): it grades with one `python -m autograder grade`
subprocess per submission, as before the fork server.
"""

import argparse
import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path.cwd()  # bench/run.py runs this in its snapshot of the repository
sys.path.insert(0, str(ROOT))

from autograder import batch, grade as engine, handle  # noqa: E402
from autograder.config import load  # noqa: E402

BEFORE_TRIM = ("--import-mode=importlib", "--assert=plain", "-p", "no:cacheprovider", "-p", "no:terminal",
               "-p", "no:stepwise", "-W", "ignore::pytest.PytestAssertRewriteWarning")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["grade", "grade-all"])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--only", required=True)
    parser.add_argument("--prefetch", type=int, default=engine.PREFETCH)
    parser.add_argument("--plugins", choices=["trimmed", "all"], default="trimmed")
    parser.add_argument("--close", choices=["background", "wait"], default="background")
    parser.add_argument("--zygote", choices=["on", "off"], default="on")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    only = args.only.split(",")
    config = load(ROOT / "grading.toml")
    started = time.monotonic()
    if args.command == "grade-all":
        assert batch._fork_server() is None, "a script's grade-all must fall back to subprocesses"
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            batch.grade_all(args.paths[0], args.paths[1], config_path=ROOT / "grading.toml", jobs=args.jobs, only=only,
                            allow_unsandboxed=True)  # a measurement of trusted submissions
        print(json.dumps({"wall": time.monotonic() - started}))
        return 0
    if args.zygote == "off":
        os.environ["AUTOGRADER_ZYGOTE"] = "0"
    if args.plugins == "all":
        engine.PYTEST_ARGS = BEFORE_TRIM
    if args.close == "wait":
        close = handle.Student.close
        handle.Student.close = lambda self, *, wait=True: close(self, wait=True)
    report = engine.grade(args.paths[0], config=config, only=only, prefetch=args.prefetch)
    print(json.dumps({"score": report.score, "execution_time": report.execution_time,
                      "wall": time.monotonic() - started}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
