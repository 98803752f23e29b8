"""Write the student repository: lesson, stubs, public graders and the engine they need.

What goes out is chosen, not filtered: the engine modules are those the `check` command and
the public graders import (followed through their imports), minus the instructor-only ones;
grading.toml is rewritten with the public tests' points and the parameters public graders
read, nothing else. Solutions, hidden graders and this module never leave.

A release folder carries a manifest of the files it wrote, so `make release` may overwrite
its own earlier output (keeping a `.git/` or anything else added since) but refuses any
other non-empty folder.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from . import __version__
from .config import load
from .errors import UsageError

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
TEMPLATES = PACKAGE / "templates" / "student"
MANIFEST = ".autograder-release.json"
PLACEHOLDER_REPO = "OWNER/INSTRUCTOR-REPOSITORY"

# Entry points of a student's `make check`; the graders' own imports are followed from these.
ENGINE_ROOTS = ("__init__.py", "__main__.py", "cli.py", "grade.py", "console.py", "child.py", "wire.py")
# Modules loaded by path, not imported, so never reached by following imports: the course's
# sections of the feedback page (report.course_sections), so `make report` draws the same plots.
LOADED_BY_PATH = ("graders/figures.py",)
# Never shipped, even if an engine module imports them (cli.py does, lazily): they read or
# write solutions/ and the hidden graders. The course's own support modules in graders/ ship
# only when a public grader reaches them through its imports.
INSTRUCTOR_ONLY = frozenset({"stubs.py", "notebook.py", "release.py", "gradescope.py", "generate.py"})
# Data at the top of the graders folder ships when a released module or public grader names
# the file (e.g. the small dataset the public graders read); graders/hidden/ never does.
DATA_SUFFIXES = (".npz", ".npy", ".csv", ".json", ".txt")
LESSON_SUFFIXES = (".md", ".png", ".svg", ".jpg")
# (template, where it goes in the release)
STUDENT_FILES = (("README.md", "README.md"), ("Makefile", "Makefile"), ("gitignore", ".gitignore"),
                 ("grade.yml", ".github/workflows/grade.yml"), ("student-path.yml", ".github/workflows/student-path.yml"),
                 ("conftest.py", "conftest.py"))


def engine_modules(package: Path = PACKAGE) -> list[str]:
    """Paths (relative to the package, e.g. "wire.py", "graders/oracle.py") of the modules a student's
    `check` can reach, instructor-only ones left out."""
    loaded = [name for name in LOADED_BY_PATH if (package / name).is_file()]
    todo = [package / name for name in (*ENGINE_ROOTS, *loaded)] + sorted((package / "graders" / "public").glob("*.py"))
    seen: set[str] = set(loaded)
    while todo:
        path = todo.pop()
        for name in _imported_modules(path, package):
            if name not in seen and Path(name).name not in INSTRUCTOR_ONLY and (package / name).is_file():
                seen.add(name)
                todo.append(package / name)
    return sorted(seen | {name for name in ENGINE_ROOTS if (package / name).is_file()})


def _imported_modules(path: Path, package: Path) -> set[str]:
    """The package's files a module imports, relative to the package ("x.py", "graders/y.py", a
    package's "__init__.py"): absolute `autograder.…` imports, and relative ones from where it is."""
    here = path.parent.relative_to(package).parts
    dotted = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            dotted += [alias.name.split(".")[1:] for alias in node.names if alias.name.split(".")[0] == "autograder"]
        elif isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".") if node.module else []
            if node.level == 0:
                if not parts or parts[0] != "autograder":
                    continue
                base = parts[1:]
            else:
                base = list(here[:len(here) - node.level + 1]) + parts
            dotted += [base] + [base + [alias.name] for alias in node.names]
    found = set()
    for parts in dotted:
        for end in range(1, len(parts) + 1):  # importing a.b also runs a/__init__.py
            stem = "/".join(parts[:end])
            if (package / f"{stem}.py").is_file():
                found.add(f"{stem}.py")
            elif (package / stem / "__init__.py").is_file():
                found.add(f"{stem}/__init__.py")
    return found


def public_config(config_path: Path, public_graders: Path) -> str:
    """grading.toml for students: public tests' points, the parameters public graders read, the limits,
    and standins (names only: `make check` reads them to say which exercise another one waits on)."""
    load(config_path)  # a broken instructor config fails here, with its own message
    data = tomllib.loads(Path(config_path).read_text())
    public = _public_tests(public_graders)
    lines = ["# Written by `make release` from the instructor's grading.toml: the public checks only.",
             "# Your grade also counts hidden checks, whose points and settings are not here.", ""]
    for name, table in data.get("exercise", {}).items():
        tests = public.get(name, set())
        if not tests:  # listed, with no points, so that `make check EX=` can say it is graded on submit
            lines += [f"# {name}: hidden checks only, graded when you submit", f"[exercise.{name}]",
                      f"module = {_toml(table['module'])}", f"[exercise.{name}.points]", ""]
            continue
        used = set(re.findall(r"\bcfg\.([a-z_]\w*)", (public_graders / f"test_{name}.py").read_text()))
        lines.append(f"[exercise.{name}]")
        for key in ("module", "timeout_s", "check_timeout_s", "memory_mb", "processes", "standins"):
            if key in table:
                lines.append(f"{key} = {_toml(table[key])}")
        params = {key: value for key, value in table.get("params", {}).items() if key in used}
        if params:
            lines.append(f"params = {_toml(params)}")
        lines.append(f"[exercise.{name}.points]")
        lines += [f"{test} = {_toml(points)}" for test, points in table["points"].items() if test in tests]
        lines.append("")
    return "\n".join(lines)


