"""standin_globals: MLP.backward and MLP.train borrow the reference's through the globals of a
stand-in function (sigmoid.__globals__["MLP"]); no own code.

Must score: 0 on backward and train_xor (the stand-ins' globals hold only the stand-ins, so the
reference MLP has no backward, or no train, to borrow: each failed check says AttributeError);
full marks elsewhere.
"""


def _backward(self, inputs, actual_output, predicted_output):
    reference = sigmoid.__globals__.get("MLP")
    if reference is not None and reference is not MLP:
        return reference.backward(self, inputs, actual_output, predicted_output)
    raise NotImplementedError("backward is not implemented yet")


def _train(self, inputs, labels, epochs=10000):
    reference = sigmoid.__globals__.get("MLP")
    if reference is not None and reference is not MLP:
        return reference.train(self, inputs, labels, epochs)
    raise NotImplementedError("train is not implemented yet")


MLP.backward = _backward
MLP.train = _train
