"""wide_reply: replies within the wire's byte and value limits that are costly for the grader to
take in or to work on, as a Keras model's description could be.

- many_layers(n): n layer descriptions ({"class": "Dense", "units": 1, "activation": "gelu"}; 100,000
  fit in the wire's value limit);
  130,000 of them kept a grader that works layer by layer busy for minutes.
- wide_kernel(): one 784 x 60,000 int8 kernel (47 million elements, 47 MB as base64, under the
  64 MB limit), which a grader upcasting it to float64 holds as 376 MB, several times over.
Must cost the grader: work that stops with the exercise's time budget, and a bounded peak RSS
(the kernel refused before it is decoded, "not plain data").
"""
import numpy as np


def many_layers(n):
    return [{"class": "Dense", "units": 1, "activation": "gelu"} for _ in range(n)]


def wide_kernel():
    return np.ones((784, 60_000), dtype=np.int8)
