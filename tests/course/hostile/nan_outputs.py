"""nan_outputs: MLP.forward returns (and caches) NaN of the right shapes.

Must score: forward loses every check that calls forward() (each says NaN); full marks elsewhere.
"""
_solution_forward = MLP.forward


def _forward(self, inputs):
    _solution_forward(self, inputs)
    for name in ("hidden_layer_input", "hidden_layer_output", "output_layer_input", "output"):
        setattr(self, name, np.full(np.shape(getattr(self, name)), np.nan))
    return self.output


MLP.forward = _forward
