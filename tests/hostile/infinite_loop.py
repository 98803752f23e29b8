"""infinite_loop: scale loops forever on 3-d arrays, and is right otherwise.

Must score: scale loses test_scale_keeps_shape only (the one check with 3-d input, failed
on its time limit); full marks elsewhere.
"""
_solution_scale = scale


def scale(x, factor):
    while np.ndim(x) == 3:
        pass
    return _solution_scale(x, factor)
