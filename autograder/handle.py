"""The grader's handle on student code: every call crosses into the sandboxed child.

Graders receive a `Student` as a fixture and use it like a module that only speaks
plain data:

    out = student.call("sigmoid", x)                    # a function of the module
    net = student.new("MLP", 3, 5, 2, seed=0)           # an object that stays in the child
    net.set("weights_input_hidden", w); net.call("forward", x); net.get("output")
"""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

import numpy as np

from . import wire
from .sandbox import Child, ChildDied, Limits


class StudentError(Exception):
    """The student's code raised: its type, message and where (file line, function)."""

    def __init__(self, type_name: str, message: str, where: str):
        super().__init__(f"{type_name}: {message}")
        self.type_name, self.message, self.where = type_name, message, where

    @property
    def not_implemented(self) -> bool:
        return self.type_name == "NotImplementedError"


class SubmissionMissing(Exception):
    """The exercise's file is not in the submission."""


class StudentCrashed(Exception):
    """The child died or timed out during a call."""


class Remote(wire.Opaque):
    """An object living in the child (an MLP, a Keras model); its attributes come back as data."""

    def __init__(self, student: Student, opaque: wire.Opaque):
        super().__init__(opaque.ref, opaque.type_name)
        self._student = student

    def get(self, name: str):
        return self._student._request("getattr", target=self, name=name)

    def set(self, name: str, value) -> None:
        self._student._request("setattr", target=self, name=name, value=value)

    def set_many(self, values: dict) -> None:
        for name, value in values.items():
            self.set(name, value)

    def call(self, method: str, *args, **kwargs):
        return self._student._request("call", target=self, name=method, args=list(args), kwargs=kwargs)

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


class Student:
    """The submission's module `module`, imported in a fresh sandboxed child on first use."""

    def __init__(self, module: str, files: dict[str, Path], limits: Limits, seed: int,
                 reference: str | None = None, standins: tuple[str, ...] = ()):
        self.module, self.files, self.limits, self.seed = module, files, limits, seed
        self.reference, self.standins = reference, standins
        self._child: Child | None = None
        self.output = ""

    def call(self, name: str, *args, **kwargs):
        return self._request("call", target=name, args=list(args), kwargs=kwargs)

    def call_warnings(self, name: str, *args, **kwargs) -> tuple[object, list[str]]:
        """call(), also returning the warnings the call emitted (numpy overflow included)."""
        reply = self._request("call", target=name, args=list(args), kwargs=kwargs, record_warnings=True)
        if not isinstance(reply, dict) or not isinstance(reply.get("warnings"), list):
            raise StudentCrashed("sent back something that is not plain data")
        return reply.get("value"), [str(w) for w in reply["warnings"]]

    def new(self, class_name: str, *args, **kwargs) -> Remote:
        value = self.call(class_name, *args, **kwargs)
        if not isinstance(value, Remote):
            raise StudentError("TypeError", f"{class_name}(...) did not create an object", "")
        return value

    def run(self, helper, *args, **kwargs):
        """Run a grader-written helper function inside the child (e.g. to export a model)."""
        source = textwrap.dedent(inspect.getsource(helper))
        return self._request("run", source=source, name=helper.__name__, args=list(args), kwargs=kwargs)

    def put(self, name: str, array: np.ndarray) -> wire.NpyFile:
        """Place a large array in the child's directory; pass the result as an argument."""
        path = Path(self._ensure().workdir, "home", name + ".npy")
        np.save(path, np.asarray(array), allow_pickle=False)
        return wire.NpyFile(str(path))

    def restart(self) -> None:
        self.close()
        self._ensure()

    def close(self) -> None:
        if self._child is not None:
            self.output += self._child.output
            self._child.close()
            self._child = None

    def _ensure(self) -> Child:
        if self._child is None:
            if f"{self.module}.py" not in self.files:
                raise SubmissionMissing(f"{self.module}.py is not in the submission, so this exercise scores 0")
            self._child = Child(self.files, self.limits)
            self._send("import", self.limits.timeout_s * 3, module=self.module, seed=self.seed,
                       reference=self.reference, standins=list(self.standins))
        return self._child

    def _request(self, op: str, **fields):
        self._ensure()
        return self._send(op, None, **fields)

    def _send(self, op: str, timeout_s: float | None, **fields):
        message = {"op": op, **fields}
        try:
            reply = self._child.request(wire.encode(message), timeout_s)
        except ChildDied as error:
            self.close()
            raise StudentCrashed(str(error)) from None
        try:
            if "error" in reply:
                error = reply["error"]
                raise StudentError(str(error.get("type", "Error"))[:80], str(error.get("message", ""))[:2000],
                                   str(error.get("where", ""))[:200])
            return wire.decode(reply.get("ok"), lambda opaque: Remote(self, opaque) if opaque.ref else opaque)
        except (wire.WireError, AttributeError, TypeError) as error:
            raise StudentCrashed(f"sent back something that is not plain data ({error})") from None
