"""Generate the student stubs in exercises/ from the reference solutions.

nbgrader's own ClearSolutions preprocessor removes every `### BEGIN SOLUTION` ...
`### END SOLUTION` block; we only name each stub's NotImplementedError after the
function it sits in and keep the TODO comment written above the block.
"""

from __future__ import annotations

import ast
from pathlib import Path

PLACEHOLDER = "__function__"
STUB = f'raise NotImplementedError("{PLACEHOLDER} is not implemented yet")'


def stub_source(solution: str) -> str:
    """The student version of one solution file's source."""
    import nbformat
    from nbgrader.preprocessors import ClearSolutions

    cell = nbformat.v4.new_code_cell(solution)
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": "stub",
                                 "schema_version": 3}
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"language": "python", "name": "python3", "display_name": "Python 3"}
    cleared, _ = ClearSolutions(code_stub={"python": STUB}).preprocess(notebook, {})
    return _name_stubs(cleared.cells[0].source)


def _name_stubs(source: str) -> str:
    """Each stub names its function; a constructor by its class (`Net.__init__`), which says more."""
    lines = source.split("\n")
    functions = [(node, None) for node in ast.parse(source).body]
    while functions:
        node, owner = functions.pop()
        if isinstance(node, ast.ClassDef):
            functions += [(item, node.name) for item in node.body]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = f"{owner}.__init__" if owner and node.name == "__init__" else node.name
            functions += [(item, None) for item in node.body]
            for number in range(node.lineno - 1, node.end_lineno):
                lines[number] = lines[number].replace(PLACEHOLDER, name)
    return "\n".join(lines)


def generate(solutions: Path, exercises: Path) -> dict[Path, str]:
    """{path in exercises/: generated text} for every solutions/*.py."""
    return {exercises / path.name: stub_source(path.read_text()) for path in sorted(solutions.glob("*.py"))}


def drift(solutions: Path, exercises: Path) -> list[str]:
    """Names of exercise files that differ from what generate() makes (or are missing)."""
    return [path.name for path, text in generate(solutions, exercises).items()
            if not path.exists() or path.read_text() != text]
