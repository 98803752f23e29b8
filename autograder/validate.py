"""`make validate-graders`: grade mutants of the reference solutions, and find the graders that let a
behaviour-changing mutant keep full marks or give a body that does no work any point.

    python -m autograder.validate [--exercise ID]... [--jobs 2] [--limit N] [--no-work-only]
                                  [--all-exercises] [--probe SCRIPT] [--keep DIR] [--config FILE]

Everything comes from grading.toml and solutions/: an exercise's reference is
solutions/<module>.py, and only the code inside its `### BEGIN/END SOLUTION` blocks is mutated.
A block belongs to the exercise named after its function or method (MLP.forward -> forward), else
to the next such block's exercise in the file (a constructor goes with the method after it), else
to the module's exercise that is named after no function (a whole-module exercise).

Mutants:
- operator mutants: cosmic-ray's operators (a maintained mutation-testing library) for numbers,
  comparisons, arithmetic, unary minus and `not`, booleans and loops, limited to the neighbours a
  student slips to (+ <-> -, * <-> /, < <-> <= and >=, ...); and three of ours that array code
  needs and cosmic-ray lacks: `@` -> `*`, a keyword argument dropped (axis=, keepdims=), a
  statement removed;
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

Exit status: 0 no grader problem, 1 problems (each listed with FAIL), 2 a usage error (one line).
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .config import ConfigError, load
from .errors import UsageError

REPO = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PROBE_TIMEOUT_S = 120
# cosmic-ray's operators, by name: the plausible slips only (its full set of 213 is mostly
# nonsense such as + -> >>, which any check kills and which would flatter the score).
OPERATORS = tuple(f"core/{name}" for name in (
    "NumberReplacer", "ReplaceBinaryOperator_Add_Sub", "ReplaceBinaryOperator_Sub_Add", "ReplaceBinaryOperator_Mul_Div",
    "ReplaceBinaryOperator_Div_Mul", "ReplaceBinaryOperator_Pow_Mul", "ReplaceComparisonOperator_Lt_LtE",
    "ReplaceComparisonOperator_LtE_Lt", "ReplaceComparisonOperator_Gt_GtE", "ReplaceComparisonOperator_GtE_Gt",
    "ReplaceComparisonOperator_Lt_GtE", "ReplaceComparisonOperator_GtE_Lt", "ReplaceComparisonOperator_Gt_LtE",
    "ReplaceComparisonOperator_LtE_Gt", "ReplaceComparisonOperator_Eq_NotEq", "ReplaceComparisonOperator_NotEq_Eq",
    "ReplaceComparisonOperator_Is_IsNot", "ReplaceComparisonOperator_IsNot_Is", "ReplaceUnaryOperator_Delete_USub",
    "ReplaceUnaryOperator_Delete_Not", "ReplaceTrueWithFalse", "ReplaceFalseWithTrue", "ReplaceAndWithOr",
    "ReplaceOrWithAnd", "ZeroIterationForLoop", "ReplaceBreakWithContinue", "ReplaceContinueWithBreak"))
# Bodies that do no work; {arg} is the function's first argument (after self). NumPy by name, so
# that a module that does not import it still gets them.
_NP = "__import__('numpy')"
NO_WORK = {
    "nothing": "pass",
    "input": "return {arg}",
    "zeros": f"return {_NP}.zeros_like({_NP}.asarray({{arg}}, dtype=float))",
    "constant": f"return {_NP}.full({_NP}.shape({{arg}}), 0.5)",
    "random": f"return {_NP}.random.default_rng().random({_NP}.shape({{arg}}))",
}


@dataclass
class Mutant:
    name: str
    module: str
    line: int
    function: str
    exercise: str
    description: str
    source: str
    verdict: str = "unknown"  # from the course's probe: equivalent | correct | uncertain | changed | unknown
    why: str = ""
    lost: dict[str, float] = field(default_factory=dict)  # exercise -> points lost
    graded: tuple[str, ...] = ()
    error: str = ""
    must_lose: float = 0.0  # no-work mutants: every point of their exercise


# -- the course: solution blocks and the exercises they belong to -------------------------------

def solution_lines(source: str) -> set[int]:
    """Line numbers strictly inside `### BEGIN SOLUTION` / `### END SOLUTION` blocks."""
    lines, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside:
            lines.add(number)
    return lines


def function_at(tree: ast.Module, line: int) -> str:
    """The top-level function or method (Class.method) holding this line, or "?"."""
    for node in tree.body:
        for inner in [node, *(node.body if isinstance(node, ast.ClassDef) else [])]:
            if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and inner.lineno <= line <= inner.end_lineno:
                return f"{node.name}.{inner.name}" if inner is not node else inner.name
    return "?"


def owners(source: str, exercises: list[str]) -> dict[str, str]:
    """{function holding a solution block: the exercise it belongs to} (the rule in the docstring)."""
    tree = ast.parse(source)
    functions = list(dict.fromkeys(function_at(tree, line) for line in sorted(solution_lines(source))))
    named = {function: function.rsplit(".", 1)[-1] for function in functions
             if function.rsplit(".", 1)[-1] in exercises}
    whole = [name for name in exercises if name not in named.values()] or exercises
    return {function: named.get(function) or next((named[later] for later in functions[index + 1:] if later in named),
                                                  whole[-1])
            for index, function in enumerate(functions)}


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


# -- operator mutants ---------------------------------------------------------------------------

class _OwnOperators(ast.NodeTransformer):
    """`@` -> `*`, a keyword argument dropped, a statement removed: candidate `target` is applied
    (target=-1 only lists them)."""

    def __init__(self, lines: set[int], target: int = -1):
        self.lines, self.target, self.count = lines, target, 0
        self.found: list[tuple[int, str]] = []

    def _candidate(self, node, description: str) -> bool:
        self.found.append((node.lineno, description))
        self.count += 1
        return self.count - 1 == self.target

    def generic_visit(self, node):
        node = super().generic_visit(node)
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Expr, ast.Return, ast.For)) and node.lineno in self.lines:
            if self._candidate(node, f"remove `{ast.unparse(node).splitlines()[0]}`"):
                return ast.copy_location(ast.Pass(), node)
        return node

    def visit_BinOp(self, node):
        node = self.generic_visit(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult) and node.lineno in self.lines:
            if self._candidate(node, f"`{ast.unparse(node)}`: @ -> *"):
                node.op = ast.Mult()
        return node

    def visit_Call(self, node):
        node = self.generic_visit(node)
        if isinstance(node, ast.Call) and node.lineno in self.lines:
            for keyword in list(node.keywords):
                if keyword.arg and self._candidate(node, f"`{ast.unparse(node)}`: drop {keyword.arg}="):
                    node.keywords.remove(keyword)
        return node


def _changed_line(before: str, after: str) -> str:
    """The first changed line as `context old` -> `new` (cosmic-ray rewrites a token, keeping the rest)."""
    for old, new in zip(before.splitlines(), after.splitlines()):
        if old != new:
            old, new = old.strip(), new.strip()
            start = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
            end = next((i for i, (a, b) in enumerate(zip(old[::-1], new[::-1])) if a != b or i >= len(old) - start
                        or i >= len(new) - start), 0)
            while start and (old[start - 1].isalnum() or old[start - 1] in "._"):  # whole tokens
                start -= 1
            while end and (old[len(old) - end].isalnum() or old[len(old) - end] in "._"):
                end -= 1
            while start and not (old[start:len(old) - end].strip() and new[start:len(new) - end].strip()):
                start -= 1  # an operator that lost a character (** -> *): show both whole
            context = old[max(0, start - 16):start]
            return f"`{context}{old[start:len(old) - end]}` -> `{new[start:len(new) - end].strip()}`"
    return "changed"


def operator_mutants(source: str) -> list[tuple[int, str, str]]:
    """(line, description, mutated source) of every operator mutant inside the solution blocks."""
    try:
        from cosmic_ray.ast import ast_nodes, get_ast
        from cosmic_ray.mutating import mutate_code
        from cosmic_ray.plugins import get_operator
    except ModuleNotFoundError:
        raise UsageError("cosmic-ray is not installed: run `make validate-graders` (it installs "
                         "requirements-dev.txt), or pip install -r requirements-dev.txt") from None
    lines, found = solution_lines(source), []
    for name in OPERATORS:
        operator = get_operator(name)()
        positions = [start for node in ast_nodes(get_ast(source)) for start, _ in operator.mutation_positions(node)]
        for occurrence, (line, _column) in enumerate(positions):
            if line in lines:
                mutated = mutate_code(source, operator, occurrence)
                if mutated is not None:
                    found.append((line, _changed_line(source, mutated), mutated))
    tree = ast.parse(source)
    listing = _OwnOperators(lines)
    listing.visit(copy.deepcopy(tree))
    for index, (line, description) in enumerate(listing.found):
        mutated = ast.unparse(ast.fix_missing_locations(_OwnOperators(lines, index).visit(copy.deepcopy(tree))))
        found.append((line, description, mutated + "\n"))
    return found


def generate(module: str, source: str, owned: dict[str, str], start: int = 1) -> list[Mutant]:
    """The distinct operator mutants of one module (a mutant that is the original, or the same
    program as an earlier one, is left out)."""
    tree = ast.parse(source)
    seen, mutants = {ast.dump(tree)}, []
    for line, description, text in sorted(operator_mutants(source), key=lambda found: found[0]):
        try:
            shape = ast.dump(ast.parse(text))
        except SyntaxError:
            continue
        if shape in seen:
            continue
        seen.add(shape)
        function = function_at(tree, line)
        mutants.append(Mutant(f"m{start + len(mutants):03d}", module, line, function, owned.get(function, "?"),
                              description, text))
    return mutants


# -- no-work mutants ----------------------------------------------------------------------------

def replace_blocks(source: str, bodies: dict[str, str]) -> str:
    """source with every solution block of each named function replaced by its body."""
    tree, out, skipping = ast.parse(source), [], False
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == BEGIN and function_at(tree, number) in bodies:
            indent = line[: len(line) - len(line.lstrip())]
            out += [line] + [indent + body for body in bodies[function_at(tree, number)].splitlines()]
            skipping = True
        elif line.strip() == END:
            skipping = False
            out.append(line)
        elif not skipping:
            out.append(line)
    return "\n".join(out) + "\n"


def _first_argument(tree: ast.Module, function: str) -> str | None:
    owner, _, name = function.rpartition(".")
    for node in tree.body:
        inner = [node] if not owner else (node.body if isinstance(node, ast.ClassDef) and node.name == owner else [])
        for item in inner:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name:
                names = [arg.arg for arg in item.args.posonlyargs + item.args.args]
                names = names[1:] if owner and names[:1] in (["self"], ["cls"]) else names
                return names[0] if names else None
    return None


def generate_no_work(module: str, source: str, owned: dict[str, str], points: dict[str, float]) -> list[Mutant]:
    """One mutant per exercise and kind of no work, all of the exercise's blocks replaced; it must
    lose every point of its exercise."""
    tree, mutants = ast.parse(source), []
    for exercise in dict.fromkeys(owned.values()):
        functions = [function for function, owner in owned.items() if owner == exercise]
        for kind, body in NO_WORK.items():
            arguments = {function: _first_argument(tree, function) for function in functions}
            if "{arg}" in body and not any(arguments.values()):
                continue
            bodies = {function: body.format(arg=arguments[function]) if arguments[function] else "pass"
                      for function in functions}
            mutants.append(Mutant(f"w{len(mutants) + 1:02d}-{module}", module, 0, functions[-1], exercise,
                                  f"no work: {kind} ({', '.join(functions)})", replace_blocks(source, bodies),
                                  verdict="changed", why="does no work", must_lose=points[exercise]))
    return mutants


# -- probing, grading, reporting ----------------------------------------------------------------

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
        for mutant in batch:
            results = out / "students" / mutant.name / "results.json"
            mutant.graded = graded
            if results.is_file():
                mutant.lost = lost_points(json.loads(results.read_text()))
            else:
                mutant.error = f"grading failed (see {out / 'gradebook.csv'})"


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
        mutants += generate_no_work(module, source, owned, points)
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
