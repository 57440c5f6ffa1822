"""The bytes stored for a cell's display outputs, capped in size.

Runs on the writer thread, never on the user's time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, Optional

from logbook.report.figure_scripts import compact
from logbook.text import clean_text

#: Images kept as their bytes (the display system carries them as base64 text).
BINARY_IMAGES = ("image/png", "image/jpeg")

#: Bytes kept per text or HTML output; the rest is dropped and the output marked truncated.
TEXT_OUTPUT_CAP = 1024 * 1024
#: Images larger than this are recorded by their hash and size only: no bytes are kept.
IMAGE_OUTPUT_CAP = 8 * 1024 * 1024


def encode_output(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The record of each MIME type of one display output: ``mime``, ``data``, ``size``, ``truncated``.

    An image over the cap has ``data`` None and its real ``sha256``; a text
    over the cap keeps its first ``TEXT_OUTPUT_CAP`` bytes.
    """
    encoded: list[dict[str, Any]] = []
    for mime, value in bundle.items():
        if mime in BINARY_IMAGES:
            data = png_bytes(value)
            if data is None:
                continue
            if len(data) > IMAGE_OUTPUT_CAP:
                digest = hashlib.sha256(data).hexdigest()
                encoded.append(
                    {"mime": mime, "data": None, "sha256": digest, "size": len(data), "truncated": True}
                )
            else:
                encoded.append({"mime": mime, "data": data, "size": len(data), "truncated": False})
            continue
        if isinstance(value, (dict, list)) and mime.endswith("json"):
            text = json.dumps(value, default=str)
        else:
            text = (
                value
                if isinstance(value, str)
                else "".join(value)
                if isinstance(value, list)
                else repr(value)
            )
        if mime == "text/html":
            text = compact(text)
        data = clean_text(text).encode("utf-8")
        size = len(data)
        truncated = size > TEXT_OUTPUT_CAP
        if truncated:
            data = data[:TEXT_OUTPUT_CAP].decode("utf-8", "ignore").encode("utf-8")
        encoded.append({"mime": mime, "data": data, "size": size, "truncated": truncated})
    return encoded


def png_bytes(value: Any) -> Optional[bytes]:
    """An image's bytes from what the display system carries (bytes or base64 text)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=False)
        except (binascii.Error, ValueError):
            return None
    return None
