"""`make validate-graders`: grade mutants of the reference solutions, and find the graders that let a
behaviour-changing mutant keep full marks or give a body that does no work any point.

    python -m autograder.validate [--exercise ID]... [--jobs 2] [--limit N] [--no-work-only]
                                  [--all-exercises] [--probe SCRIPT] [--keep DIR] [--config FILE]

Everything comes from grading.toml and solutions/: an exercise's reference is
solutions/<module>.py, and only the code inside its `### BEGIN/END SOLUTION` blocks is mutated
(autograder/mutants.py, which also says which exercise a block belongs to):
- operator mutants: cosmic-ray's operators (a maintained mutation-testing library), limited to the
  neighbours a student slips to (+ <-> -, * <-> /, < <-> <= and >=, a number off by one, ...), and
  three of ours that array code needs: `@` -> `*`, a keyword argument dropped, a statement removed;
- no-work mutants: every block of an exercise replaced by a body that does no work: nothing
  (`pass`), its first argument back, zeros, a constant, random values, each shaped like that argument.

Each mutant is graded by `grade-all` on its own exercise (--all-exercises: on every exercise of its
module, which also shows a mutant costing points elsewhere). A no-work mutant must lose every point
of its exercise; an operator mutant must lose some. Some operator mutants do not change behaviour
(equivalent) or stay within the contract; the engine cannot tell, the course can: --probe SCRIPT
runs `python SCRIPT MODULE REFERENCE MUTANT` per mutant, which prints one line of JSON,
{"verdict": "equivalent" | "correct" | "uncertain" | "changed" | "unknown", "why": "..."}. An
equivalent or correct mutant must keep every point; uncertain ones are not counted. Without a
probe, a mutant that keeps full marks is listed as a survivor to look at.
The probe may add no-work mutants of the lesson's own (a stateful update whose first step is
right, weights set by hand): `python SCRIPT --extra MODULE REFERENCE` prints a JSON list of
{"exercise", "description", "bodies": {function: body}, "must_lose": [check names] or null (all)}.

Exit status: 0 no grader problem, 1 problems (each listed with FAIL), 2 a usage error (one line).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .config import ConfigError, load
from .errors import UsageError
from .mutants import BEGIN, Mutant, generate, generate_no_work, owners, replace_blocks

REPO = Path(__file__).resolve().parent.parent
PROBE_TIMEOUT_S = 120


def references(config, exercises: list[str], solutions: Path) -> dict[str, str]:
    """{module: its reference source} for these exercises; a missing file is a one-line UsageError."""
    found = {}
    for name in exercises:
        module = config.exercises[name].module
        path = solutions / f"{module}.py"
        if not path.is_file():
            raise UsageError(f"{path.relative_to(solutions.parent)} is missing: [exercise.{name}] in grading.toml "
                             f"names module \"{module}\"; write its reference solution there (with {BEGIN} blocks)")
        found[module] = path.read_text()
    return found


# -- probing, grading, reporting ----------------------------------------------------------------

def extra_no_work(script: Path, module: str, reference: Path, source: str, points: dict[str, dict[str, float]],
                  start: int) -> list[Mutant]:
    """The course probe's own no-work mutants of this module (see the module docstring)."""
    done = subprocess.run([sys.executable, str(script), "--extra", module, str(reference)], capture_output=True,
                          text=True, timeout=PROBE_TIMEOUT_S, cwd=REPO)
    try:
        extras = json.loads(done.stdout)
        mutants = []
        for index, extra in enumerate(extras):
            tests = points[extra["exercise"]]
            lose = sum(value for name, value in tests.items() if extra["must_lose"] is None or name in extra["must_lose"])
            mutants.append(Mutant(f"w{start + index:02d}-{module}", module, 0, next(iter(extra["bodies"])),
                                  extra["exercise"], str(extra["description"]), replace_blocks(source, extra["bodies"]),
                                  verdict="changed", why="does no work", must_lose=lose))
        return mutants
    except (ValueError, KeyError, TypeError, StopIteration):
        raise UsageError(f"{script} --extra {module} did not print a list of no-work mutants: "
                         f"{(done.stdout + done.stderr).strip()[-300:]}") from None


def _probe(script: Path, module: str, reference: Path, mutant: Path) -> dict:
    try:
        done = subprocess.run([sys.executable, str(script), module, str(reference), str(mutant)], capture_output=True,
                              text=True, timeout=PROBE_TIMEOUT_S, cwd=REPO)
        verdict = json.loads(done.stdout.strip().splitlines()[-1])
        return verdict if isinstance(verdict, dict) and "verdict" in verdict else {"verdict": "unknown", "why": "?"}
    except subprocess.TimeoutExpired:
        return {"verdict": "changed", "why": f"the probe took over {PROBE_TIMEOUT_S} s"}
    except (IndexError, ValueError):
        return {"verdict": "changed", "why": "the probe crashed on it"}


