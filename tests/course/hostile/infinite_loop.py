"""infinite_loop: sigmoid loops forever on 3-d arrays, and is right otherwise.

Must score: sigmoid loses test_sigmoid_keeps_shape only (the one check with 3-d input, failed
on its time limit); full marks elsewhere.
"""
_solution_sigmoid = sigmoid


def sigmoid(x):
    while np.ndim(x) == 3:
        pass
    return _solution_sigmoid(x)
