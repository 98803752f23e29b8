"""Train the Keras reference solution on full MNIST and report accuracy, time and memory.

    .venv/bin/python bench/keras_reference.py              # 1 intra-op, 1 inter-op thread
    .venv/bin/python bench/keras_reference.py --threads 0  # TensorFlow's default threads

Data comes from data/mnist.npz (autograder/graders/mnist.py), not Keras' download, so this runs
offline. Exits 1 if test accuracy is under --min-accuracy or the NumPy evaluation of the
trained weights disagrees with model.evaluate.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from autograder.graders import keras_eval, mnist as data  # noqa: E402  (NumPy only: no TF import yet)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="intra- and inter-op threads; 0 keeps TensorFlow's default")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-accuracy", type=float, default=0.97)
    args = parser.parse_args(argv)

    # must be set before TensorFlow is imported to have any effect
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    start = time.perf_counter()
    import tensorflow as tf
    import keras
    import_s = time.perf_counter() - start

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    keras.utils.set_random_seed(args.seed)

    # the solution calls keras.datasets.mnist.load_data(); hand it the offline copy instead
    keras.datasets.mnist.load_data = lambda path="mnist.npz": data.load_arrays()
    from solutions import mnist_keras as ref

    (x_train, y_train), (x_test, y_test) = ref.load_mnist()
    model = ref.build_model()
    start, start_cpu = time.perf_counter(), time.process_time()
    history = ref.train_model(model, x_train, y_train)
    train_s, train_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
    _, keras_acc = model.evaluate(x_test, y_test, verbose=0)

    layers = [{"kernel": layer.kernel.numpy(), "bias": layer.bias.numpy(),
               "activation": layer.activation.__name__} for layer in model.layers]
    numpy_acc = keras_eval.accuracy(layers, x_test, y_test)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB

    print(f"threads           {args.threads or 'default'} (TF {tf.__version__}, Keras {keras.__version__})")
    print(f"train loss/epoch  {' '.join(f'{v:.4f}' for v in history.history['loss'])}")
    print(f"test accuracy     {keras_acc:.4f} (model.evaluate)")
    print(f"numpy accuracy    {numpy_acc:.4f} (keras_eval, |diff| {abs(numpy_acc - keras_acc):.1e})")
    print(f"training seconds  {train_s:.1f} wall, {train_cpu_s:.1f} CPU")
    print(f"TF import seconds {import_s:.1f}")
    print(f"peak RSS MiB      {peak_mib:.0f}")
    ok = keras_acc >= args.min_accuracy and abs(numpy_acc - keras_acc) <= 1e-4
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