def lost_points(results: dict) -> dict[str, float]:
    lost: dict[str, float] = {}
    for test in results["tests"]:
        exercise = test["tags"][0]
        lost[exercise] = round(lost.get(exercise, 0.0) + test["max_score"] - test["score"], 6)
    return {name: value for name, value in lost.items() if value > 0}


def grade(mutants: list[Mutant], workdir: Path, *, config_path: Path, exercises_of: dict[str, list[str]],
          jobs: int, all_exercises: bool) -> None:
    """Fill in mutant.lost: one grade-all per exercise (or per module with all_exercises)."""
    groups: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        groups.setdefault(mutant.module if all_exercises else mutant.exercise, []).append(mutant)
    for group, batch in groups.items():
        graded = tuple(exercises_of[group]) if all_exercises else (group,)
        for mutant in batch:
            (workdir / group / mutant.name).mkdir(parents=True, exist_ok=True)
            (workdir / group / mutant.name / f"{mutant.module}.py").write_text(mutant.source)
        out = workdir / "out" / group
        command = [sys.executable, "-m", "autograder", "--config", str(config_path), "grade-all", str(workdir / group),
                   "--out", str(out), "--jobs", str(jobs), "--only", ",".join(graded)]
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            raise UsageError(f"grade-all failed: {done.stderr.strip()[-2000:]}")
        rows = {row["name"]: row for row in json.loads((out / "batch.json").read_text())["rows"]}
        for mutant in batch:
            results = out / "students" / mutant.name / "results.json"
            mutant.graded = graded
            if results.is_file():
                mutant.lost = lost_points(json.loads(results.read_text()))
            else:
                row = rows.get(mutant.name, {})
                mutant.error = f"not graded: {row.get('status', '?')} ({str(row.get('detail', ''))[:200]})"


def problems(mutant: Mutant) -> list[str]:
    if mutant.error:
        return [mutant.error]
    found = []
    if mutant.must_lose:
        kept = mutant.must_lose - mutant.lost.get(mutant.exercise, 0.0)
        if kept > 1e-6:
            found.append(f"NO WORK BUT KEPT {kept:g} of {mutant.must_lose:g} points")
    elif mutant.verdict in ("equivalent", "correct"):
        if mutant.lost:
            found.append(f"lost points although the probe says it is {mutant.verdict} ({mutant.why})")
    elif not mutant.lost and mutant.verdict != "uncertain":
        found.append("SURVIVED: keeps full marks" + ("" if mutant.verdict == "changed" else
                                                     " (is it equivalent? a --probe can say)"))
    collateral = sorted(set(mutant.lost) - {mutant.exercise})
    if collateral:
        found.append(f"also lost points on {', '.join(collateral)} (each exercise is graded on its own)")
    return found


def print_matrix(mutants: list[Mutant], exercises: list[str]) -> None:
    print("points lost per exercise ('.' none; blank: not graded there); columns: "
          + ", ".join(f"{index + 1} {name}" for index, name in enumerate(exercises)))
    print(f"{'id':12} {'line':>4}  {'function':18} {'mutation':56} "
          + " ".join(f"{index + 1:>5}" for index in range(len(exercises))) + "  verdict")
    for mutant in mutants:
        cells = " ".join(f"{-mutant.lost[e]:>5g}" if e in mutant.lost else f"{'.' if e in mutant.graded else '':>5}"
                         for e in exercises)
        if mutant.error:
            state = "ERROR"
        elif mutant.must_lose:
            state = f"kept {mutant.must_lose - mutant.lost.get(mutant.exercise, 0.0):g}/{mutant.must_lose:g}"
        else:
            state = "killed" if mutant.lost else ("survived" if mutant.verdict in ("changed", "unknown")
                                                  else mutant.verdict)
        flag = "  <-- " + "; ".join(problems(mutant)) if problems(mutant) else ""
        line = str(mutant.line) if mutant.line else ""
        print(f"{mutant.name:12} {line:>4}  {mutant.function[:18]:18} {mutant.description[:56]:56} {cells}  "
              f"{state}{flag}")


