"""grading.toml: points, visibility, limits and grader parameters, checked on load.

The course declares its exercises; the engine names none. An exercise is an [exercise.<id>]
table (the order of the tables is the order of grading) with graders in
<graders>/public/test_<id>.py and/or <graders>/hidden/test_<id>.py. Its parameters are the
names its graders read as `cfg.<name>` (found in their source, never imported here), with the
types grading.toml gives them. Every mistake in the file is a ConfigError with one line
naming the key and the file, so an instructor never finds out about a typo from a wrong grade.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ENGINE_GRADERS = Path(__file__).resolve().parent / "graders"  # where graders live unless [grading] graders says
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")

_GRADING_KEYS = {"seed": int, "hidden_visibility": str, "max_file_bytes": int, "wall_s": (int, float),
                 "scratch_mb": int, "graders": str}
_EXERCISE_KEYS = {
    "module": str, "standins": list, "timeout_s": (int, float), "check_timeout_s": (int, float),
    "wall_s": (int, float), "memory_mb": int,
    "processes": int, "points": dict, "params": dict, "preload": list,
}
_PARAM_TYPES = (int, float, bool, str, list)
_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")  # what preload may name
_NOTEBOOK_KEYS = {"name": str, "lesson": str, "sections": dict}
_SETUP_KEYS = {"modules": list, "system_packages": list}
_DEBIAN_PACKAGE = re.compile(r"[a-z0-9][a-z0-9+.-]+")  # what system_packages may name (Debian's rule)


_EXERCISE_FIELDS = {"name", "module", "standins", "timeout_s", "check_timeout_s", "wall_s", "memory_mb", "processes", "points",
                    "params", "max_score", "preload"}  # what cfg.<name> reads from the section itself, not its params


class ConfigError(ValueError):
    """grading.toml is wrong; the message names the key."""


@dataclass(frozen=True)
class Exercise:
    name: str
    module: str
    standins: tuple[str, ...]
    timeout_s: float
    wall_s: float  # the whole exercise's time budget, all of its checks and calls together
    memory_mb: int
    processes: int
    points: dict[str, float]
    params: dict[str, object] = field(default_factory=dict)
    check_timeout_s: float = 10.0  # the per-call limit of `make check` (timeout_s when not given)
    # Installed modules (never the submission's) each child of this exercise imports before the
    # submission: a zygote forks the child when grading starts, so the import runs meanwhile.
    preload: tuple[str, ...] = ()

    @property
    def max_score(self) -> float:
        return sum(self.points.values())

    def __getattr__(self, key: str):
        # Graders read parameters as cfg.rtol; a missing one is a config error, not an AttributeError.
        params = self.__dict__.get("params", {})
        if key in params:
            return params[key]
        raise ConfigError(f"grading.toml: [exercise.{self.name}.params] has no key '{key}'")


@dataclass(frozen=True)
class Config:
    seed: int
    hidden_visibility: str
    exercises: dict[str, Exercise]
    path: Path
    graders: Path = ENGINE_GRADERS  # graders/public and graders/hidden
    max_file_bytes: int = 2_000_000  # an exercise file larger than this is refused (intake.py)
    wall_s: float = 600.0  # a whole submission's time budget, every exercise together
    scratch_mb: int = 64  # writable space each child has (its /tmp and /dev/shm; its folder without namespaces)
    notebook: dict[str, object] = field(default_factory=dict)  # [notebook]: what notebook.py builds, if anything
    # [setup]: the course's set-up steps (prepare.py), run once per machine by `make data`, Gradescope's
    # setup.sh and the runners: Python modules run in order, and the Debian packages they need.
    setup_modules: tuple[str, ...] = ()
    system_packages: tuple[str, ...] = ()

    def modules(self) -> tuple[str, ...]:
        """The exercise modules, in the order their first exercise is graded."""
        return tuple(dict.fromkeys(exercise.module for exercise in self.exercises.values()))

    def hidden_only(self) -> tuple[str, ...]:
        """The exercises with no public checks: `make check` has nothing to run for them; they are
        graded (by their hidden checks) when the student submits."""
        return tuple(name for name in self.exercises if not (self.graders / "public" / f"test_{name}.py").is_file())

    def graded(self, only: list[str] | None = None) -> list[str]:
        """The exercises a run grades, in grading.toml's order: all of them, or those of --only
        (an unknown name is a UsageError that lists the exercises)."""
        for name in only or ():
            if name not in self.exercises:
                raise UsageError(f"unknown exercise '{name}' (choose from: {', '.join(self.exercises)})")
        return [name for name in self.exercises if not only or name in only]


def _check_type(where: str, value, expected) -> None:
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if float in allowed and isinstance(value, int) and not isinstance(value, bool):
        return
    if isinstance(value, bool) or not isinstance(value, allowed):
        names = " or ".join(t.__name__ for t in allowed)
        raise ConfigError(f"grading.toml: '{where}' must be {names}, not {type(value).__name__} ({value!r})")


def _check_keys(where: str, table: dict, schema: dict) -> None:
    for key, value in table.items():
        if key not in schema:
            known = ", ".join(sorted(schema))
            raise ConfigError(f"grading.toml: unknown key '{where}.{key}' (known: {known})")
        _check_type(f"{where}.{key}", value, schema[key])


def load(path: Path) -> Config:
    """Read and validate grading.toml against the graders it names."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (run from the repository root, or pass --config)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    _check_keys("", {k: v for k, v in data.items()}, {"grading": dict, "exercise": dict, "notebook": dict,
                                                       "setup": dict})
    setup = _setup(data.get("setup", {}))
    notebook = data.get("notebook", {})
    _check_keys("notebook", notebook, _NOTEBOOK_KEYS)
    for block, heading in notebook.get("sections", {}).items():
        _check_type(f"notebook.sections.{block}", heading, str)
        if block.count(":") != 1:
            raise ConfigError(f"grading.toml: 'notebook.sections' key {block!r} must be \"module:block\" "
                              "(block: header, or a top-level function or class of solutions/<module>.py)")
    grading = data.get("grading", {})
    _check_keys("grading", grading, _GRADING_KEYS)
    hidden_visibility = grading.get("hidden_visibility", "after_due_date")
    if hidden_visibility not in VISIBILITIES:
        raise ConfigError(f"grading.toml: 'grading.hidden_visibility' must be one of {', '.join(VISIBILITIES)}")
    graders = _graders_folder(Path(path), grading)
    exercises = {}
    for name, table in data.get("exercise", {}).items():
        files = [graders / side / f"test_{name}.py" for side in ("public", "hidden")]
        # A student release keeps a hidden-only exercise's section, with no graders and no points,
        # so that `make check EX=` and the notebook can say it is graded on submit.
        released_hidden_only = not (graders / "hidden").is_dir() and table.get("points") == {}
        if not any(file.is_file() for file in files) and not released_hidden_only:
            raise ConfigError(f"grading.toml: '[exercise.{name}]' has no graders: write {files[0]} "
                              f"(and/or {files[1]}), or fix the exercise id")
        exercises[name] = _exercise(name, table, files, hidden_present=(graders / "hidden").is_dir())
    modules = {exercise.module for exercise in exercises.values()}
    for name, exercise in exercises.items():
        for module in exercise.preload:
            if module.split(".")[0] in modules:
                raise ConfigError(f"grading.toml: 'exercise.{name}.preload' names {module!r}, a submission's module: "
                                  "only installed packages may be imported ahead of the checks")
    for key in ("max_file_bytes", "wall_s", "scratch_mb"):
        if key in grading and grading[key] <= 0:
            raise ConfigError(f"grading.toml: 'grading.{key}' must be positive")
    return Config(grading.get("seed", 0), hidden_visibility, exercises, Path(path), graders=graders,
                  max_file_bytes=grading.get("max_file_bytes", 2_000_000), wall_s=float(grading.get("wall_s", 600)),
                  scratch_mb=grading.get("scratch_mb", 64), notebook=notebook, **setup)


