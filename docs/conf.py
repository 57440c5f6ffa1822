"""Sphinx configuration for Logbook's documentation (MyST Markdown, the PyData theme).

Built by `make docs` with warnings as errors; nothing is fetched from the network.
"""

project = "Logbook"
author = "Logbook contributors"
copyright = "Logbook contributors"
release = version = "0.1.0"

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_templates", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["deflist"]
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = "Logbook"
html_theme_options = {
    "navigation_with_keys": True,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": [],
    "footer_end": [],
}
html_show_sourcelink = False
templates_path = ["_templates"]
html_sidebars = {"**": ["all-pages.html"]}
html_static_path: list[str] = []
