"""Mutants of a course's reference solutions, for `make validate-graders` (validate.py).

Only the code inside `### BEGIN/END SOLUTION` blocks is mutated. Operator mutants come from
cosmic-ray's operators (a maintained mutation-testing library) and three of ours; no-work mutants
replace every block of an exercise with a body that does no work. A block belongs to the exercise
named after its function or method (Net.step -> step), else to the next such block's exercise
in the file (a constructor goes with the method after it), else to the module's exercise that is
named after no function.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field

from .errors import UsageError

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
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
            if start and old[start - 1] == "-" and old[max(0, start - 2):start - 1] in ("", " ", "(", ",", "[", "="):
                start -= 1  # a negative number's sign
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
