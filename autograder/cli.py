"""Command line: a thin argparse layer over the functions that do the work.

    python -m autograder check [DIR] [--only EX,...]      public checks, a table, exit 0 iff all pass
    python -m autograder grade DIR --results FILE [...]   full grading, Gradescope results.json
    python -m autograder grade DIR --feedback --results FILE --report PAGE   the same as feedback (make report)
    python -m autograder grade-all DIR --out OUT [--jobs N] [--force] [--shard K/N]
                                  [--due ISO8601 --submitted-at CSV [--late-penalty F] [--extensions CSV]]
    python -m autograder grade-all --merge SHARD_OUT [SHARD_OUT ...] --out OUT
    python -m autograder generate [--check]               exercises/ and the nbgrader notebook from solutions/
    python -m autograder release OUT                      the student repository (instructors)
    python -m autograder gradescope ZIP                   the Gradescope autograder zip (instructors)
    python -m autograder export OUT --roster CSV --lms canvas|moodle --assignment NAME
    python -m autograder class-report OUT                 OUT/class-report.html and .md (instructors)
Exit status: 0 done (whatever the score; for check: every public check passed),
1 check found failures, 2 usage or config error, 3 the engine itself failed,
130 stopped by SIGINT or SIGTERM (check, grade and grade-all stop their children, clean up,
and grade-all writes the gradebook of what finished; one line, "interrupted", on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from pathlib import Path

from .config import ConfigError, load

REPO = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ENGINE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
GRADING = ("check", "grade", "grade-all")


def _exercises(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.splitlines()[0])
    main.add_argument("--config", type=Path, default=REPO / "grading.toml", help="grading.toml to use")
    commands = main.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="run the public checks on your exercises")
    check.add_argument("submission", nargs="?", type=Path, default=REPO / "exercises")
    check.add_argument("--only", type=_exercises, default=[], help="comma-separated exercise ids")
    check.add_argument("--verbose", "-v", action="store_true", help="list the checks that passed too")

    grade = commands.add_parser("grade", help="grade one submission folder")
    grade.add_argument("submission", type=Path)
    grade.add_argument("--results", type=Path, required=True, help="where to write results.json")
    grade.add_argument("--only", type=_exercises, default=[])
    grade.add_argument("--junit", type=Path)
    grade.add_argument("--summary", type=Path, help="Markdown table (e.g. $GITHUB_STEP_SUMMARY)")
    grade.add_argument("--seed", type=int, help="reproduce a grade: the seed in its extra_data")
    grade.add_argument("--report", type=Path, help="write an HTML feedback page here")
    grade.add_argument("--allow-unsandboxed", action="store_true",
                       help="grade even where the child cannot be isolated (only for submissions you trust)")
    grade.add_argument("--feedback", action="store_true",
                       help="feedback for the student (make report, a notebook's check cell), not a grade of record: "
                       "runs with the strongest isolation this machine allows, down to none, and says which")
    grade.add_argument("--times", type=Path, help="write the wall times here instead of into results.json "
                       "(whose bytes then depend only on the submission and the graders)")
    # grade-all's own: the digest it took of the graders and data (once for the class, not once per
    # submission); it checks them again when the run ends.
    grade.add_argument("--grader-digest", help=argparse.SUPPRESS)

    batch = commands.add_parser("grade-all", help="grade every submission folder in a directory")
    batch.add_argument("submissions", type=Path, nargs="?", help="one folder per student")
    batch.add_argument("--out", type=Path, required=True)
    batch.add_argument("--jobs", type=int, default=1)
    batch.add_argument("--only", type=_exercises, default=[])
    batch.add_argument("--force", action="store_true", help="regrade every submission, unchanged ones too")
    batch.add_argument("--shard", help="K/N: grade only the folders whose name hashes to shard K of N")
    batch.add_argument("--merge", type=Path, nargs="+", metavar="SHARD_OUT",
                       help="combine the --out folders of all N shards into --out (instead of grading)")
    batch.add_argument("--wall-limit", type=float, default=None, metavar="S",
                       help="seconds one submission may take in all (default: grading.toml wall_s + 120)")
    batch.add_argument("--allow-unsandboxed", action="store_true",
                       help="grade without bubblewrap (only for submissions you trust)")
    batch.add_argument("--due", metavar="ISO8601", help="the due time, with its zone (e.g. 2026-12-01T17:00:00+00:00)")
    batch.add_argument("--late-penalty", type=float, metavar="FRACTION",
                       help="share of the score taken per started day late (default 0), at most all of it")
    batch.add_argument("--submitted-at", type=Path, metavar="CSV", help="student,submitted_at: times from the platform")
    batch.add_argument("--extensions", type=Path, metavar="CSV", help="student,due: a student's own due time")

    generate = commands.add_parser("generate", help="regenerate exercises/ from solutions/")
    generate.add_argument("--check", action="store_true", help="only report drift; exit 1 if any")

    release = commands.add_parser("release", help="write the student repository (instructors)")
    release.add_argument("out", type=Path, help="a new or empty folder, or an earlier release to overwrite")
    release.add_argument("--instructor-repo", help="GitHub owner/name the student workflow fetches the hidden "
                         "graders from (default: this repository's origin)")
    release.add_argument("--instructor-ref", help="commit or tag of it to grade with (default: this HEAD)")

    gradescope = commands.add_parser("gradescope", help="build the Gradescope autograder zip (instructors)")
    gradescope.add_argument("zip", type=Path)
    gradescope.add_argument("--late-penalty", default="0", help="share of the score taken per started day "
                            "late, e.g. 0.1 or 0.02/hour; 0: none (run_autograder's GRADING_LATE_PENALTY)")

    export = commands.add_parser("export", help="a Canvas or Moodle gradebook CSV from a grade-all output (instructors)")
    export.add_argument("out", type=Path, help="grade-all's --out folder")
    export.add_argument("--roster", type=Path, required=True, help="CSV: folder name -> LMS identity")
    export.add_argument("--lms", choices=["canvas", "moodle"], required=True)
    export.add_argument("--assignment", required=True, help="the LMS assignment's name (Canvas: 'Name (id)' updates it)")
    export.add_argument("--to", type=Path, help="where to write (default OUT/<lms>.csv)")
    export.add_argument("--moodle-id", default="email", choices=["email", "username", "idnumber"],
                        help="the roster column Moodle matches students by")
    export.add_argument("--per-exercise", action="store_true", help="one grade column per exercise")

    report = commands.add_parser("class-report", help="OUT/class-report.html and .md from a grade-all output")
    report.add_argument("out", type=Path, help="grade-all's --out folder")
    return main


def main(argv: list[str] | None = None) -> int:
    if sys.platform == "win32":  # the sandbox needs POSIX processes, signals and resource limits
        print("error: the checker runs on Linux and macOS; on Windows, use WSL (wsl --install, then run "
              "`make check` in Ubuntu), as README.md says", file=sys.stderr)
        return EXIT_USAGE
    args = parser().parse_args(argv)
    grading, interrupted = args.command in GRADING, False
    with _stopped_by_signals() if grading else contextlib.nullcontext():  # before the slow imports
        try:
            return _main(args)
        except KeyboardInterrupt:
            _ignore_signals()  # a second Ctrl-C must not cut the clean-up short
            interrupted = True
            if "autograder.console" in sys.modules:  # imported: it may be showing a "running..." line
                sys.modules["autograder.console"].clear_running()
            if sys.stderr.isatty():  # the terminal echoed ^C where the cursor was: start a clean line
                sys.stderr.write("\r\x1b[2K")
            print("interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        finally:
            if grading:
                _clean_up(thorough=interrupted)


def _main(args) -> int:
    from .errors import EngineError, UsageError
    from .text import plain

    try:
        return _run(args)
    except (ConfigError, UsageError) as error:
        print(f"error: {plain(error)}", file=sys.stderr)
        return EXIT_USAGE
    except EngineError as error:
        print(f"autograder failed: {plain(error)}", file=sys.stderr)
        return EXIT_ENGINE


@contextlib.contextmanager
def _stopped_by_signals():
    """SIGINT and SIGTERM raise KeyboardInterrupt (the main thread only may set handlers);
    the previous handlers are back afterwards, for callers of main() in their own process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    for number in previous:
        signal.signal(number, signal.default_int_handler)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _ignore_signals() -> None:
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_IGN)


