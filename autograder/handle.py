"""The grader's handle on student code: every call crosses into the sandboxed child.

Graders receive a `Student` as a fixture and use it like a module that only speaks
plain data:

    out = student.call("activation", x)                 # a function of the module
    net = student.new("Network", 3, 5, seed=0)          # an object that stays in the child
    net.set("weights", w); net.call("predict", x); net.get("cache")

Code the child runs on the grader's behalf (stand-ins from the reference, grader helpers)
crosses as bytecode without docstrings, never as source text: the submission shares the
child's memory and could read a source string there and echo it in an error message.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import functools
import hashlib
import hmac
import inspect
import marshal
import os
import re
import signal
import textwrap
import threading
import time
import uuid
from pathlib import Path

import numpy as np

from . import wire
from .sandbox import Child, ChildDied, Limits


class StudentError(Exception):
    """The student's code raised: its type, message and where (file line, function).

    trace: the frames in the student's files, innermost last ('model.py:42 in predict: the line'),
    untrusted text; during_import: the module itself failed to import (one cause for every check).
    """

    def __init__(self, type_name: str, message: str, where: str, trace: tuple[str, ...] = ()):
        super().__init__(f"{type_name}: {message}")
        self.type_name, self.message, self.where, self.trace = type_name, message, where, tuple(trace)
        self.during_import = ""  # the file, when the failure was importing it

    @property
    def not_implemented(self) -> bool:
        return self.type_name == "NotImplementedError"


class SubmissionMissing(Exception):
    """The exercise's file is not in the submission."""


class StudentCrashed(Exception):
    """The child died or timed out during a call; trace: at a timeout, where the student's code was."""

    def __init__(self, message: str, trace: tuple[str, ...] = ()):
        super().__init__(message)
        self.trace = tuple(trace)
        self.during_import = ""  # the file, when the failure was importing it