def _setup(table: dict) -> dict[str, tuple[str, ...]]:
    """[setup]: modules (run as `python -m <module>`) and system_packages (Debian names)."""
    _check_keys("setup", table, _SETUP_KEYS)
    for key, pattern, example in (("modules", _MODULE_NAME, "autograder.graders.data"),
                                  ("system_packages", _DEBIAN_PACKAGE, "npm")):
        for entry in table.get(key, []):
            _check_type(f"setup.{key}", entry, str)
            if not pattern.fullmatch(entry):
                raise ConfigError(f"grading.toml: 'setup.{key}' entry {entry!r} is not a "
                                  f"{'module' if key == 'modules' else 'Debian package'} name (such as \"{example}\")")
    return {"setup_modules": tuple(table.get("modules", [])), "system_packages": tuple(table.get("system_packages", []))}


def _graders_folder(path: Path, grading: dict) -> Path:
    """[grading] graders (relative to grading.toml), else autograder/graders beside grading.toml (a
    repository, a release, Gradescope's source/), else the engine's own."""
    if "graders" in grading:
        return path.resolve().parent / grading["graders"]
    beside = path.resolve().parent / "autograder" / "graders"
    return beside if beside.is_dir() else ENGINE_GRADERS


def _exercise(name: str, table: dict, graders: list[Path], hidden_present: bool) -> Exercise:
    where = f"exercise.{name}"
    _check_type(where, table, dict)
    _check_keys(where, table, _EXERCISE_KEYS)
    for key in ("module", "points"):
        if key not in table:
            raise ConfigError(f"grading.toml: '[{where}]' is missing '{key}'")
    for test, points in table["points"].items():
        _check_type(f"{where}.points.{test}", points, float)
        if not test.startswith(f"test_{name}_"):
            raise ConfigError(f"grading.toml: '{where}.points.{test}' must be named test_{name}_<property>")
    params = table.get("params", {})
    _check_type(f"{where}.params", params, dict)
    read = params_read(graders)
    for key, value in params.items():
        _check_type(f"{where}.params.{key}", value, _PARAM_TYPES)
        if hidden_present and key not in read:  # a student release has no hidden graders to ask
            raise ConfigError(f"grading.toml: unknown key '{where}.params.{key}' (its graders read: "
                              f"{', '.join(sorted(read)) or 'none'})")
    for key in sorted(set(read) - set(params)):
        raise ConfigError(f"grading.toml: '[{where}.params]' is missing '{key}', which {read[key]} reads as cfg.{key}")
    for standin in table.get("standins", []):
        _check_type(f"{where}.standins", standin, str)
    for module in table.get("preload", []):
        _check_type(f"{where}.preload", module, str)
        if not _MODULE_NAME.fullmatch(module):
            raise ConfigError(f"grading.toml: '{where}.preload' entry {module!r} is not a module name "
                              "(an installed package to import ahead, such as \"keras\")")
    for key in ("timeout_s", "check_timeout_s"):
        if key in table and not table[key] > 0:
            raise ConfigError(f"grading.toml: '{where}.{key}' must be a positive number of seconds, not {table[key]!r}")
    return Exercise(
        name=name, module=table["module"], standins=tuple(table.get("standins", [])),
        timeout_s=float(table.get("timeout_s", 10)), wall_s=float(table.get("wall_s", 6 * table.get("timeout_s", 10))),
        memory_mb=table.get("memory_mb", 2048),
        processes=table.get("processes", 64), points=dict(table["points"]),
        params=dict(table.get("params", {})),
        check_timeout_s=float(table.get("check_timeout_s", table.get("timeout_s", 10))),
        preload=tuple(table.get("preload", [])),
    )


