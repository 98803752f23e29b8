"""The toy course's sections of the feedback page (report.py shows SECTIONS after the scores).

"Your scale": the submission's own scale() on a ramp, run in the sandbox, plotted here from the
plain data it sends back; a section that cannot be made says why in one line.
"""

from __future__ import annotations

import html

import numpy as np

from autograder.report import Missing, figure, pyplot

RAMP = np.linspace(-2.0, 2.0, 9)


def scale_plot(report, files, config) -> str:
    from autograder.handle import Student, StudentCrashed, StudentError, SubmissionMissing
    from autograder.sandbox import Limits

    if "scale" not in report.by_exercise():
        raise Missing("scale was not graded in this run, so there is no plot of it.")
    if "toy.py" not in files:
        raise Missing("toy.py is not in the submission, so there is no plot of scale.")
    student = Student("toy", {"toy.py": files["toy.py"]}, Limits(timeout_s=10), seed=report.seed)
    try:
        got = np.asarray(student.call("scale", RAMP, 2.0), dtype=float)
    except StudentError as error:
        if error.not_implemented:
            raise Missing("scale is not implemented yet, so there is no plot of it.") from None
        raise Missing(f"scale raised {error.type_name}: {error.message}; no plot.") from None
    except (StudentCrashed, SubmissionMissing, TypeError, ValueError) as error:
        raise Missing(f"scale did not give numbers ({error}); no plot.") from None
    finally:
        student.close()
    if got.shape != RAMP.shape:
        raise Missing(f"scale(ramp, 2.0) has shape {got.shape}, not {RAMP.shape}; no plot.")
    plt = pyplot()
    fig, axes = plt.subplots(figsize=(5, 3))
    axes.plot(RAMP, 2.0 * RAMP, "k--", label="2 x")
    axes.plot(RAMP, got, "o-", label="your scale(x, 2.0)")
    axes.legend()
    return figure(fig, "scale on a ramp", html.escape("Your scale(x, 2.0) against 2 x, on 9 points."))


SECTIONS = [("Your scale", scale_plot)]
