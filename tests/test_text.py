"""Values become strict JSON that SQLite can store, whatever they hold."""

import json

from logbook.text import to_json


def test_plain_values_are_standard_json():
    value = {"loss": 0.25, "shape": (2, 3), "names": ["a", "é"], "ok": True, "none": None, 1: "key"}
    assert json.loads(to_json(value)) == {
        "loss": 0.25,
        "shape": [2, 3],
        "names": ["a", "é"],
        "ok": True,
        "none": None,
        "1": "key",
    }


def test_what_json_cannot_hold_becomes_text():
    class Opaque:
        def __repr__(self):
            return "<opaque>"

    value = {"nan": float("nan"), "inf": [float("-inf")], "object": Opaque(), "deep": {"x": float("nan")}}
    assert json.loads(to_json(value)) == {
        "nan": "nan",
        "inf": ["-inf"],
        "object": "<opaque>",
        "deep": {"x": "nan"},
    }


def test_lone_surrogates_are_escaped_so_the_text_is_utf8():
    weird = b"caf\xe9".decode("utf-8", "surrogateescape")
    text = to_json({weird: weird})
    text.encode("utf-8")
    assert json.loads(text) == {"caf\\udce9": "caf\\udce9"}
