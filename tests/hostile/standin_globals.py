"""standin_globals: Line.predict and fit borrow the reference's through the globals of a stand-in
function (scale.__globals__["Line"], scale.__globals__["fit"]); no own code.

Must score: 0 on fit and every check of predict that calls predict() (the stand-ins' globals hold
only the stand-ins: grading predict, scale stands in alone; grading fit, no reference fit is
among them, so there is nothing to borrow and each failed check says "not implemented"); full
marks elsewhere.
"""


def _predict(self, x):
    reference = scale.__globals__.get("Line")
    if reference is not None and reference is not Line:
        return reference.predict(self, x)
    raise NotImplementedError("predict is not implemented yet")


def fit(x, y, epochs):
    reference = scale.__globals__.get("fit")
    if reference is not None and reference is not fit:
        return reference(x, y, epochs)
    raise NotImplementedError("fit is not implemented yet")


Line.predict = _predict
