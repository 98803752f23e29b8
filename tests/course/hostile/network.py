"""network: at import, connects to a listener on 127.0.0.1 and checks for a route to a public
address (a UDP connect, which sends nothing); sigmoid raises if either worked.

The test puts the port of its own loopback listener in place of `PORT = 0 ` and counts the
connections it accepts. Must score: full marks with no connection made, under bubblewrap;
without bubblewrap the network is there: skipped.
"""
import socket

PORT = 0  # the test puts the port of its loopback listener here
_REACHED = []
try:
    socket.create_connection(("127.0.0.1", PORT), timeout=2).close()
    _REACHED.append("loopback")
except OSError:
    pass
try:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as _probe:
        _probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a UDP connect only looks up a route
        _REACHED.append("a route to a public address")
except OSError:
    pass

_solution_sigmoid = sigmoid


def sigmoid(x):
    if _REACHED:
        raise RuntimeError("hostile: network reachable: " + ", ".join(_REACHED))
    return _solution_sigmoid(x)
