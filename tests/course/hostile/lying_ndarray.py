"""lying_ndarray: MLP.forward returns (and caches) an ndarray subclass of zeros that claims
equality with everything and a zero difference from anything.

Must score: forward loses every check that calls forward(); full marks elsewhere.
"""


class _Liar(np.ndarray):
    """Every comparison says equal, every difference is zero."""

    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool)

    def __sub__(self, other):
        return np.zeros(np.shape(self))

    __rsub__ = __sub__

    def __abs__(self):
        return np.zeros(np.shape(self))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(np.shape(self))


_solution_forward = MLP.forward


def _forward(self, inputs):
    _solution_forward(self, inputs)
    for name in ("hidden_layer_input", "hidden_layer_output", "output_layer_input", "output"):
        setattr(self, name, np.zeros(np.shape(getattr(self, name))).view(_Liar))
    return self.output


MLP.forward = _forward
