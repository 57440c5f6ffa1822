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


STATEMENTS = """
match point:
    case [a, *rest]: y = 1
    case {"k": v, **kw}: z = 2
    case Point(x=px) as pt: w = 3
try:
    import os.path as osp
except ValueError as error:
    q = 1
else:
    r: int = 2
finally:
    del q
while True:
    for i, (j, *k) in enumerate([]):
        with open(f) as (fh, gh), other as oh:
            s = [t for t in range(3)]
            async def f(): pass
    else:
        class C: pass
if a: from m import *
elif b: global g; g = 1
self.attr = d[i] = lambda u: u
total: float
"""


def test_a_cell_without_a_walrus_names_what_a_visit_of_every_node_names():
    # A walrus sends the cell through the visit of every expression: the same names, with its own last.
    every_node = assigned_names(STATEMENTS + "(last := 0)\n")
    assert assigned_names(STATEMENTS) + ("last",) == every_node
    assert assigned_names(STATEMENTS) == (
        "y", "z", "w", "osp", "q", "r", "i", "j", "k", "fh", "gh", "oh", "s", "f", "C", "g", "total"
    )  # fmt: skip