def parsed(path: Path) -> ast.Module:
    """A grader file's syntax tree, parsed once per version of the file (grade.discover() and
    params_read() both read every grader, on every grade); not to be changed by the caller."""
    status = path.stat()
    return _parse(str(path), status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=256)
def _parse(path: str, mtime_ns: int, size: int) -> ast.Module:
    return ast.parse(Path(path).read_text(), path)


def params_read(graders: list[Path]) -> dict[str, str]:
    """{name: the grader file reading it} for every `cfg.<name>` in these grader files."""
    read: dict[str, str] = {}
    for path in graders:
        if path.is_file():
            for node in ast.walk(parsed(path)):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "cfg":
                    read.setdefault(node.attr, f"{path.parent.name}/{path.name}")
    return {name: where for name, where in read.items() if name not in _EXERCISE_FIELDS}


def check_graders(config: Config, found: dict[str, set[str]]) -> None:
    """Every collected grader has points and every points entry has a grader."""
    for exercise, tests in found.items():
        if exercise not in config.exercises:
            raise ConfigError(f"grading.toml: graders for '{exercise}' but no [exercise.{exercise}] section")
        for test in sorted(tests - set(config.exercises[exercise].points)):
            raise ConfigError(f"grading.toml: grader '{test}' has no entry in [exercise.{exercise}.points]")
    for name, exercise in config.exercises.items():
        for test in sorted(set(exercise.points) - found.get(name, set())):
            raise ConfigError(f"grading.toml: '[exercise.{name}.points] {test}' names no grader")
