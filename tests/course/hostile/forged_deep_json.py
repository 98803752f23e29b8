"""forged_deep_json: replaces the engine's send() so forward's replies are 200,000 nested JSON
lists (deeper than any JSON parser recurses).

Must score: forward loses every check that calls forward() (each says "not plain data"); full
marks elsewhere.
"""
import struct
import sys

_FORGE = []  # one entry per forward() call whose reply is to be forged


def _forging_send(stream, message, _send=sys.modules["wire"].send if "wire" in sys.modules else None):
    if not _FORGE:
        return _send(stream, message)
    _FORGE.pop()
    payload = b"[" * 200000 + b"]" * 200000
    stream.write(struct.pack(">Q", len(payload)) + payload)
    stream.flush()


if "wire" in sys.modules:
    sys.modules["wire"].send = _forging_send

_solution_forward = MLP.forward


def _forward(self, inputs):
    _FORGE.append(np.ndim(inputs))
    return _solution_forward(self, inputs)


MLP.forward = _forward
