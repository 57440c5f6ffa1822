"""Charts drawn by one renderer process shared by every export, and never drawn twice when cached."""

from __future__ import annotations

import os
import time

import pytest

from logbook.report.chart_renderer import Renderer
from logbook.report.charts import Charts, balance_spec, render_svg

pytest.importorskip("vl_convert")
SPEC = balance_spec([("explore", 3, "1 s"), ("confirm", 5, "2 s")])


def test_charts_are_drawn_in_a_process_of_their_own_as_they_would_be_here(tmp_path):
    renderer = Renderer()
    try:
        with Charts(cache=tmp_path, renderer=renderer) as charts:
            charts.warm()
            child = renderer._process
            svg = charts.svg(charts.add(SPEC))
        assert child is not None and child.pid != os.getpid() and renderer.starts == 1
        assert svg == render_svg(SPEC) and "<svg" in svg
        assert [p.suffix for p in tmp_path.iterdir()] == [".svg"]  # kept, no temporary left
    finally:
        renderer.close()


def test_a_cached_chart_starts_no_renderer(tmp_path):
    renderer = Renderer()
    try:
        with Charts(cache=tmp_path, renderer=renderer) as charts:
            first = charts.svg(charts.add(SPEC))
        renderer.close()
        assert renderer.starts == 1
        with Charts(cache=tmp_path, renderer=renderer) as charts:
            assert charts.svg(charts.add(SPEC)) == first
        assert renderer.starts == 1 and renderer._process is None
    finally:
        renderer.close()


def test_a_renderer_that_died_is_started_again(tmp_path):
    renderer = Renderer()
    try:
        renderer.start()
        child = renderer._process
        child.kill()
        child.wait(timeout=30)
        with Charts(cache=tmp_path, renderer=renderer) as charts:
            svg = charts.svg(charts.add(SPEC))
        assert svg == render_svg(SPEC) and renderer.starts == 2
    finally:
        renderer.close()


def test_where_no_renderer_process_can_start_charts_are_drawn_here(tmp_path, monkeypatch):
    import logbook.report.chart_renderer as chart_renderer

    monkeypatch.setattr(chart_renderer.sys, "executable", str(tmp_path / "no-python-here"))
    renderer = Renderer()
    with Charts(cache=tmp_path / "cache", renderer=renderer) as charts:
        charts.warm()  # says nothing: the charts are drawn all the same
        svg = charts.svg(charts.add(SPEC))
    assert svg == render_svg(SPEC) and renderer.starts == 0
    assert len(list((tmp_path / "cache").glob("*.svg"))) == 1


def test_an_idle_renderer_ends_its_process_and_the_next_chart_starts_another():
    renderer = Renderer(idle_seconds=0.2)
    try:
        first = renderer.render(SPEC)
        child = renderer._process
        assert "<svg" in first.result(timeout=60)
        assert child.wait(timeout=30) == 0  # its input closed once idle: it left on its own
        assert "<svg" in renderer.render(SPEC).result(timeout=60)
        assert renderer.starts == 2
    finally:
        renderer.close()


def test_a_spec_vega_lite_refuses_fails_with_its_message():
    renderer = Renderer()
    try:
        with Charts(renderer=renderer) as charts:
            reference = charts.add({"mark": "no-such-mark", "data": {"values": []}})
            with pytest.raises(ValueError, match="no-such-mark|Invalid|failed"):
                charts.svg(reference)
            # the process survives a bad spec and draws the next chart
            assert "<svg" in charts.svg(charts.add(SPEC))
        assert renderer.starts == 1
    finally:
        renderer.close()


def test_charts_larger_than_a_pipe_go_both_ways_without_waiting_on_each_other():
    points = [{"x": i, "y": (i * 7919) % 1000} for i in range(3000)]
    specs = [
        {
            "mark": "point",
            "data": {"values": points[n:] + points[:n]},
            "encoding": {
                "x": {"field": "x", "type": "quantitative"},
                "y": {"field": "y", "type": "quantitative"},
            },
        }
        for n in range(4)
    ]
    renderer = Renderer()
    try:
        futures = [renderer.render(spec) for spec in specs]  # each request and each reply is over 64 kB
        svgs = [future.result(timeout=300) for future in futures]
        assert all(svg.count("<path") >= 3000 for svg in svgs) and len(svgs[0]) > 200_000
    finally:
        renderer.close()


def test_charts_no_export_used_for_a_month_leave_the_cache(tmp_path):
    renderer = Renderer()
    month = 31 * 86_400
    try:
        with Charts(cache=tmp_path, renderer=renderer) as charts:
            charts.svg(charts.add(SPEC))
        (used,) = tmp_path.glob("*.svg")
        old, stray, recent = (
            tmp_path / f"{'0' * 64}.svg",
            tmp_path / f"{'1' * 64}.99.tmp",
            tmp_path / f"{'2' * 64}.svg",
        )
        for path in (old, stray, recent):
            path.write_text("<svg/>")
        for path in (used, old, stray):
            os.utime(path, (time.time() - month, time.time() - month))
        with Charts(cache=tmp_path, renderer=renderer) as charts:
            charts.svg(charts.add(SPEC))  # read from the cache: used again, kept a month more
        assert sorted(tmp_path.iterdir()) == sorted([used, recent])
        assert used.stat().st_mtime > time.time() - 3600
    finally:
        renderer.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_forked_process_draws_with_a_renderer_of_its_own():
    from logbook.report import chart_renderer

    parent = chart_renderer.shared()
    assert "<svg" in parent.render(SPEC).result(timeout=60)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its shared renderer must answer it, not the parent's reader thread
        try:
            ours = chart_renderer.shared()
            ok = ours is not parent and "<svg" in ours.render(SPEC).result(timeout=60)
            os.write(writer, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(writer)
    answer = os.read(reader, 1)
    os.waitpid(pid, 0)
    os.close(reader)
    assert answer == b"1"
