"""grading.toml: points, visibility, limits and grader parameters, checked on load.

Every mistake in the file is a ConfigError with one line naming the key, so an
instructor never finds out about a typo from a wrong grade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

EXERCISES = ("sigmoid", "sigmoid_derivative", "forward", "backward", "train_xor", "keras_mnist")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")

_GRADING_KEYS = {"seed": int, "hidden_visibility": str}
_EXERCISE_KEYS = {
    "module": str, "standins": list, "timeout_s": (int, float), "check_timeout_s": (int, float), "memory_mb": int,
    "processes": int, "points": dict, "params": dict,
}
# The numbers each exercise's graders read, with their types: the one list to extend
# when a grader needs a new knob.
PARAMS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "sigmoid": {"rtol": float, "atol": float, "extreme": float, "symmetry_atol": float},
    "sigmoid_derivative": {"rtol": float, "atol": float, "fd_step": float},
    "forward": {"rtol": float, "atol": float},
    "backward": {"rtol": float, "atol": float, "learning_rate": float, "fd_step": float,
                 "fd_max_rel_error": float},
    "train_xor": {"rtol": float, "atol": float, "trajectory_epochs": int, "seeds": int,
                  "min_solved": int, "tolerance": float, "max_seconds_per_seed": float},
    "keras_mnist": {"load_samples": int, "check_epochs": int, "check_batch_size": int,
                    "check_accuracy": float, "train_samples": int, "epochs": int, "batch_size": int,
                    "accuracy_tiers": list},
}


class ConfigError(ValueError):
    """grading.toml is wrong; the message names the key."""


@dataclass(frozen=True)
class Exercise:
    name: str
    module: str
    standins: tuple[str, ...]
    timeout_s: float
    memory_mb: int
    processes: int
    points: dict[str, float]
    params: dict[str, object] = field(default_factory=dict)
    check_timeout_s: float = 10.0  # the per-call limit of `make check` (timeout_s when not given)

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

    def modules(self) -> set[str]:
        return {exercise.module for exercise in self.exercises.values()}


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
    """Read and validate grading.toml."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (run from the repository root, or pass --config)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    _check_keys("", {k: v for k, v in data.items()}, {"grading": dict, "exercise": dict})
    grading = data.get("grading", {})
    _check_keys("grading", grading, _GRADING_KEYS)
    hidden_visibility = grading.get("hidden_visibility", "after_due_date")
    if hidden_visibility not in VISIBILITIES:
        raise ConfigError(f"grading.toml: 'grading.hidden_visibility' must be one of {', '.join(VISIBILITIES)}")
    exercises = {}
    for name, table in data.get("exercise", {}).items():
        if name not in EXERCISES:
            raise ConfigError(f"grading.toml: unknown exercise '[exercise.{name}]' (known: {', '.join(EXERCISES)})")
        exercises[name] = _exercise(name, table)
    return Config(grading.get("seed", 0), hidden_visibility, exercises, Path(path))


def _exercise(name: str, table: dict) -> Exercise:
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
    _check_keys(f"{where}.params", table.get("params", {}), PARAMS[name])
    for standin in table.get("standins", []):
        _check_type(f"{where}.standins", standin, str)
    for key in ("timeout_s", "check_timeout_s"):
        if key in table and not table[key] > 0:
            raise ConfigError(f"grading.toml: '{where}.{key}' must be a positive number of seconds, not {table[key]!r}")
    return Exercise(
        name=name, module=table["module"], standins=tuple(table.get("standins", [])),
        timeout_s=float(table.get("timeout_s", 10)), memory_mb=table.get("memory_mb", 2048),
        processes=table.get("processes", 64), points=dict(table["points"]),
        params=dict(table.get("params", {})),
        check_timeout_s=float(table.get("check_timeout_s", table.get("timeout_s", 10))),
    )


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
