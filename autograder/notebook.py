"""The lesson as an nbgrader notebook, built from the same sources as everything else.

grading.toml's [notebook] says what to build: `name` (the notebook is
nbgrader/source/<name>/<name>.ipynb), `lesson` (a Markdown file: its prose, split at its level-3
and level-4 headings into markdown cells; its code stays in fences, never executed) and
`sections` (after which heading each block of solutions/<module>.py goes). `build()` makes the
notebook from those, the solutions (each top-level block a code cell: solution cells keep
nbgrader's `### BEGIN SOLUTION` markers for `nbgrader generate_assignment` to clear; a module's
imports and constants are a read-only "header" cell) and the exercises (one autograded test cell
per exercise, worth its points, after the block defining a function or method named after it,
else after its module's last block). No [notebook], no notebook.

A test cell runs in the student's kernel, but grades elsewhere: it rebuilds the exercise
modules from the code cells of the saved notebook (the file nbgrader autograde executes,
sanitized), runs `python -m autograder grade --only EXERCISE` on them in a subprocess, prints
the public checks (the hidden ones between nbgrader's hidden-test markers) and outputs the
score, which nbgrader records as partial credit. So an nbgrader grade equals `make grade` on
the same code. Environment the test cells read (nbgrader/nbgrader_config.py sets the first two):
    AUTOGRADER_REPO           folder holding autograder/ (else the nearest such folder above
                              the notebook, as in a student release)
    AUTOGRADER_PYTHON         interpreter for the engine (else the kernel's)
    AUTOGRADER_NOTEBOOK_SKIP  comma-separated exercise ids whose test cells score 0 ungraded
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "nbgrader"
SOLUTION_MARK = "### BEGIN SOLUTION"
NOTEBOOK_NAME = MODULES = None  # set in the notebook's helper cell (helper_source), read by the kernel side
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class NotebookError(ValueError):
    """The lesson, solutions and [notebook] do not fit together; the message says what to change."""


def _config(config=None):
    from .config import load

    return config if config is not None else load(REPO / "grading.toml")


def notebook_path(config=None) -> Path | None:
    """Where the source notebook is (None when grading.toml has no [notebook])."""
    name = _config(config).notebook.get("name")
    return COURSE / "source" / name / f"{name}.ipynb" if name else None


# ---------------------------------------------------------------------------------------------
# Kernel side. These definitions are copied by source into the notebook's read-only helper cell
# and run in the student's kernel: standard library only, no names from the rest of this module.

def engine_repository():
    """The folder holding the grading engine: $AUTOGRADER_REPO (the instructor's, set by nbgrader's
    config), else the nearest one above here (a student release: its public checks only)."""
    if os.environ.get("AUTOGRADER_REPO"):
        folder = Path(os.environ["AUTOGRADER_REPO"])
        if not (folder / "autograder" / "__main__.py").is_file():
            raise RuntimeError(f"AUTOGRADER_REPO is {folder}, which holds no autograder/: fix or unset it")
        return folder
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / "autograder" / "__main__.py").is_file():
            return folder
    raise RuntimeError(f"cannot find the checker: open {NOTEBOOK_NAME} in the course repository you were given "
                       "(the folder holding autograder/ and exercises/), next to its Makefile")


def notebook_file():
    """The saved file of the notebook this kernel runs: the one Jupyter (JPY_SESSION_NAME) or VS Code
    (__vsc_ipynb_file__) names, if it is in the kernel's folder (a copy such as mywork.ipynb is
    graded as itself); else NOTEBOOK_NAME there (nbgrader runs the notebook in its own folder)."""
    named = os.environ.get("JPY_SESSION_NAME") or globals().get("__vsc_ipynb_file__") or ""
    session = Path(named) if named else None
    if session is not None and session.suffix == ".ipynb" and session.is_file() \
            and session.resolve().parent == Path.cwd().resolve():
        return session
    here = Path.cwd() / NOTEBOOK_NAME
    if here.is_file():
        return here
    raise FileNotFoundError(f"{NOTEBOOK_NAME} is not in {Path.cwd()}: the tests grade the saved notebook; "
                            "open it from the course folder, or save your copy there")


def solution_files(notebook, modules=None):
    """{file name: source}: each exercise file (of `modules`, MODULES by default) rebuilt from the
    notebook's cells for it, in order."""
    modules = MODULES if modules is None else modules
    blocks = {}
    for cell in json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        module = grade_id.partition("-")[0]  # cells for <module>.py are "<module>-<block>"
        if cell.get("cell_type") == "code" and module in modules:
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            blocks.setdefault(module, []).append(source.strip("\n"))
    return {f"{module}.py": "\n\n\n".join(parts) + "\n" for module, parts in blocks.items()}


