"""`make lab` opens a copy of the demo: the researcher's runs and saves stay out of the package."""

import nbformat

from logbook.demo.run import demo_notebook
from logbook.demo.workspace import demo_copy, kernel_language_info, main


def test_the_copy_holds_the_demo_and_speaks_this_kernels_language(tmp_path):
    copy = demo_copy(tmp_path / "lab")
    assert copy == tmp_path / "lab" / "copying_heads.ipynb"
    shipped, copied = (nbformat.read(path, as_version=4) for path in (demo_notebook(), copy))
    assert [c.source for c in copied.cells] == [c.source for c in shipped.cells]
    assert [c.get("id") for c in copied.cells] == [c.get("id") for c in shipped.cells]
    assert copied.metadata.language_info == kernel_language_info()
    assert kernel_language_info()["version"] and shipped.metadata.language_info == {"name": "python"}


def test_a_copy_already_there_is_the_researchers_own_and_is_kept(tmp_path):
    copy = demo_copy(tmp_path)
    notebook = nbformat.read(copy, as_version=4)
    notebook.cells[0].source = "my own notes"
    nbformat.write(notebook, copy)
    assert demo_copy(tmp_path) == copy
    assert nbformat.read(copy, as_version=4).cells[0].source == "my own notes"


def test_run_as_a_module_it_prints_the_path_to_open(tmp_path, capsys):
    assert main([str(tmp_path / "lab")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "lab" / "copying_heads.ipynb")
    assert main([]) == 2
