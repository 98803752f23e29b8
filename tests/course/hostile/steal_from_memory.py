"""steal_from_memory: every function searches the engine's stack frames for source text (the
reference handed over for stand-ins, grader helpers) and leaks it: in its message, its
exception's type name and its error location.

Must score: full marks (stand-ins and helpers arrive as bytecode: there is no source to steal),
and no grader or solution text in the results.
"""
import functools
import sys

_STOLEN = []


def _steal():
    frame = sys._getframe()
    while frame is not None:
        if not frame.f_code.co_filename.endswith("mlp.py"):
            values = list(frame.f_locals.values())
            values += [v for d in values if isinstance(d, dict) for v in d.values()]
            _STOLEN.extend(v for v in values if isinstance(v, str) and "def " in v and v not in _STOLEN)
        frame = frame.f_back


def _leak(function):
    @functools.wraps(function)
    def leaky(*args, **kwargs):
        _steal()
        if _STOLEN:
            text = "\n".join(_STOLEN)
            main = sys.modules["__main__"]
            if hasattr(main, "_where"):
                main._where = lambda error, filename: text[:200]
            raise type(text[:80], (Exception,), {})(text[:2000])
        return function(*args, **kwargs)
    return leaky


_steal()
sigmoid, sigmoid_derivative, train_xor = _leak(sigmoid), _leak(sigmoid_derivative), _leak(train_xor)
for _name in ("forward", "backward", "train"):
    setattr(MLP, _name, _leak(getattr(MLP, _name)))