class Graded:
    """One exercise's tests from results.json; report() prints one part and returns its points."""

    def __init__(self, exercise, tests, skipped=False):
        self.exercise, self.tests, self.skipped = exercise, tests, skipped

    def report(self, part):
        """Print the "public" or "hidden" checks as `make check` words them, then their points."""
        tests = [test for test in self.tests if part in test["tags"][1:]]
        if not tests:  # a hidden-only exercise's public part, or an exercise not graded here
            if part == "public" and not self.skipped:
                print(f"{self.exercise} has no public checks: its hidden checks run when the notebook is graded")
            return 0
        for test in tests:
            mark = "ok" if test["status"] == "passed" else "x "
            print(f"{mark} {test['name']} ({test['score']:g} / {test['max_score']:g}, {test['status']})")
            if test["status"] != "passed" and test["output"]:
                print("\n".join("        " + line for line in test["output"].strip().splitlines()))
        points = round(sum(test["score"] for test in tests), 6)
        most = round(sum(test["max_score"] for test in tests), 6)
        print(f"{part.capitalize()} checks of {self.exercise}: {points:g} / {most:g} points")
        return points


def grade_exercise(exercise):
    """Grade one exercise of the saved notebook with the course's engine, in a separate process.

    Feedback (the student's own check, never refused for want of a sandbox), unless AUTOGRADER_REPO
    is set: nbgrader's config sets it, and nbgrader's grades are of record."""
    if exercise in os.environ.get("AUTOGRADER_NOTEBOOK_SKIP", "").split(","):
        print(f"{exercise}: not graded (listed in AUTOGRADER_NOTEBOOK_SKIP), 0 points")
        return Graded(exercise, [], skipped=True)
    notebook = notebook_file()
    print(f"{exercise}: checking the code saved in {notebook.name} (save before running this cell)")
    with tempfile.TemporaryDirectory() as scratch:
        submission, results = Path(scratch, "submission"), Path(scratch, "results.json")
        submission.mkdir()
        for name, source in solution_files(notebook).items():
            (submission / name).write_text(source, encoding="utf-8")
        # The engine starts afresh: nothing the kernel imported or set in PYTHON* reaches it.
        environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
        feedback = [] if os.environ.get("AUTOGRADER_REPO") else ["--feedback"]
        done = subprocess.run(
            [os.environ.get("AUTOGRADER_PYTHON") or sys.executable, "-m", "autograder", "grade", str(submission),
             "--results", str(results), "--only", exercise, *feedback],
            cwd=engine_repository(), env=environment, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"the grading engine failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
        graded = json.loads(results.read_text())
        tests = [test for test in graded["tests"] if test["tags"][0] == exercise]
    for note in graded["extra_data"].get("notes", [])[:1] if feedback else []:  # the sandbox's line
        print(note)
    return Graded(exercise, tests)


KERNEL_SIDE = (engine_repository, notebook_file, solution_files, Graded, grade_exercise)
# ---------------------------------------------------------------------------------------------


def helper_source(name: str, modules) -> str:
    """The read-only helper cell: the kernel-side definitions above, with their imports."""
    head = ("# How this notebook is graded: each test cell calls grade_exercise(), which runs the\n"
            "# course's graders on the code saved in this notebook, in a separate process.\n"
            "import json\nimport os\nimport subprocess\nimport sys\nimport tempfile\nfrom pathlib import Path\n\n"
            "# Before any cell imports TensorFlow: its start-up log lines are noise here.\n"
            'os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")\nos.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")\n'
            f"NOTEBOOK_NAME = {json.dumps(name)}\nMODULES = ({', '.join(map(json.dumps, modules))}{',' * (len(modules) == 1)})")
    return "\n\n\n".join([head, *(inspect.getsource(item).strip("\n") for item in KERNEL_SIDE)])


def test_source(exercise: str) -> str:
    return (f"# Checks `{exercise}`: its public checks here, as `make check EX={exercise}` runs them; "
            "the hidden ones run when your notebook is graded.\n"
            f'graded = grade_exercise("{exercise}")\n'
            'points = graded.report("public")\n'
            "### BEGIN HIDDEN TESTS\n"
            'points += graded.report("hidden")\n'
            "### END HIDDEN TESTS\n"
            "points")


def lesson_sections(text: str) -> list[str]:
    """The lesson split before each level-3 or level-4 heading outside code fences."""
    sections, current, fenced = [], [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"#{3,4} ", line) and current:
            sections.append(current)
            current = []
        current.append(line)
    sections.append(current)
    return [body for body in ("\n".join(lines).strip("\n") for lines in sections) if body.strip()]


def solution_blocks(source: str, module: str) -> dict[str, str]:
    """{"header" or top-level name: its source}; joined by two blank lines they give back `source`."""
    lines = source.splitlines()
    tree = ast.parse(source)
    starts = [(node.name, min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1)
              for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    bounds = [("header", 0)] + starts + [(None, len(lines))]
    blocks = {name: "\n".join(lines[start:end]).strip("\n") for (name, start), (_, end) in zip(bounds, bounds[1:])}
    if "\n\n\n".join(blocks.values()) + "\n" != source:
        raise NotebookError(f"solutions/{module}.py: separate top-level blocks by exactly two blank lines "
                            "(the notebook rebuilds the file from its cells)")
    return blocks


def _cell_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)[:64]


def _intro(module: str, block: str, source: str, tested: list[str], exercises, graders: Path) -> str:
    if block == "header":
        return f"The top of `{module}.py`: its imports and constants. Read-only; run it before the cells below."
    tree = ast.parse(source)
    todo = [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
            and SOLUTION_MARK in ast.get_source_segment(source, node)]
    owner = tree.body[0].name
    names = ", ".join(f"`{owner}.{name}`" if name != owner else f"`{name}`" for name in todo)
    graded = "; ".join(f"`{name}` ({_public_points(exercises[name], graders):g} of its {exercises[name].max_score:g} points)"
                       for name in tested if name in exercises)
    after = (f" The test cell after it runs the public checks of {graded}; the hidden checks, the rest of the "
             "points, run when your notebook is graded.") if graded else ""
    return (f"**Your code** (part of `{module}.py`): complete {names} where the cell says "
            f"`raise NotImplementedError`; the TODO comments say what to compute.{after}")


def _public_points(exercise, graders: Path) -> float:
    """The points of an exercise's public checks (its graders in <graders>/public/)."""
    path = graders / "public" / f"test_{exercise.name}.py"
    names = {node.name for node in ast.parse(path.read_text()).body if isinstance(node, ast.FunctionDef)} \
        if path.is_file() else set()
    return sum(points for test, points in exercise.points.items() if test in names)


def placement(config, blocks: dict[str, dict[str, str]], headings: list[str]) -> dict[int, list]:
    """{index of a lesson section: [(module, block, exercises tested after it)]} from [notebook] sections."""
    sections = dict(config.notebook.get("sections", {}))
    where = f"{config.path.name} [notebook] sections"
    index = {heading: number for number, heading in enumerate(headings)}
    tested: dict[tuple[str, str], list[str]] = {}
    for name, exercise in config.exercises.items():
        found = blocks.get(exercise.module, {})
        owner = next((block for block, source in found.items() if block != "header" and _defines(source, name)),
                     list(found)[-1] if found else None)
        tested.setdefault((exercise.module, owner), []).append(name)
    for key, heading in sections.items():
        module, _, block = key.partition(":")
        if block not in blocks.get(module, {}):
            known = ", ".join(f"{m}:{b}" for m, found in blocks.items() for b in found)
            raise NotebookError(f"{where}: {key!r} is not a block of the solutions (blocks: {known})")
        if heading not in index:
            raise NotebookError(f"{where}: the lesson has no heading {heading!r} (for {key}): "
                                "copy the heading line from the lesson")
    after: dict[int, list] = {}
    section = None
    for module, found in blocks.items():
        for block in found:
            heading = sections.get(f"{module}:{block}")
            section = index[heading] if heading is not None else section
            if section is None:
                raise NotebookError(f"{where}: say after which heading {module}:{block} goes "
                                    f"(e.g. \"{module}:{block}\" = \"### ...\")")
            after.setdefault(section, []).append((module, block, tested.get((module, block), [])))
    return after


def _defines(source: str, name: str) -> bool:
    """A block defines `name`: it is that function, or a class with that method."""
    node = ast.parse(source).body[0]
    return node.name == name or isinstance(node, ast.ClassDef) and any(
        isinstance(item, ast.FunctionDef) and item.name == name for item in node.body)


def build(config=None, *, solutions: Path = REPO / "solutions"):
    """The source notebook, as an nbformat NotebookNode (deterministic: same inputs, same cells)."""
    import nbformat.v4 as v4

    config = _config(config)
    exercises = config.exercises
    if not config.notebook:
        raise NotebookError(f"{config.path.name} has no [notebook] section, so there is no notebook to build")
    name, lesson = config.notebook.get("name"), config.notebook.get("lesson")
    if not name or not lesson:
        raise NotebookError(f"{config.path.name} [notebook] needs name and lesson")
    lesson_path = config.path.resolve().parent / lesson
    if not lesson_path.is_file():
        raise NotebookError(f"{config.path.name} [notebook] lesson: {lesson} is not a file: give the lesson's "
                            f"path from {config.path.name}'s folder")
    sections = lesson_sections(lesson_path.read_text())
    blocks = {module: solution_blocks((Path(solutions) / f"{module}.py").read_text(), module)
              for module in config.modules()}
    after = placement(config, blocks, [section.splitlines()[0] for section in sections])
    modules = config.modules()
    files = listed([f"`{module}.py`" for module in modules])

    def nbgrader(grade_id: str, **flags) -> dict:
        return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, **flags}}

    cells = []
    for index, section in enumerate(sections):
        cells.append(v4.new_markdown_cell(section, id=f"lesson-{index:02d}"))
        if index == 0:
            cells.append(v4.new_markdown_cell(
                "**How to work in this notebook.** Write your code in the cells that say "
                "`raise NotImplementedError`, save the notebook, then run the test cell below each one. "
                "Run the next cell first: test cells grade the *saved* notebook with the course's graders. "
                f"The code cells after the lesson's sections are {files}, in order; "
                "cells you add are for trying things out and are not graded.",
                id="how-to"))
            cells.append(v4.new_code_cell(helper_source(f"{name}.ipynb", modules), id="grading-helper", metadata=nbgrader(
                "grading-helper", grade=False, solution=False, locked=True)))
        for module, block, tested in after.get(index, []):
            source, grade_id = blocks[module][block], f"{module}-{block}"
            cells.append(v4.new_markdown_cell(_intro(module, block, source, tested, exercises, config.graders),
                                              id=_cell_id(f"about-{grade_id}")))
            solution = SOLUTION_MARK in source
            cells.append(v4.new_code_cell(source, id=_cell_id(grade_id), metadata=nbgrader(
                grade_id, grade=False, solution=solution, locked=not solution)))
            for exercise in tested:
                cells.append(v4.new_code_cell(test_source(exercise), id=f"test-{exercise}", metadata=nbgrader(
                    f"test-{exercise}", grade=True, solution=False, locked=True,
                    points=exercises[exercise].max_score)))
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    return notebook


