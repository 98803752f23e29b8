"""nan_outputs: Line.predict returns (and caches) NaN of the right shapes.

Must score: predict loses every check that calls predict() (each says NaN); full marks elsewhere.
"""
_solution_predict = Line.predict


def _predict(self, inputs):
    _solution_predict(self, inputs)
    self.output = np.full(np.shape(self.output), np.nan)
    return self.output


Line.predict = _predict
