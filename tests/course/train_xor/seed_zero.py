"""Honest bug: MLP draws from np.random.default_rng(seed or None), so seed=0 is not reproducible.

Must lose: forward's constructor check (MLP(..., seed) belongs to forward's exercise), and only
that: train_xor is graded with the reference's MLP.__init__ standing in (charged once).
"""
_reference_init = MLP.__init__


def _init(self, input_size, hidden_size, output_size, learning_rate=1.0, seed=None):
    _reference_init(self, input_size, hidden_size, output_size, learning_rate, seed or None)


MLP.__init__ = _init
