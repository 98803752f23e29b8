"""Hidden checks for Line.predict(x)."""

from autograder.checks import assert_close


def test_predict_random_lines(student, cfg, rng):
    """predict is right for random lines and inputs"""
    weights, bias, x = rng.normal(size=5), float(rng.normal()), rng.normal(size=(7, 5))
    line = student.new("Line", 5)
    line.set_many({"weights": weights, "bias": bias})
    assert_close(line.call("predict", x), x @ weights + bias, what="predict(x)", rtol=cfg.rtol, atol=cfg.atol,
                 hint="predict does not match x @ weights + bias on random lines")
