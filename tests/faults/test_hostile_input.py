"""Fuzzed API bodies and prediction expressions, refused requests, and hostile strings kept as text."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logbook.rules.predictions import PredictionSyntaxError, parse_expression
from tests.server.route_examples import calls, id_calls
from tests.support.lab_server import jupyter_lab

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)

#: Every method of every route in the server's route table; those that take a JSON body; those with a numeric id.
CALLS = calls()
BODY_CALLS = [route for route in CALLS if route.body_fields]
ID_CALLS = id_calls()
QUERY_NAMES = [
    *("limit", "offset", "since", "timeout", "status", "q", "format", "hypothesis", "mime", "by", "window"),
    *("have", "position", "reason", "id", "experiment_id", "old", "new", "kind", "v", "cell_key", "label"),
]
query_values = st.one_of(
    st.text(max_size=20),
    st.integers().map(str),
    st.floats().map(str),
    st.sampled_from(["", "-1", "nan", "inf", "1e309", "abc", "0x10", str(2**63), "9" * 5000]),
)
DEEP = 100_000


def call(
    lab, method: str, path: str, body: bytes | None, headers: dict | None = None, params: dict | None = None
) -> tuple[int, bytes]:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    request = urllib.request.Request(
        f"{lab.url}/logbook/api/{path}{query}",
        method=method,
        data=body,
        headers={
            "Authorization": f"token {lab.token}",
            "Content-Type": "application/json",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz") / "project"
    root.mkdir()
    with jupyter_lab(root, {}) as running:
        running.api("POST", "logbook/api/hypotheses", {"statement": "seed", "credence": 0.5})
        running.api("POST", "logbook/api/hypotheses/H1/predictions", {"expression": "x > 1", "credence": 0.5})
        yield running


def bodies_for(keys):
    return st.one_of(
        st.fixed_dictionaries({}, optional={key: json_values for key in keys}),
        json_values.map(lambda v: v),
    )


@pytest.mark.parametrize("route", BODY_CALLS, ids=str)
def test_fuzzed_json_never_breaks_a_route(lab, route):
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=bodies_for(route.body_fields))
    def check(body):
        status, reply = call(lab, route.method, route.path, json.dumps(body).encode())
        assert status in (200, 201, 400, 404, 409), (body, status, reply[:300])
        if status >= 400:
            assert json.loads(reply)["message"]

    check()


def refused_with_a_message(status: int, reply: bytes) -> bool:
    return 400 <= status < 500 and bool(json.loads(reply)["message"])


@pytest.mark.parametrize("route", BODY_CALLS, ids=str)
def test_deeply_nested_json_gets_a_400_on_every_route(lab, route):
    first, last = route.body_fields[0], route.body_fields[-1]
    for body in (
        "[" * DEEP + "]" * DEEP,
        '{"' + first + '": ' + "[" * DEEP + "]" * DEEP + "}",
        '{"' + last + '": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}",
    ):
        status, reply = call(lab, route.method, route.path, body.encode())
        assert status == 400 and json.loads(reply)["message"], (route.path, body[:40], status, reply[:300])


@pytest.mark.parametrize("route", ID_CALLS, ids=str)
def test_ids_beyond_64_bits_get_a_400_on_every_route(lab, route):
    data = b"{}" if route.method in ("POST", "PATCH") else None

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    @given(number=st.integers(min_value=2**63, max_value=2**400))
    def check(number):
        status, reply = call(lab, route.method, route.path.format(number), data)
        assert status == 400 and "id must be between" in json.loads(reply)["message"], (number, reply[:300])

    check()


@pytest.mark.parametrize("route", CALLS, ids=str)
def test_bad_query_parameters_never_break_a_route(lab, route):
    body = b"{}" if route.method in ("POST", "PATCH") else None

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(params=st.dictionaries(st.sampled_from(QUERY_NAMES), query_values, max_size=4))
    def check(params):
        if route.exchange.long_poll:
            params["since"] = "-1"  # answers at once, whatever the timeout
        status, reply = call(lab, route.method, route.path, body, params=params)
        assert status < 500, (params, status, reply[:300])
        if status >= 400:
            assert refused_with_a_message(status, reply), (params, status, reply[:300])

    check()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.binary(max_size=200))
def test_bytes_that_are_not_json_get_a_400(lab, raw):
    status, reply = call(lab, "POST", "hypotheses", raw)
    assert status in (201, 400), raw
    if status == 400:
        assert json.loads(reply)["message"]


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80))
def test_any_prediction_text_is_either_an_expression_or_refused_with_a_reason(text):
    try:
        names = parse_expression(text)
    except PredictionSyntaxError as error:
        assert str(error).startswith(
            ("not a Python expression", "the prediction is empty", "not allowed in a prediction")
        )
    else:
        assert all(isinstance(name, str) and name.isidentifier() for name in names)


def test_deeply_nested_expressions_are_refused_not_crashing():
    with pytest.raises(PredictionSyntaxError):
        parse_expression("(" * 10_000 + "1" + ")" * 10_000)
    with pytest.raises(PredictionSyntaxError):
        parse_expression("a\x00b")


def test_requests_without_credentials_or_xsrf_are_refused(lab):
    status, _ = call(lab, "GET", "hypotheses", None, headers={"Authorization": ""})
    assert status == 403
    # A logged-in browser session (cookie) without the XSRF token: a cross-site request.
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    opener.open(f"{lab.url}/lab?token={lab.token}", timeout=30).read()
    for headers, refusal in (
        ({}, 403),  # no XSRF token: refused
        (
            {"Origin": "http://evil.example"},
            404,
        ),  # another site's page: Jupyter blocks cross-origin API calls
    ):
        forged = urllib.request.Request(
            f"{lab.url}/logbook/api/hypotheses",
            method="POST",
            data=b'{"statement": "forged"}',
            headers={"Content-Type": "application/json", **headers},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(forged, timeout=30)
        assert refused.value.code == refusal
    statements = [h["statement"] for h in lab.api("GET", "logbook/api/hypotheses")]
    assert "forged" not in statements


def test_export_paths_outside_the_project_are_refused(lab):
    for path in ("../escape.md", "/tmp/escape.md", "a/../../escape.md"):
        status, reply = call(lab, "POST", "export", json.dumps({"path": path, "format": "md"}).encode())
        assert status == 400 and "inside the project" in json.loads(reply)["message"]
    assert not (lab.root.parent / "escape.md").exists()


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script><img src=x onerror=alert(2)>",
        "control \x00\x01\x07\x1b[31m red \x7f and tab\t newline\n end",
        "🧠 ünïcode ‮ reversed ‬ text",
        "long " + "x" * (1024 * 1024),
    ],
    ids=["html", "control-characters", "unicode", "one-megabyte"],
)
def test_hostile_strings_round_trip_as_text(lab, text):
    created = lab.api("POST", "logbook/api/hypotheses", {"statement": text, "credence": 0.5})
    assert lab.api("GET", f"logbook/api/hypotheses/{created['id']}")["statement"] == text.strip()
    note = lab.api("POST", "logbook/api/notes", {"text": text})
    assert note["text"] == text.strip()