def _public_tests(public_graders: Path) -> dict[str, set[str]]:
    # grade.discover() reads public and hidden together; this is its public half.
    found: dict[str, set[str]] = {}
    for path in sorted(public_graders.glob("test_*.py")):
        tree = ast.parse(path.read_text(), str(path))
        found[path.stem.removeprefix("test_")] = {
            node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    return found


def _toml(value) -> str:
    """A TOML value for the plain types grading.toml holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)  # repr gives valid TOML: 1e-07, 10000.0, inf, nan
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = (k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k) for k in value)
        return "{ " + ", ".join(f"{key} = {_toml(item)}" for key, item in zip(keys, value.values())) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def instructor_location(repo: Path, instructor_repo: str | None, instructor_ref: str | None) -> tuple[str, str]:
    """The GitHub owner/name and the pinned commit the student workflow fetches the graders from."""
    if instructor_repo is None:
        url = _git(repo, "remote", "get-url", "origin")
        match = re.search(r"github\.com[:/]([^/]+/[^/]+?)(?:\.git)?/?$", url or "")
        instructor_repo = match.group(1) if match else PLACEHOLDER_REPO
        if not match:
            print(f"warning: no GitHub remote 'origin' here, so the student workflow names {PLACEHOLDER_REPO}: "
                  "pass --instructor-repo OWNER/NAME", file=sys.stderr)
    if instructor_ref is None:
        instructor_ref = _git(repo, "rev-parse", "HEAD")
        if not instructor_ref:
            raise UsageError("cannot read this repository's HEAD commit: pass --instructor-ref TAG_OR_COMMIT")
    for what, value in (("--instructor-repo", instructor_repo), ("--instructor-ref", instructor_ref)):
        if not re.fullmatch(r"[A-Za-z0-9._/-]+", value):
            raise UsageError(f"{what} '{value}' has characters a repository name or git ref cannot have")
    return instructor_repo, instructor_ref


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def contents(*, repo: Path = REPO, config_path: Path | None = None, instructor_repo: str | None = None,
             instructor_ref: str | None = None) -> dict[str, bytes]:
    """{path in the release: bytes} for every file the release holds."""
    package = repo / "autograder"
    out: dict[str, bytes] = {}
    config_path = config_path or repo / "grading.toml"
    config = load(config_path)
    for name in engine_modules(package):
        out[f"autograder/{name}"] = (package / name).read_bytes()
    for path in sorted((package / "graders" / "public").glob("*.py")):
        out[f"autograder/graders/public/{path.name}"] = path.read_bytes()
    shipped = b"\n".join(out.values())
    for path in sorted((package / "graders").iterdir()):
        if path.is_file() and path.suffix in DATA_SUFFIXES and path.name.encode() in shipped:
            out[f"autograder/graders/{path.name}"] = path.read_bytes()
    for name in (f"{module}.py" for module in config.modules()):
        if not (repo / "exercises" / name).is_file():
            raise UsageError(f"exercises/{name} is missing: run `make generate` first")
        text = (repo / "exercises" / name).read_text()
        if "BEGIN SOLUTION" in text:
            raise UsageError(f"exercises/{name} still holds a solution block: run `make generate` first")
        out[f"exercises/{name}"] = text.encode()
    for path in sorted((repo / "lesson").iterdir()):
        if path.is_file() and path.suffix in LESSON_SUFFIXES:
            out[f"lesson/{path.name}"] = path.read_bytes()
    for name in ("requirements.txt", "requirements-notebook.txt"):
        out[name] = (repo / name).read_bytes()
    from . import notebook  # nbgrader (requirements-dev.txt) clears the notebook's solutions and hidden tests

    source_notebook = notebook.notebook_path(config)
    if source_notebook is not None:
        source_notebook = repo / source_notebook.relative_to(REPO)
        if not source_notebook.is_file():
            raise UsageError(f"{source_notebook.relative_to(repo)} is missing: run `make generate` first")
        out[source_notebook.name] = notebook.student_notebook(source_notebook).encode()
    out["grading.toml"] = public_config(config_path, package / "graders" / "public").encode()
    if instructor_repo or instructor_ref:  # still checked: they name the instructor-side workflow
        instructor_location(repo, instructor_repo, instructor_ref)
    fill = template_values(config, repo, None if source_notebook is None else source_notebook.name)
    for template, target in STUDENT_FILES:
        # Nothing of the instructor's repository (no name, no key) goes into the student side.
        out[target] = render((TEMPLATES / template).read_text(), fill).encode()
    return out


def template_values(config, repo: Path, notebook_name: str | None) -> dict[str, str]:
    """What the student templates say about this course, all from grading.toml and its lesson."""
    from .notebook import listed
    from .report import markdown_headings

    lesson = config.notebook.get("lesson")
    text = (repo / lesson).read_text() if lesson and (repo / lesson).is_file() else ""
    title = next(iter(markdown_headings(text)), None)
    modules = config.modules()
    # The example of an exercise waiting on another: the first with a stand-in that is an exercise.
    waiting = [(name, standin.rsplit(".", 1)[-1]) for name, exercise in config.exercises.items()
               for standin in exercise.standins if standin.rsplit(".", 1)[-1] in config.exercises]
    checked = [name for name in config.exercises if name not in config.hidden_only()] or list(config.exercises)
    waiting = [(name, on) for name, on in waiting if name in checked]
    example, waits_on = waiting[0] if waiting else (checked[0], checked[0])
    return {
        "title": title or "Exercises",
        "lesson": f"`{lesson}`" if lesson else "`lesson/`",
        "exercise_files": listed([f"`exercises/{module}.py`" for module in modules]),
        "module_files": ", ".join(f"`{module}.py`" for module in modules),
        "exercise_ids": ", ".join(f"`{name}`" + (" (no public checks: graded when you submit)"
                                                  if name in config.hidden_only() else "") for name in config.exercises),
        "example": example, "example_pad": " " * max(1, 12 - len(example)), "waits_on": waits_on,
        "example_file": f"{config.exercises[example].module}.py",
        "notebook_line": (f"Prefer a notebook? `make notebook` opens `{notebook_name}`, the lesson with the same\n"
                          "exercises; its check cells run the same public checks on the notebook they run in (a copy\n"
                          "is checked as itself; keep it in this folder, so it finds the checker).\n")
        if notebook_name else "",
        "notebook_row": f"| `{notebook_name}` | the same lesson and exercises as a notebook |\n" if notebook_name else "",
        "notebook_file": notebook_name or "",
    }


def render(template: str, values: dict[str, str]) -> str:
    """A template with each {{name}} replaced; an unknown name is the engine's bug, so it raises."""
    def value(match):
        return values[match.group(1)]

    return re.sub(r"\{\{(\w+)\}\}", value, template)


def release(out: Path, *, repo: Path = REPO, config_path: Path | None = None, instructor_repo: str | None = None,
            instructor_ref: str | None = None) -> list[Path]:
    """Write the student repository into `out` (new, empty, or an earlier release); return the files written."""
    out = Path(out)
    files = contents(repo=repo, config_path=config_path, instructor_repo=instructor_repo, instructor_ref=instructor_ref)
    for relative in [*files, MANIFEST]:
        _no_link_inside(out, relative)  # before anything is deleted
    _clear_previous(out)
    written = []
    for relative, data in sorted(files.items()):
        written.append(_write(out, relative, data))
    _write(out, MANIFEST, (json.dumps({"engine_version": __version__, "files": sorted(files)}, indent=1) + "\n").encode())
    return written


def _no_link_inside(out: Path, relative: str) -> None:
    """Refuse a release path whose folders, below out, include a symbolic link (a release holds none:
    writing or deleting through one would reach whatever it points to, solutions/ say)."""
    path = out
    for part in Path(relative).parts[:-1]:
        path = path / part
        if path.is_symlink():
            raise UsageError(f"{path} is a symbolic link: release never writes or deletes through a link; "
                             "remove the link (a release holds only real folders) and run it again")


def _write(out: Path, relative: str, data: bytes) -> Path:
    """Write one file of the release as a new regular file: a link in its place is replaced, not followed."""
    _no_link_inside(out, relative)
    target = out / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    _no_link_inside(out, relative)  # mkdir(exist_ok) accepts a link to a folder made meanwhile
    if target.is_symlink():
        target.unlink()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)
    return target


def _clear_previous(out: Path) -> None:
    """Remove what an earlier release wrote; refuse a non-empty folder that is not one."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder")
    if not out.exists() or not any(out.iterdir()):
        return
    try:
        previous = json.loads((out / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(f"{out} is not empty and is not an earlier release: choose an empty or new folder") from None
    previous = [relative for relative in previous if isinstance(relative, str) and not Path(relative).is_absolute()
                and ".." not in Path(relative).parts]  # a manifest only ever names paths inside the release
    for relative in previous:
        _no_link_inside(out, relative)
    folders = set()
    for relative in previous:
        path = out / relative
        if path.is_file() or path.is_symlink():
            path.unlink()  # a link itself, never what it points to
        folders.update(path.parents)
    # Folders that held only released files go too; anything added since (.git, .venv) stays.
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if out in folder.parents and folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()