def _clean_up(*, thorough: bool) -> None:
    """Whatever exit path got here: no child, cgroup or workdir of this process is left.
    thorough (after an interrupt, which may have cut a child's close() short): also sweep
    for processes our children left."""
    from . import reaper, sandbox

    for session in list(reaper.LIVE):  # only after an interrupt cut grade()'s own clean-up short
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(session, signal.SIGKILL)
    sandbox.join_closing()
    reaper.reap(os.getpid(), orphans=thorough)


def _run(args) -> int:
    if args.command == "generate":
        from . import generate

        try:
            files = generate.outputs(load(args.config), REPO)
            if args.check:
                drifted = generate.drifted(files)
                for path in drifted:
                    print(f"{path.relative_to(REPO)} differs from what solutions/ generates: run `make generate`")
                return EXIT_FAILED if drifted else EXIT_OK
            for path in generate.write(files):
                print(f"wrote {path.relative_to(REPO)}")
        except generate.GenerateError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_USAGE
        return EXIT_OK

    if args.command in ("release", "gradescope"):
        return _instructor(args)
    if args.command in ("export", "class-report"):
        return _class(args)

    config = load(args.config)
    if args.command == "check" or args.command == "grade" and args.feedback:
        from . import sandbox
        sandbox.for_feedback()  # before the zygote starts: a student path never refuses for want of a sandbox
    if args.command == "check":
        config.graded(args.only)  # an unknown name is a usage error that lists the exercises
        unchecked = [name for name in args.only if name in config.hidden_only()]
        for name in unchecked:
            print(f"{name} has no public checks: it is graded by hidden checks when you submit")
        args.only = [name for name in args.only if name not in unchecked]
        if unchecked and not args.only:
            return EXIT_OK
        taken, forks = _started(args, config)
        from .console import Console, Progress, show_check
        from .grade import grade
        console = Console(highlight=False)
        progress = Progress(console, f"Public checks of {args.submission.name}/")
        report = grade(taken, config=config, only=args.only, check=True, progress=progress, forks=forks)
        return show_check(report, console, verbose=args.verbose, progress=progress)
    if args.command == "grade":
        return _grade(args, config, *_started(args, config))
    if args.command == "grade-all":
        return _grade_all(args)
    raise AssertionError(args.command)


