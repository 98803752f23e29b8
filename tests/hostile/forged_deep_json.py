"""forged_deep_json: replaces the engine's send() so predict's replies are 200,000 nested JSON
lists (deeper than any JSON parser recurses).

Must score: predict loses every check that calls predict() (each says "not plain data"); full
marks elsewhere.
"""
import struct
import sys

_FORGE = []  # one entry per predict() call whose reply is to be forged


def _forging_send(stream, message, _send=sys.modules["wire"].send if "wire" in sys.modules else None):
    if not _FORGE:
        return _send(stream, message)
    _FORGE.pop()
    payload = b"[" * 200000 + b"]" * 200000
    stream.write(struct.pack(">Q", len(payload)) + payload)
    stream.flush()


if "wire" in sys.modules:
    sys.modules["wire"].send = _forging_send

_solution_predict = Line.predict


def _predict(self, inputs):
    _FORGE.append(np.ndim(inputs))
    return _solution_predict(self, inputs)


Line.predict = _predict
