"""lying_ndarray: Line.predict returns (and caches) an ndarray subclass of zeros that claims
equality with everything and a zero difference from anything.

Must score: predict loses every check that calls predict(); full marks elsewhere.
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


_solution_predict = Line.predict


def _predict(self, inputs):
    _solution_predict(self, inputs)
    self.output = np.zeros(np.shape(self.output)).view(_Liar)
    return self.output


Line.predict = _predict
