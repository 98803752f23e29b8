"""scratch_fill: sigmoid_derivative first writes all it can (8 MB chunks, up to 4 GB in each place)
into every writable place it finds: $HOME, the working directory, /tmp, /dev/shm, /dev; then
answers correctly.
Must score: full marks under bubblewrap (each place is a sized tmpfs: the writes stop with "no
space left" and the host loses at most scratch_mb of memory); without namespaces the watchdog
kills the child once its folder passes scratch_mb, so sigmoid_derivative scores 0 ("scratch
space"); full marks elsewhere.
"""
import os
import tempfile

_solution_sigmoid_derivative = sigmoid_derivative
_FILLED = []


def _fill():
    chunk = b"\0" * (8 << 20)
    for place in (os.path.expanduser("~"), os.getcwd(), "/tmp", "/dev/shm", "/dev"):
        for number in range(512):
            try:
                with open(os.path.join(place, f"fill-{os.getpid()}-{number}"), "wb") as stream:
                    stream.write(chunk)
            except OSError:
                break


def sigmoid_derivative(a):
    if not _FILLED:
        _FILLED.append(1)
        _fill()
    return _solution_sigmoid_derivative(a)
