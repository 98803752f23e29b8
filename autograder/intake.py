"""The one way a submission comes in: its exercise files, read once, as bytes.

Every path (check, grade, grade-all, report, Gradescope, the nbgrader cells) reads a
submission with read(), and nothing reads the submission's folder again: the digest, the
copy in the sandbox and the feedback page all use these bytes.

The rule, the same everywhere:
- A module `model` is the file `model.py` at the top of the submission. A file found deeper or
  under a name a file manager or an LMS gives a copy ("Model (1).py", "model copy.py",
  "exercises/model.py") is graded in its place, with a note saying so: the exact name first,
  then the shallowest, then the first in name order.
- Only regular files count. Nothing below the submission's folder is followed: a symbolic
  link (to a file or a folder), a FIFO or a device is refused with a note, and so is a file
  larger than the size limit. Folders are opened one level at a time with O_NOFOLLOW, so a
  link swapped in while we walk is refused too. The submission's folder itself must be a
  folder, not a link to one.
- Hidden folders, __MACOSX, __pycache__, node_modules and virtualenvs are not searched; the
  walk stops after MAX_DEPTH levels and MAX_ENTRIES entries.
A module refused or absent scores 0 on its exercises; the note says which file to fix.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .digests import files_digest
from .errors import UsageError

SKIP_DIRS = frozenset({"__MACOSX", "__pycache__", "node_modules", "venv", ".venv", "site-packages"})
MAX_DEPTH = 4
MAX_ENTRIES = 10_000
MAX_CANDIDATES = 20  # files that could be one module; the rest are not considered
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class IntakeError(ValueError):
    """The submission's folder itself cannot be read (not a folder, a link, unreadable)."""


@dataclass(frozen=True)
class Submission:
    """What was taken in: {"model.py": bytes}, and one note per file chosen, refused or missing."""

    files: dict[str, bytes]
    notes: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # module -> why no file of it was graded


def digest(files: dict[str, bytes]) -> str:
    """sha256 of the files as read, names included, each framed by its length (digests.py)."""
    return files_digest(files)


def module_for(name: str, modules) -> str | None:
    """'model' for model.py, Model.py, 'model (1).py', 'model copy 2.py', 'model-1.py'; else None."""
    lower = name.lower()
    if not lower.endswith(".py"):
        return None
    key = re.sub(r"[^a-z0-9]", "", lower[:-3])
    key = re.sub(r"(copy)?\d*$", "", key)
    return next((module for module in sorted(modules) if key == re.sub(r"[^a-z0-9]", "", module.lower())), None)


def read(root: Path, modules, *, max_bytes: int, wanted=None) -> Submission:
    """Take in the files of `modules` from the folder `root` (see the module docstring for the rule).

    wanted: the modules whose absence deserves a note (those being graded); default all.
    Raises IntakeError only when root itself is unusable.
    """
    root = Path(root)
    modules = set(modules)
    wanted = set(modules if wanted is None else wanted)
    try:
        fd = os.open(root.parent if root.name else root, _FOLDER_FLAGS & ~os.O_NOFOLLOW)
        try:
            top = os.open(root.name, _FOLDER_FLAGS, dir_fd=fd) if root.name else os.dup(fd)
        finally:
            os.close(fd)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR) and root.is_symlink():
            raise IntakeError(f"{root}: is a symbolic link; give the folder itself") from None
        if error.errno == errno.ENOENT:
            raise IntakeError(f"{root}: no such folder (give the folder that holds "
                              f"{' and '.join(sorted(m + '.py' for m in modules))})") from None
        if error.errno == errno.ENOTDIR:
            raise IntakeError(f"{root}: not a folder (give the folder that holds "
                              f"{' and '.join(sorted(m + '.py' for m in modules))})") from None
        raise IntakeError(f"{root}: cannot be read ({error.strerror})") from None
    candidates: dict[str, list[tuple[tuple, str, int, str]]] = {module: [] for module in modules}
    notes: list[str] = []
    try:
        try:
            _walk(top, "", 0, modules, candidates, notes, [0])
        except OSError as error:  # the submission's folder itself cannot be listed
            raise IntakeError(f"{root}: cannot be read ({error.strerror})") from None
        files, refused = {}, {}
        for module in sorted(modules):
            found = sorted(candidates[module], key=lambda item: item[0])
            chosen = None
            for _, shown, parent, name in found:
                data, why = _read_regular(parent, name, max_bytes)
                if data is None:
                    notes.append(f"{shown} {why}: not graded.")
                    refused.setdefault(module, f"{shown} {why}")
                    continue
                if chosen is None:
                    chosen = shown
                    files[f"{module}.py"] = data
                    refused.pop(module, None)
                    if shown != f"{module}.py":
                        notes.append(f"Graded {shown} as {module}.py (name it {module}.py, at the top of "
                                     "the submission, to silence this note).")
                else:
                    notes.append(f"Also found {shown}: not graded (one {module}.py is).")
            if chosen is None and module in wanted and module not in refused:
                notes.append(f"{module}.py is missing from the submission: its exercises score 0.")
            elif chosen is None and module in wanted:
                notes.append(f"No usable {module}.py: its exercises score 0.")
    finally:
        for _, _, parent, _ in (item for items in candidates.values() for item in items):
            _close_quietly(parent)
        os.close(top)
    return Submission(files, notes, {m: why for m, why in refused.items() if m in wanted})