_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,79}")
_WHERE = re.compile(r"[\w.-]{1,80}\.py line \d{1,7}, in [\w<>.]{1,80}")
_DUMPED_FRAME = re.compile(r'File "([^"\n]{1,4096})", line (\d{1,7}) in ([\w<>.]{1,80})')
PRINTED_CHARS = 4000  # what one check keeps of the student's printed output
TRACE_FRAMES, TRACE_LINE_CHARS = 5, 240
# What the grader's own work on a check may run past the end of its time budget (Student.budget):
# the child's deadline is that end, so the grader's waiting on the child never reaches this.
GRACE_S = 1.0


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

    def __init__(self, module: str, files: dict[str, bytes], limits: Limits, seed: int,
                 reference: str | None = None, standins: tuple[str, ...] = (), *,
                 wall_s: float | None = None, submission_deadline: float | None = None, zygote=None,
                 exercise: str = ""):
        """files: {"model.py": bytes} from intake.read(). wall_s: the exercise's time budget, counted
        from its first check; submission_deadline: when the whole submission's budget ends (monotonic);
        zygote: the submission's zygote.Zygote, which forks the child (None: a fresh process);
        exercise: the one graded (the zygote may have forked its child ahead)."""
        self.module, self.files, self.limits, self.seed = module, files, limits, seed
        self.reference, self.standins = reference, standins
        self.wall_s, self.submission_deadline = wall_s, submission_deadline
        self.zygote, self.exercise = zygote, exercise
        self._exercise_deadline: float | None = None
        self._child: Child | None = None
        self._printed: list[str] = []  # what the student's code printed since take_output()
        self._imported = False  # the import's reply has been read (and stand-ins sent)
        self._import_failed: Exception | None = None

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
        return self._request("run", code=_helper_code(helper), name=helper.__name__, args=list(args), kwargs=kwargs)

    def put(self, name: str, array: np.ndarray) -> wire.NpyFile:
        """Place a large array in the child's directory; pass the result as an argument."""
        # In the child's own inbox (no sibling reads it), under a fresh unguessable name, created
        # exclusively: a child that could write there could have planted a symlink at a name it predicts.
        path = Path(self._ensure().inbox, f"{name}-{uuid.uuid4().hex}.npy")
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644), "wb") as stream:
            np.save(stream, np.asarray(array), allow_pickle=False)
        return wire.NpyFile(str(path))

    def begin(self) -> None:
        """The exercise's first check starts now: its time budget runs from here."""
        if self._exercise_deadline is None and self.wall_s is not None:
            self._exercise_deadline = time.monotonic() + self.wall_s
            if self._child is not None:
                self._child.deadline = self._deadline()

    def _deadline(self) -> tuple[float, str] | None:
        """The earlier of the exercise's and the submission's budget ends, with the words for it."""
        ends = []
        if self._exercise_deadline is not None:
            ends.append((self._exercise_deadline, f"used up this exercise's {self.wall_s:g} s time budget "
                                                  "(its checks together took too long)"))
        if self.submission_deadline is not None:
            ends.append((self.submission_deadline, "used up the whole submission's time budget"))
        return min(ends) if ends else None
    @contextlib.contextmanager
    def budget(self):
        """Around one check: the grader's own work on what the child sent stops when the exercise's
        or the submission's time budget ends (GRACE_S later), as the child's does; without this
        the budgets were checked only before each request, and a reply of 130,000 layers kept the
        grader busy for minutes. The check fails with the budget's words and the child is closed
        (its stream may be out of step). Main thread only (a SIGALRM timer); a no-op elsewhere."""
        self.begin()
        budget = self._deadline()
        if budget is None or threading.current_thread() is not threading.main_thread():
            yield
            return
        spent = []

        def stop(signum, frame):
            spent.append(True)
            signal.setitimer(signal.ITIMER_REAL, 0)
            raise StudentCrashed(budget[1])

        previous = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, max(budget[0] - time.monotonic(), 0) + GRACE_S)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if spent:
                self.close()

    def waited_s(self) -> float:
        """Seconds the child's process has spent runnable but not running, by the kernel's count
        (/proc/<pid>/schedstat): the machine's load, not the child's own work; 0.0 where unknown."""
        try:
            return int(Path(f"/proc/{int(self._child.process.pid)}/schedstat").read_text().split()[1]) / 1e9
        except (AttributeError, OSError, ValueError, IndexError, TypeError):
            return 0.0

    def take_output(self) -> str:
        """What the student's code printed since the last call of this (untrusted text, bounded)."""
        text, self._printed = "".join(self._printed), []
        return text if len(text) <= PRINTED_CHARS else text[:PRINTED_CHARS] + f"\n[... {len(text) - PRINTED_CHARS} more characters]"

    def start(self) -> None:
        """Start the child and send it the import now, without waiting for the reply (prefetch).

        The grader calls this for the exercises after the current one, so their start-up runs
        while this one is graded. Errors surface on first use, as without it. The reference
        stand-ins are sent only on first use: no process holds them before their exercise begins.
        """
        if self._child is not None or self._import_failed is not None or f"{self.module}.py" not in self.files:
            return
        self._child = Child(self.files, self.limits, deadline=self._deadline(), zygote=self.zygote,
                            exercise=self.exercise)
        try:
            self._post("import", self.limits.timeout_s * 3, module=self.module,
                       seed=child_seed(self.seed, self.exercise or self.module))
        except StudentCrashed as error:
            self._import_failed = error

    def close(self, *, wait: bool = True) -> None:
        """End the child; wait=False kills it now and finishes the clean-up in the background
        (sandbox.join_closing() waits for that)."""
        if self._child is not None:
            self._child.close(wait=wait)
            self._child = None
        self._imported = False

    def _ensure(self) -> Child:
        if not self._imported and self._import_failed is None:
            if f"{self.module}.py" not in self.files:
                raise SubmissionMissing(f"{self.module}.py is not in the submission, so this exercise scores 0")
            self.start()  # does nothing if a prefetch started it already
            try:
                if self._import_failed is None:
                    self._reply()
                    if self.reference and self.standins:
                        self._send("stand_in", None, code=_standin_code(self.reference, tuple(self.standins)),
                                   names=list(self.standins))
                    self._imported = True
            except (StudentError, StudentCrashed) as error:
                self.close()
                error.during_import = f"{self.module}.py"
                self._import_failed = error
        if self._import_failed is not None:
            # The import is deterministic: fail every later check the same way, at once,
            # instead of importing (or waiting out a hanging import) again for each one.
            raise self._import_failed.with_traceback(None)
        return self._child

    def _request(self, op: str, **fields):
        self.begin()
        budget = self._deadline()
        if budget is not None and time.monotonic() >= budget[0]:
            raise StudentCrashed(budget[1])
        self._ensure()
        return self._send(op, None, **fields)

    def _send(self, op: str, timeout_s: float | None, **fields):
        self._post(op, timeout_s, **fields)
        return self._reply()

    def _post(self, op: str, timeout_s: float | None, **fields) -> None:
        try:
            # The child arms a stack dump just before this deadline (see child._watched).
            deadline = self.limits.timeout_s if timeout_s is None else timeout_s
            self._child.send(wire.encode({"op": op, **fields, "timeout_s": deadline}), timeout_s)
        except ChildDied as error:
            self.close()
            raise StudentCrashed(str(error), self._stuck_at(error.dump)) from None

    def _reply(self):
        try:
            reply = self._child.receive()
        except ChildDied as error:
            self.close()
            raise StudentCrashed(str(error), self._stuck_at(error.dump)) from None
        try:
            if isinstance(reply, dict) and isinstance(reply.get("output"), str) and reply["output"]:
                self._printed.append(reply["output"][:PRINTED_CHARS])
            if "error" in reply:
                error = reply["error"]
                type_name, where = str(error.get("type", "Error")), str(error.get("where", ""))
                trace = error.get("trace") if isinstance(error.get("trace"), list) else []
                # Hidden checks show these two fields: keep them to the shapes the child's
                # code produces, so a forged reply cannot carry text through them.
                raise StudentError(type_name if _TYPE_NAME.fullmatch(type_name) else "Exception",
                                   str(error.get("message", ""))[:2000], where if _WHERE.fullmatch(where) else "",
                                   tuple(str(line)[:TRACE_LINE_CHARS] for line in trace[-TRACE_FRAMES:]))
            return wire.decode(reply.get("ok"), lambda opaque: Remote(self, opaque) if opaque.ref else opaque)
        except StudentError:
            raise
        except Exception as error:  # whatever a forged reply makes decoding raise (RecursionError included)
            self.close()
            reason = str(error) if isinstance(error, wire.WireError) else type(error).__name__
            if isinstance(error, wire.TooManyElements):  # the grader's own bound, not a broken reply
                raise StudentCrashed(f"sent back more than the grader takes ({reason})") from None
            raise StudentCrashed(f"sent back something that is not plain data ({reason})") from None


    def _stuck_at(self, dump: str) -> tuple[str, ...]:
        """The student's frames in a stack the child dumped at a timeout, innermost last,
        with each line read from the submission as the grader holds it (not from the child)."""
        frames = []
        for filename, lineno, name in _DUMPED_FRAME.findall(dump):
            base = os.path.basename(filename)
            if base in self.files:
                frames.append(f"{base}:{lineno} in {name}: {_source_line(self.files[base], int(lineno))}")
        return tuple(reversed(frames[:TRACE_FRAMES]))  # faulthandler lists the innermost first


