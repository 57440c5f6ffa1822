"""Charts as Vega-Lite specs (plain data), rendered once to static SVG and cached."""

from datetime import datetime, timedelta, timezone

from logbook.report.charts import (
    Charts,
    balance_spec,
    calibration_spec,
    credence_spec,
    finish_svg,
    render_svg,
)

T0 = datetime(2026, 1, 1, 10, tzinfo=timezone.utc)
HISTORY = [(T0, 0.7, "stated"), (T0 + timedelta(hours=5), 0.2, "no <induction> at period 7")]
VERDICTS = [(T0 + timedelta(hours=2), False, "H1.P1")]


def layer(spec, mark):
    return next(layer for layer in spec["layer"] if layer["mark"]["type"] == mark)


def test_credence_has_a_dated_axis_a_0_to_1_axis_with_gridlines_and_verdicts():
    spec = credence_spec(HISTORY, VERDICTS, until=T0 + timedelta(hours=8), label="H1")
    line, points, rules = layer(spec, "line"), layer(spec, "point"), layer(spec, "rule")
    assert line["encoding"]["x"]["type"] == "temporal" and line["encoding"]["x"]["scale"] == {"type": "utc"}
    y = line["encoding"]["y"]
    assert y["scale"]["domain"] == [0, 1] and y["axis"]["grid"] is True
    # The line runs on to the end of the period, so a credence that never changed is a line, not a dot.
    assert line["data"]["values"][-1] == {"at": (T0 + timedelta(hours=8)).isoformat(), "credence": 0.2}
    assert points["data"]["values"][1]["label"] == "0.20 on 2026-01-01 15:00: no <induction> at period 7"
    assert rules["data"]["values"] == [
        {"at": (T0 + timedelta(hours=2)).isoformat(), "verdict": "failed", "label": "H1.P1 failed"}
    ]


def test_calibration_has_axis_labels_the_diagonal_sizes_by_count_and_n_per_bin():
    spec = calibration_spec([(0.9, 0.0, 1), (0.62, 1.0, 3)])
    diagonal, dots, labels = layer(spec, "line"), layer(spec, "circle"), layer(spec, "text")
    assert diagonal["data"]["values"] == [{"stated": 0, "observed": 0}, {"stated": 1, "observed": 1}]
    assert dots["encoding"]["x"]["axis"]["title"] == "stated credence"
    assert dots["encoding"]["y"]["axis"]["title"] == "fraction that came true"
    assert dots["encoding"]["size"]["field"] == "n"
    assert [v["label"] for v in labels["data"]["values"]] == ["n=1", "n=3"]


def test_balance_is_a_bar_per_mode():
    spec = balance_spec([("confirm", 3, "2 s"), ("explore", 10, "1 min 5 s")])
    assert layer(spec, "bar")["encoding"]["y"]["field"] == "mode"
    assert [v["label"] for v in spec["data"]["values"]] == ["3 (2 s)", "10 (1 min 5 s)"]


def test_rendered_points_carry_their_label_as_a_hover_title():
    svg = render_svg(credence_spec(HISTORY, VERDICTS, until=T0 + timedelta(hours=8), label="H1"))
    assert (
        svg.startswith("<svg")
        and "<title>0.20 on 2026-01-01 15:00: no &lt;induction&gt; at period 7</title>" in svg
    )
    assert "<title>H1.P1 failed</title>" in svg
    assert 'fill="currentColor"' in svg and "<script" not in svg


def test_ids_inside_a_chart_are_made_unique_to_it():
    svg = '<svg><defs><clipPath id="clip1"/></defs><g clip-path="url(#clip1)"/></svg>'
    assert (
        finish_svg(svg, prefix="c3-")
        == '<svg><defs><clipPath id="c3-clip1"/></defs><g clip-path="url(#c3-clip1)"/></svg>'
    )


def test_a_chart_rendered_once_is_read_from_the_cache(tmp_path):
    spec = balance_spec([("explore", 4, "1 s")])
    with Charts(cache=tmp_path) as charts:
        first = charts.svg(charts.add(spec))
    (cached,) = tmp_path.glob("*.svg")
    cached.write_text(first.replace("experiments", "EXPERIMENTS"))
    with Charts(cache=tmp_path) as charts:
        assert "EXPERIMENTS" in charts.svg(charts.add(spec))


def test_a_competing_set_is_a_stacked_area_per_member_and_something_else_summing_to_1():
    from logbook.report.charts import set_spec

    history = [
        (T0, {"H1": 0.5, "H2": 0.4, "else": 0.1}, "grouped"),
        (T0 + timedelta(hours=3), {"H1": 0.2, "H2": 0.7, "else": 0.1}, "U1 accepted: <period 7>"),
    ]
    spec = set_spec(history, ["H1", "H2"], until=T0 + timedelta(hours=5), label="C1")
    assert spec["mark"]["type"] == "area" and spec["mark"]["interpolate"] == "step-after"
    enc = spec["encoding"]
    assert enc["y"]["stack"] == "zero" and enc["y"]["scale"]["domain"] == [0, 1]
    assert enc["color"]["scale"]["domain"] == ["H1", "H2", "something else"]
    values = spec["data"]["values"]
    by_time = {}
    for v in values:
        by_time.setdefault(v["at"], 0.0)
        by_time[v["at"]] += v["credence"]
    assert len(by_time) == 3 and all(abs(total - 1) < 1e-9 for total in by_time.values())
    # the last state runs on to the end, so the area does not stop at the last change
    assert max(by_time) == (T0 + timedelta(hours=5)).isoformat()
    assert enc["description"] == {"field": "member"}  # one area per member, not a sliver per point
    assert spec["description"] == "the distribution of C1 over time"
