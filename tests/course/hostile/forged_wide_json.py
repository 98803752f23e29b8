"""forged_wide_json: replaces the engine's send() so forward's replies are 60 MB of empty JSON lists
side by side ([[],[],...]: 20 million values, which would cost the grader about 3 GB to parse).

Must score: forward loses every check that calls forward() (each says "not plain data", refused
by its value count before parsing); full marks elsewhere.
"""
import struct
import sys

_FORGE = []


def _forging_send(stream, message, _send=sys.modules["wire"].send if "wire" in sys.modules else None):
    if not _FORGE:
        return _send(stream, message)
    _FORGE.pop()
    payload = b'{"ok": [' + b"[]," * 20_000_000 + b"[]]}"
    stream.write(struct.pack(">Q", len(payload)) + payload)
    stream.flush()


if "wire" in sys.modules:
    sys.modules["wire"].send = _forging_send

_solution_forward = MLP.forward


def _forward(self, inputs):
    _FORGE.append(1)
    return _solution_forward(self, inputs)


MLP.forward = _forward