def child_seed(run_seed: int, exercise: str) -> int:
    """The seed the child's `random` and `numpy.random` start from: an HMAC of the exercise keyed
    with the run seed. The run seed (from which every check's inputs are drawn, the hidden ones
    too) never reaches the child, and recovering it from this takes 2**32 HMACs: not within a
    check's time limit, and offline it is no help to a grade already made."""
    digest = hmac.new(str(run_seed).encode(), f"child seed:{exercise}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _source_line(source: bytes, lineno: int) -> str:
    lines = source.decode("utf-8", "replace").splitlines()
    return lines[lineno - 1].strip()[:160] if 0 < lineno <= len(lines) else ""


@functools.cache
def _helper_code(helper) -> str:
    return _bytecode(ast.parse(textwrap.dedent(inspect.getsource(helper))), "<grader helper>")


@functools.cache
def _standin_code(source: str, names: tuple[str, ...]) -> str:
    """Bytecode of the reference module cut down to the stand-ins and what they use.

    Every other function and method is left out, so the stand-ins' __globals__ cannot lead
    the submission to the reference for the exercise being graded (e.g. the method it grades).
    """
    tree = ast.parse(source)
    definitions = {node.name: node for node in tree.body
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    keep: dict[str, set[str] | None] = {}  # name -> the methods kept (None: all of it)
    for name in names:
        owner, _, attribute = name.rpartition(".")
        if owner:
            if keep.get(owner, set()) is not None:
                keep.setdefault(owner, set()).add(attribute)
        else:
            keep[attribute] = None
    pending = list(keep)
    while pending:
        node = definitions.get(pending.pop())
        if node is None:
            continue
        for used in _names_used(_kept_parts(node, keep[node.name])):
            if used in definitions and keep.get(used, set()) is not None:
                keep[used] = None  # a definition used by name comes whole
                pending.append(used)
    body = []
    for node in tree.body:
        if node in definitions.values():
            if node.name not in keep:
                continue
            if isinstance(node, ast.ClassDef) and keep[node.name] is not None:
                node.body = [item for item in node.body if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                             or item.name in keep[node.name]] or [ast.Pass()]
        body.append(node)
    tree.body = body
    return _bytecode(tree, "<reference>")


def _kept_parts(node, methods: set[str] | None) -> list:
    if methods is None or not isinstance(node, ast.ClassDef):
        return [node]
    return node.bases + node.decorator_list + [item for item in node.body if not isinstance(
        item, (ast.FunctionDef, ast.AsyncFunctionDef)) or item.name in methods]


def _names_used(nodes) -> set[str]:
    return {sub.id for node in nodes for sub in ast.walk(node) if isinstance(sub, ast.Name)}


def _bytecode(tree: ast.Module, filename: str) -> str:
    """Compiled without docstrings, marshalled, base64: what the child execs instead of source."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
    return base64.b64encode(marshal.dumps(compile(ast.fix_missing_locations(tree), filename, "exec"))).decode("ascii")
