"""`make generate`: exercises/ and the nbgrader notebook from solutions/, all or nothing.

Every output is made in memory first (stubs.py, notebook.py); only when all of them could be
made are the ones that changed written, each to a temporary file beside it and then renamed
into place. So a mistake in one solution file or in [notebook] leaves every output as it was,
and the error is one line naming the file and what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

from .config import Config


class GenerateError(ValueError):
    """An output cannot be made; the message names the file and what to do."""


def outputs(config: Config, repo: Path) -> dict[Path, str]:
    """{path: text} of every generated file: a stub per solutions/*.py, and the notebook if the course has one."""
    from . import notebook, stubs

    solutions = repo / "solutions"
    for module in config.modules():
        if not (solutions / f"{module}.py").is_file():
            raise GenerateError(f"solutions/{module}.py is missing (grading.toml: module = \"{module}\"): "
                                "write it, or fix the exercise's module")
    files: dict[Path, str] = {}
    for path in sorted(solutions.glob("*.py")):
        try:
            source = path.read_text()
            compile(source, str(path), "exec")
        except SyntaxError as error:
            raise GenerateError(f"solutions/{path.name}:{error.lineno}: {error.msg}: fix it, then run make generate "
                                "again (nothing was written)") from None
        except (OSError, ValueError) as error:  # unreadable, not UTF-8, a null byte
            raise GenerateError(f"solutions/{path.name}: {error} (nothing was written)") from None
        if "### BEGIN SOLUTION" not in source:  # ClearSolutions would make the whole file one `raise`
            raise GenerateError(f"solutions/{path.name} has no ### BEGIN SOLUTION block: mark what students "
                                "write (nothing was written)")
        try:
            files[repo / "exercises" / path.name] = stubs.stub_source(source)
        except Exception as error:  # nbgrader's ClearSolutions on unbalanced markers
            raise GenerateError(f"solutions/{path.name}: {error} (nothing was written)") from None
    target = notebook.notebook_path(config)
    if target is not None:
        try:
            files[target] = notebook.text(notebook.build(config, solutions=solutions))
        except (notebook.NotebookError, SyntaxError) as error:
            raise GenerateError(f"{error} (nothing was written)") from None
    return files


def drifted(files: dict[Path, str]) -> list[Path]:
    """The outputs whose file is missing or differs (a notebook: in its cells, not ids or outputs)."""
    from . import notebook

    def same(path: Path, text: str) -> bool:
        if not path.is_file():
            return False
        if path.suffix == ".ipynb":
            return not notebook.drift(path, text)
        return path.read_text() == text

    return [path for path, text in files.items() if not same(path, text)]


def write(files: dict[Path, str]) -> list[Path]:
    """Write the outputs that drifted, every one or none; the paths written."""
    changed = drifted(files)
    staged: list[tuple[Path, Path]] = []
    try:
        for path in changed:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporary.write_text(files[path])
            staged.append((temporary, path))
    except OSError as error:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise GenerateError(f"cannot write {error.filename}: {error.strerror} (nothing was written)") from None
    for temporary, path in staged:
        os.replace(temporary, path)
    return changed
