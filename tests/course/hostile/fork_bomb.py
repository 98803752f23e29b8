"""fork_bomb: the first sigmoid_derivative call forks 2**9 = 512 processes (bounded), each then
sleeping; forks that fail are ignored, and the answer is right.

Must score: full marks, with no process left running.
"""
import os
import shutil

_BOMBED = []
_solution_sigmoid_derivative = sigmoid_derivative


def _bomb(levels=9):
    original, sleep = os.getpid(), shutil.which("sleep")
    for _ in range(levels):
        try:
            os.fork()
        except OSError:
            pass
    if os.getpid() != original:
        try:
            os.execv(sleep, ["hostile-fork_bomb", "1000"])
        finally:
            os._exit(0)


def sigmoid_derivative(a):
    if not _BOMBED:
        _BOMBED.append(1)
        _bomb()
    return _solution_sigmoid_derivative(a)