def listed(items: list[str]) -> str:
    """"a, b and c"."""
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def _content(notebook) -> list:
    """What drift compares: each cell's type, source and nbgrader metadata (not ids, outputs, counts)."""
    return [(cell.cell_type, cell.source, cell.get("metadata", {}).get("nbgrader")) for cell in notebook.cells]


def text(notebook) -> str:
    """The file a built notebook is written as."""
    import nbformat

    return nbformat.writes(notebook) + "\n"


def student_notebook(path: Path) -> str:
    """The notebook as students get it in `make release`: solutions cleared to the same stubs as
    exercises/, hidden tests and outputs removed. Its test cells find the release's own engine
    (nearest autograder/ above it) and so run the public checks, as `make check` does."""
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests, ClearOutput

    from .stubs import stub_source

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell.source = stub_source(cell.source)
    for step in (ClearHiddenTests(), ClearOutput()):
        notebook, _ = step.preprocess(notebook, {})
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            # The bare `points` that gives nbgrader its score would show a number without its total
            # under the line report() printed ("Public checks of x: 3 / 4 points").
            lines = cell.source.rstrip("\n").split("\n")
            cell.source = "\n".join(lines[:-1] if lines[-1].strip() == "points" else lines)
    return nbformat.writes(notebook) + "\n"


def drift(path: Path | None = None, built: str | None = None) -> bool:
    """True when the notebook at `path` (the course's by default) is missing or its cells differ
    from `built` (a notebook's text; what build() makes by default)."""
    import nbformat

    path = Path(path) if path is not None else notebook_path()
    if not path.is_file():
        return True
    expected = nbformat.reads(built, as_version=4) if built is not None else build()
    return _content(nbformat.read(path, as_version=4)) != _content(expected)
