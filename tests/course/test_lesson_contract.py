"""This lesson's names: the lesson text, the stubs and the graders use the same words."""

import ast

from support import REPO


def test_the_lesson_names_are_in_the_contract():
    """This lesson's names (test_course.py checks that both trees have the same ones)."""
    from test_course import _interface

    path = REPO / "solutions" / "mlp.py"
    assert {"sigmoid", "sigmoid_derivative", "MLP", "MLP.__init__", "MLP.forward", "MLP.backward", "MLP.train",
            "MLP.predict", "train_xor"} <= set(_interface(path))
    constants = {target.id for node in ast.parse(path.read_text()).body if isinstance(node, ast.Assign)
                 for target in node.targets if isinstance(target, ast.Name)}
    assert {"XOR_INPUTS", "XOR_LABELS"} <= constants