def summary(mutants: list[Mutant], seconds: float) -> list[Mutant]:
    """Print the counts and the mutation score; return the mutants that show a grader problem."""
    no_work = [m for m in mutants if m.must_lose]
    operator = [m for m in mutants if not m.must_lose]
    killed = [m for m in operator if m.lost and m.verdict not in ("equivalent", "correct")]
    set_aside = [m for m in operator if m.verdict in ("equivalent", "correct") or (m.verdict == "uncertain" and not m.lost)]
    survived = [m for m in operator if not m.lost and m not in set_aside and not m.error]
    counted = len(operator) - len(set_aside)
    score = 100.0 * len(killed) / counted if counted else 100.0
    print(f"\n{len(operator)} operator mutants: {len(killed)} killed, {len(survived)} survived, "
          f"{len(set_aside)} set aside by the probe (equivalent, correct or uncertain)")
    print(f"mutation score: {len(killed)}/{counted} = {score:.1f}% of the counted mutants killed ({seconds:.0f} s)")
    for mutant in set_aside:
        print(f"  {mutant.name} {mutant.verdict}: {mutant.description} ({mutant.why})")
    fine = [m for m in no_work if not problems(m)]
    print(f"no-work mutants: {len(fine)}/{len(no_work)} lose every point of their exercise")
    failures = [m for m in mutants if problems(m)]
    for mutant in failures:
        where = f"{mutant.module}.py" + (f":{mutant.line}" if mutant.line else "")
        print(f"FAIL {mutant.name} {where} {mutant.description}: {'; '.join(problems(mutant))}"
              + (f" [probe: {mutant.why}]" if mutant.why and not mutant.must_lose else ""))
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.validate", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=REPO / "grading.toml")
    parser.add_argument("--exercise", action="append", help="only the mutants of this exercise (repeatable)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, help="only the first N operator mutants of each module (a quick look)")
    parser.add_argument("--no-work-only", action="store_true", help="only the no-work mutants")
    parser.add_argument("--all-exercises", action="store_true", help="grade each mutant on every exercise of its module")
    parser.add_argument("--probe", type=Path, help="the course's probe script (see above)")
    parser.add_argument("--keep", type=Path, help="write the mutants and their results here and keep them")
    args = parser.parse_args(argv)
    try:
        return _validate(args)
    except (ConfigError, UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _validate(args) -> int:
    started = time.monotonic()
    config = load(args.config)
    chosen = config.graded(args.exercise)  # an unknown name: one line listing the exercises
    solutions = args.config.resolve().parent / "solutions"
    sources = references(config, chosen, solutions)
    if args.probe is not None and not args.probe.is_file():
        raise UsageError(f"--probe {args.probe}: no such file")
    exercises_of = {module: [n for n, e in config.exercises.items() if e.module == module] for module in sources}
    mutants: list[Mutant] = []
    for module, source in sources.items():
        owned = owners(source, exercises_of[module])
        for name in chosen:
            if config.exercises[name].module == module and name not in owned.values():
                print(f"note: {name} has no solution block in solutions/{module}.py: nothing of it to mutate")
        if not args.no_work_only:
            mutants += generate(module, source, owned, start=len(mutants) + 1)[: args.limit]
        points = {name: config.exercises[name].max_score for name in exercises_of[module]}
        no_work = generate_no_work(module, source, owned, points)
        if args.probe:
            no_work += extra_no_work(args.probe, module, solutions / f"{module}.py", source,
                                     {name: config.exercises[name].points for name in exercises_of[module]},
                                     start=len(no_work) + 1)
        mutants += no_work
    mutants = [m for m in mutants if m.exercise in chosen]
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="validate-graders-"))
    try:
        print(f"{sum(not m.must_lose for m in mutants)} operator and {sum(bool(m.must_lose) for m in mutants)} "
              f"no-work mutants of {', '.join(f'solutions/{module}.py' for module in sources)}: "
              f"{'probing, then ' if args.probe else ''}grading ({args.jobs} jobs)...", flush=True)
        if args.probe:
            probed = [m for m in mutants if not m.must_lose]
            for mutant in probed:
                (workdir / "probe").mkdir(parents=True, exist_ok=True)
                (workdir / "probe" / f"{mutant.name}.py").write_text(mutant.source)
            with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                verdicts = list(pool.map(lambda m: _probe(args.probe, m.module, solutions / f"{m.module}.py",
                                                          workdir / "probe" / f"{m.name}.py"), probed))
            for mutant, verdict in zip(probed, verdicts):
                mutant.verdict, mutant.why = str(verdict["verdict"]), str(verdict.get("why", ""))
        grade(mutants, workdir, config_path=args.config.resolve(), exercises_of=exercises_of, jobs=args.jobs,
              all_exercises=args.all_exercises)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print_matrix(mutants, [name for name in config.exercises if name in {e for m in mutants for e in m.graded}])
    return 1 if summary(mutants, time.monotonic() - started) else 0


if __name__ == "__main__":
    raise SystemExit(main())