def _allowed_by_environment() -> bool:
    """AUTOGRADER_ALLOW_UNSANDBOXED=1 is --allow-unsandboxed for runs started by other tools
    (nbgrader's test cells, Gradescope's run_autograder)."""
    import os

    return os.environ.get("AUTOGRADER_ALLOW_UNSANDBOXED") == "1"


def _instructor(args) -> int:
    import importlib

    try:  # the student release leaves these modules out
        module = importlib.import_module(f"{__package__}.{args.command}")
    except ModuleNotFoundError as error:
        if error.name != f"{__package__}.{args.command}":
            raise
        print(f"error: `{args.command}` is for instructors; this copy of the autograder does not include it",
              file=sys.stderr)
        return EXIT_USAGE
    if args.command == "release":
        written = module.release(args.out, config_path=args.config, instructor_repo=args.instructor_repo,
                                 instructor_ref=args.instructor_ref)
        print(f"wrote {len(written)} files to {args.out}")
    else:
        print(f"wrote {module.build(args.zip, config_path=args.config, late_penalty=args.late_penalty)}")
    return EXIT_OK


def _class(args) -> int:
    import importlib  # not a static import: the student release leaves these instructor modules out

    name = f"{__package__}.{'classreport' if args.command == 'class-report' else 'exports'}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        print(f"error: `{args.command}` is for instructors; this copy of the autograder does not include it",
              file=sys.stderr)
        return EXIT_USAGE
    if args.command == "class-report":
        page, text = module.write(args.out)
        print(f"wrote {page} and {text}")
        return EXIT_OK
    module.export(
        args.out, args.roster, load(args.config), lms=args.lms, assignment=args.assignment, to=args.to,
        identifier=args.moodle_id, per_exercise=args.per_exercise)
    return EXIT_OK


def _grade_all(args) -> int:
    from . import batch
    from .errors import UsageError

    if args.merge:
        if args.submissions is not None or args.shard or args.force or args.only or args.due or args.submitted_at \
                or args.late_penalty is not None or args.extensions:
            raise UsageError("--merge takes only the shard folders and --out")
        return batch.merge(args.merge, args.out)
    if args.submissions is None:
        raise UsageError("give the folder of submissions (or --merge SHARD_OUT ...)")
    return batch.grade_all(args.submissions, args.out, config_path=args.config, jobs=args.jobs, only=args.only,
                           entry=main,
                           allow_unsandboxed=args.allow_unsandboxed or _allowed_by_environment(), force=args.force,
                           shard=batch.parse_shard(args.shard) if args.shard else None,
                           wall_limit_s=args.wall_limit, due=args.due, late_penalty=args.late_penalty,
                           submitted_at=args.submitted_at, extensions=args.extensions)


def _started(args, config):
    """What intake takes in, and the submission's zygote started on it, before pytest and NumPy are
    imported (half a second), so that the zygote starts up meanwhile on another core. grade()
    takes both, and closes the zygote; whatever else ends the command, _clean_up removes it."""
    from . import zygote
    from .intake import submission_files

    taken = submission_files(args.submission, config, args.only)
    return taken, zygote.start(config, taken.files, config.graded(args.only))


def _grade(args, config, taken, forks) -> int:
    from .grade import grade
    from .results import grader_digest, gradescope, junit, markdown, times, write_atomic, write_json
    from .text import clean, plain

    protect = tuple(path.resolve().parent for path in (args.results, args.junit, args.report, args.times) if path)
    report = grade(taken, config=config, only=args.only, seed=args.seed, protect=protect, forks=forks,
                   allow_unsandboxed=args.allow_unsandboxed or _allowed_by_environment(), record=not args.feedback)
    report.grader_digest = args.grader_digest or grader_digest(args.config)
    write_json(args.results, gradescope(report, timings=args.times is None))
    if args.times:
        write_json(args.times, times(report))
    if args.junit:
        write_atomic(args.junit, junit(report))
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as stream:  # GITHUB_STEP_SUMMARY is appended to
            stream.write(clean(markdown(report)))
    if args.report:
        from .report import write_report
        write_report(args.report, report, report.files, config=config)
    print(plain(f"{args.submission}: {report.score:g} / {report.max_score:g} -> {args.results}"))
    if args.feedback:
        from .sandbox import feedback_note
        print(feedback_note())
    return EXIT_OK
