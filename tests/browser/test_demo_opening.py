"""The demo as `make lab` opens it: nothing to save before anything ran."""

from __future__ import annotations

import shutil

import pytest

from logbook.demo.run import demo_notebook
from logbook.demo.workspace import demo_copy
from tests.support.browser import chromium
from tests.support.lab_server import browser_page, jupyter_lab

pytest.importorskip("playwright")
pytestmark = pytest.mark.browser

IDLE = "Python 3 (ipykernel) | Idle"


def tab(page, name: str):
    return page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=name)


def test_the_demo_copy_opens_unchanged_where_the_shipped_file_would_not(tmp_path):
    chromium()
    root = tmp_path / "project"
    demo_copy(root / "logbook-lab")
    shutil.copy(demo_notebook(), root / "shipped.ipynb")
    settings = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
    with jupyter_lab(root, settings) as lab, browser_page(tmp_path) as page:
        page.goto(f"{lab.url}/lab/tree/logbook-lab/copying_heads.ipynb?token={lab.token}")
        page.get_by_text(IDLE).first.wait_for()
        # The file as shipped, opened after it, gets this kernel's language info on opening and shows as changed.
        page.locator(".jp-FileBrowser .jp-BreadCrumbs-home").click()
        page.locator(".jp-DirListing-item", has_text="shipped.ipynb").dblclick()
        page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-dirty", has_text="shipped.ipynb").wait_for()
        assert tab(page, "copying_heads.ipynb").count() == 1
        assert "jp-mod-dirty" not in (tab(page, "copying_heads.ipynb").get_attribute("class") or "")