def _walk(folder: int, prefix: str, depth: int, modules, candidates, notes, seen: list[int]) -> None:
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        if depth == 0:
            raise
        return
    for name in entries:
        seen[0] += 1
        if seen[0] > MAX_ENTRIES:
            if seen[0] == MAX_ENTRIES + 1:
                notes.append(f"The submission holds more than {MAX_ENTRIES} files and folders: the rest were not searched.")
            return
        shown = _printable(prefix + name)
        try:
            info = os.stat(name, dir_fd=folder, follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            if name in SKIP_DIRS or name.startswith(".") or depth + 1 >= MAX_DEPTH:
                continue
            try:
                sub = os.open(name, _FOLDER_FLAGS, dir_fd=folder)
            except OSError:
                continue
            try:
                _walk(sub, prefix + name + "/", depth + 1, modules, candidates, notes, seen)
            finally:
                os.close(sub)
            continue
        module = module_for(name, modules)
        if module is None:
            continue
        if len(candidates[module]) >= MAX_CANDIDATES:
            continue
        rank = (name != f"{module}.py", depth, shown)
        candidates[module].append((rank, shown, os.dup(folder), name))


def _read_regular(folder: int, name: str, max_bytes: int) -> tuple[bytes | None, str]:
    """The file's bytes, or None and why: regular (checked before it is opened: opening a device runs
    its driver), opened without following a link and checked again, within size."""
    try:
        seen = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError as error:
        return None, f"cannot be read ({error.strerror})"
    if stat.S_ISLNK(seen.st_mode):
        return None, "is a symbolic link (submit the file itself)"
    if not stat.S_ISREG(seen.st_mode):
        return None, "is not a regular file"
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=folder)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None, "is a symbolic link (submit the file itself)"
        return None, f"cannot be read ({error.strerror})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != (seen.st_dev, seen.st_ino):
            return None, "is not a regular file"  # swapped for something else since it was looked at
        if info.st_size > max_bytes:
            return None, f"is larger than the {_size(max_bytes)} limit"
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            return None, f"is larger than the {_size(max_bytes)} limit"
        return b"".join(chunks), ""
    except OSError as error:
        return None, f"cannot be read ({error.strerror})"
    finally:
        os.close(fd)


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _printable(name: str) -> str:
    # A file name is the student's text: shown in notes, so no control characters in it.
    return "".join(ch if ch.isprintable() else "?" for ch in name)


def _size(count: int) -> str:
    return f"{count / 1_000_000:g} MB" if count >= 1_000_000 else f"{count / 1000:g} kB"


def submission_files(submission: Path, config: Config, only: list[str] | None = None) -> Submission:
    """The submission's exercise files as read() takes them in (the one rule every path uses).

    Every present file is returned, graded or not: the run seed hashes them all, so
    `--only` (as the nbgrader cells use it) grades with the same inputs as a full run.
    """
    graded = {config.exercises[name].module for name in config.graded(only)} if only else config.modules()
    try:
        return read(Path(submission), config.modules(), max_bytes=config.max_file_bytes, wanted=graded)
    except IntakeError as error:
        raise UsageError(str(error)) from None
