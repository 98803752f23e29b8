"""seed_thief: at import, walks up the stack of the child's import request and keeps every local
named like a seed; the run seed would give away every check's inputs, the hidden ones too (the
graders draw them from it). stolen() returns what it found, and the state numpy.random was
seeded to.

Must find: no value equal to the run seed, and numpy.random not seeded with it.
"""
import sys

import numpy

_FOUND = []
_frame = sys._getframe(1)
while _frame is not None:
    for _name, _value in _frame.f_locals.items():
        if "seed" in _name and type(_value) is int:
            _FOUND.append(_value)
    _frame = _frame.f_back
_STATE = int(numpy.random.get_state()[1][0])


def stolen():
    return {"locals": _FOUND, "numpy_state": _STATE}
