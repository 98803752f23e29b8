"""forged_oversize: replaces the engine's send() so forward's replies announce 2**62 bytes (for
one sample) or carry an array claiming 10**12 elements (for a batch).

Must score: forward loses every check that calls forward() (each says "not plain data"); full
marks elsewhere.
"""
import base64
import json
import struct
import sys

_FORGE = []  # the ndim of each forward() input whose reply is to be forged


def _forging_send(stream, message, _send=sys.modules["wire"].send if "wire" in sys.modules else None):
    if not _FORGE:
        return _send(stream, message)
    stream.write(_forged(_FORGE.pop()))
    stream.flush()


if "wire" in sys.modules:
    sys.modules["wire"].send = _forging_send


def _forged(ndim):
    if ndim == 1:  # one sample: an impossible length; a batch: an array header claiming 8 TB
        return struct.pack(">Q", 2**62) + b"{}"
    payload = json.dumps({"ok": {"__nd__": base64.b64encode(b"\0" * 64).decode(), "dtype": "<f8",
                                 "shape": [10**12]}}).encode()
    return struct.pack(">Q", len(payload)) + payload


_solution_forward = MLP.forward


def _forward(self, inputs):
    _FORGE.append(np.ndim(inputs))
    return _solution_forward(self, inputs)


MLP.forward = _forward
