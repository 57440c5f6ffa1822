"""Which global names a cell assigns."""

from kernel_hooks.names import assigned_names


def test_assignments_imports_definitions_and_loop_targets_count():
    code = """
import numpy as np
from os import path
a, (b, c) = 1, (2, 3)
d += 1
e: int = 5
for i in range(3):
    f = i
with open('x') as g:
    pass
def h(): local = 1
class K: inner = 2
if (w := 4): pass
"""
    assert assigned_names(code) == ("np", "path", "a", "b", "c", "d", "e", "i", "f", "g", "h", "K", "w")


def test_comprehension_variables_and_function_locals_do_not_count():
    assert assigned_names("xs = [x for x in range(3)]\ndef f():\n    y = 2") == ("xs", "f")


def test_code_that_does_not_parse_assigns_nothing():
    assert assigned_names("x = (") == ()
