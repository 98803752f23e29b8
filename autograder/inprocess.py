"""An in-process stand-in for handle.Student. FOR BENCHMARKING ONLY: never grade with it.

bench/run.py measures what isolation costs by running the same graders twice: through the
engine (a sandboxed child per exercise) and with `InProcessStudent`, which imports the
submission into the grading process itself, under a unique module name, and serves the
graders' calls with the child's own `Session` (child.py) directly, copying arguments and
results the way the wire does (arrays copied, objects that are not data kept behind handles).

Everything the engine defends against is open here: the submission runs with the grader's
rights, can read the hidden graders and the reference, patch numpy or pytest under the
graders' feet, exit the grading process, loop forever (there is no time limit), or use all
the memory. It is reachable only from Python (`grade(..., student_factory=InProcessStudent)`):
no command-line flag, environment variable or grading.toml key selects it, so nothing a
student controls can switch the sandbox off.
"""

from __future__ import annotations

import importlib.util
import random
import sys
import types
import uuid
from pathlib import Path

import numpy as np

from . import wire
from .handle import Remote, Student, StudentError, SubmissionMissing, _standin_code, child_seed



def _child_module():
    """child.py loaded as a module of this process (it expects `wire` importable by that name)."""
    path = Path(__file__).with_name("child.py")
    saved_path, saved_wire = list(sys.path), sys.modules.get("wire")
    sys.modules["wire"] = wire
    try:
        spec = importlib.util.spec_from_file_location("autograder._inprocess_child", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved_path  # child.py puts its own folder first on sys.path
        if saved_wire is None:
            sys.modules.pop("wire", None)
        else:
            sys.modules["wire"] = saved_wire
    return module


_child = _child_module()


class _Session(_child.Session):
    def op_import(self, module, source, seed=0):
        random.seed(seed)
        np.random.seed(seed)
        name = f"_inprocess_{module}_{uuid.uuid4().hex}"  # a fresh module per exercise, as a fresh child
        self.module = types.ModuleType(name)
        self.name, self.filename = name, f"{module}.py"
        self.module.__file__ = self.filename
        sys.modules[name] = self.module  # dataclasses and the like look their module up here
        exec(compile(source, self.filename, "exec"), self.module.__dict__)


class InProcessStudent(Student):
    """Student's API, served in this process. Benchmarks only (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._session: _Session | None = None
        self._objects: dict[int, object] = {}

    def start(self) -> None:
        """Nothing to start ahead: there is no child."""

    def put(self, name: str, array: np.ndarray):
        return np.array(array)

    def close(self, *, wait: bool = True) -> None:
        if self._session is not None:
            sys.modules.pop(getattr(self._session, "name", ""), None)
        self._session, self._objects, self._imported = None, {}, False

    def _ensure(self):
        if not self._imported and self._import_failed is None:
            if f"{self.module}.py" not in self.files:
                raise SubmissionMissing(f"{self.module}.py is not in the submission, so this exercise scores 0")
            self._session = _Session()
            try:
                self._send("import", None, module=self.module, source=self.files[f"{self.module}.py"],
                           seed=child_seed(self.seed, self.exercise or self.module))
                if self.reference and self.standins:
                    self._send("stand_in", None, code=_standin_code(self.reference, tuple(self.standins)),
                               names=list(self.standins))
                self._imported = True
            except StudentError as error:
                self.close()
                self._import_failed = error
        if self._import_failed is not None:
            raise self._import_failed.with_traceback(None)
        return self._session

    def _send(self, op: str, timeout_s, **fields):
        request = {key: self._to_student(value) for key, value in fields.items()}
        try:
            value = getattr(self._session, "op_" + op)(**request)
        except BaseException as error:  # as the child does: SystemExit and all
            raise StudentError(type(error).__name__, str(error)[:2000],
                               _child._where(error, self._session.filename)) from None
        return self._to_grader(value)

    def _to_student(self, value):
        if isinstance(value, Remote):
            return self._objects[value.ref]
        if isinstance(value, np.ndarray):
            return np.array(value)
        if isinstance(value, (list, tuple)):
            return [self._to_student(item) for item in value]
        if isinstance(value, dict):
            return {key: self._to_student(item) for key, item in value.items()}
        return value

    def _to_grader(self, value):
        """What the wire would hand the grader: plain data copied, anything else a handle."""
        if value is None or isinstance(value, (bool, str)) or type(value) in (int, float):
            return value
        if isinstance(value, (np.ndarray, np.generic)):
            array = np.array(value).view(np.ndarray)
            return array if array.dtype.kind in wire.ALLOWED_KINDS else wire.Opaque(None, f"array of dtype {array.dtype}")
        if isinstance(value, (list, tuple)):
            return [self._to_grader(item) for item in value]
        if isinstance(value, dict) and all(type(key) is str for key in value):
            return {key: self._to_grader(item) for key, item in value.items()}
        self._objects[len(self._objects) + 1] = value
        return Remote(self, wire.Opaque(len(self._objects), type(value).__name__))
