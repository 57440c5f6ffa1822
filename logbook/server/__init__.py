"""The Jupyter server extension: Logbook's REST API, and kernels that record on their own."""

from __future__ import annotations

from logbook.server.extension import load_jupyter_server_extension as _load_jupyter_server_extension

__all__ = ["_load_jupyter_server_extension"]
