"""The demo notebook runs end to end, flags the surprise it is built around, and its log renders."""

import nbformat
import pytest

from kernel_hooks.surprise_display import SURPRISE_MIME
from logbook.audit.verify import verify_logbook
from logbook.cli.main import main
from logbook.demo.run import run_demo
from logbook.report.markdown import markdown_report
from logbook.rules.coverage import logbook_coverage
from logbook.store.core import Store
from tests.support.browser import dump_dom, screenshot

pytest.importorskip("transformer_lens")
pytest.importorskip("matplotlib")
pytestmark = [pytest.mark.kernel, pytest.mark.transformer_lens]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--folder", str(folder)]) == 0
    with Store(folder / ".logbook" / "logbook.db") as store:
        yield folder, store


def test_the_fixed_period_model_contradicts_the_induction_hypothesis(demo):
    _, store = demo
    surprises = {s.prediction: s for s in store.surprises() if not s.manual and s.kind == "prediction"}
    assert set(surprises) == {"prev_token_score_L0 > 0.3", "period7_loss < 1.0"}
    assert all(s.hypothesis_id == "H1" and round(s.surprisal_bits, 2) == 2.32 for s in surprises.values())
    assert surprises["period7_loss < 1.0"].observed["period7_loss"]["value"] > 3


def test_positional_copying_and_real_induction_are_supported(demo):
    _, store = demo
    held = {e.prediction for e in store.evidence()}
    assert {"period7_loss > 3.0", "varied_period7_loss < 1.0", "varied_induction_score_L1 > 0.5"} <= held
    assert store.hypothesis("H1").status.value == "refuted"
    # refuting H1 in code closed the surprises its predictions raised, with the refutation's reason
    closed = [s for s in store.surprises() if s.hypothesis_id == "H1" and s.kind == "prediction"]
    assert len(closed) == 2 and {(s.status.value, s.resolution.value) for s in closed} == {
        ("acted_on", "refuted")
    }
    assert {s.explanation for s in closed} == {"positional copying explains the fixed-period model"}


def test_every_prediction_gets_the_verdict_the_notebook_tells(demo):
    _, store = demo
    verdicts = {p.expression: p.first_verdict for h in store.hypotheses() for p in h.predictions}
    assert verdicts == {
        "prev_token_score_L0 > 0.3": "failed",
        "period7_loss < 1.0": "failed",
        "induction_score_L1 > 0.5": "held",
        "period7_loss > 3.0": "held",
        "ablated_L1_loss > 1.0": "held",
        "varied_period7_loss < 1.0": "held",
        "varied_induction_score_L1 > 0.5": "held",
        "ablated_head_period7_loss > 2 * varied_period7_loss": "held",
    }


def test_a_prediction_against_an_earlier_baseline_is_written_before_the_ablation(demo):
    _, store = demo
    report = markdown_report(store).splitlines()
    timed = [line for line in report if "> 2 * varied_period7_loss`" in line and " the result |" in line]
    assert timed and all("| written before the result |" in line for line in timed)


def test_the_brainstorm_holds_its_four_hypotheses(demo):
    _, store = demo
    (brainstorm,) = store.brainstorms()
    assert brainstorm.hypothesis_ids == ["H1", "H2", "H3", "H4"] and brainstorm.finished_at is not None


def test_the_demo_logbook_verifies(demo):
    _, store = demo
    result = verify_logbook(store)
    assert result.ok, result.problems
    assert result.events == store.chain_head()["events"] > 20


def test_experiments_record_hooks_caches_and_modes(demo):
    _, store = demo
    experiments = store.experiments(limit=None, newest_first=False)
    patching = next(e for e in experiments if "patch_head" in e.source)
    hooks = {
        (name, h["function"].split("(")[0])
        for h in patching.torch["hooks"]
        for name in [h["hook_point"], *h.get("aliases", [])]
    }
    assert ("blocks.0.attn.hook_z", "patch_head") in hooks and ("blocks.1.attn.hook_z", "patch_head") in hooks
    assert any("cache_keys" in e.torch for e in experiments)
    assert {e.mode.value for e in experiments if e.mode} == {"explore", "confirm", "red-team"}
    assert any(o.mime == "image/png" for e in experiments for o in e.outputs)


def test_the_html_log_renders_in_chromium(demo, tmp_path):
    folder, _ = demo
    page = folder / "copying-heads-log.html"
    dom = dump_dom(page.as_uri(), tmp_path)
    assert '<h2 id="surprises">Surprises</h2>' in dom and "prev_token_score_L0 &gt; 0.3" in dom
    assert "drift, head_importance_L0" in dom  # the export is the notebook's last cell: it has the drift
    shot = screenshot(page.as_uri(), "demo-research-log.png", tmp_path)
    assert shot.stat().st_size > 10_000


def test_a_red_team_prediction_is_followed_through_once_the_hypothesis_goes_well(demo):
    _, store = demo
    varied = store.hypothesis("H5")
    assert varied.going_well == "credence 0.85"
    # the refuted induction story is not offered; positional copying, at 0.9, is
    assert {h.id: h.going_well for h in store.hypotheses() if h.going_well} == {
        "H3": "credence 0.90",
        "H5": "credence 0.85",
    }
    (red,) = [p for p in varied.predictions if p.mode and p.mode.value == "red-team"]
    assert red.expression == "ablated_head_period7_loss > 2 * varied_period7_loss"
    assert red.first_verdict is not None
    report = markdown_report(store)
    survived, failed = (1, 0) if red.first_verdict == "held" else (0, 1)
    assert f"| [H5](#h5) | {survived} | {failed} | 0 |" in report


def test_the_coverage_map_shows_what_each_model_had_done_to_it(demo):
    _, store = demo
    fixed, varied, *reseeded = logbook_coverage(store.db)  # then the models the drift cells train
    assert reseeded and all(m.n_layers == 2 for m in reseeded)
    assert (fixed.n_layers, fixed.n_heads, varied.n_layers, varied.n_heads) == (2, 4, 2, 4)
    # the fixed-period model: cached, both layers zero-ablated, every head patched
    assert all({"cached", "ablated", "patched"} <= set(cell) for row in fixed.heads for cell in row)
    # the varied-period model: cached once, and only the claimed induction head ablated
    ablated = [
        (layer, head)
        for layer, row in enumerate(varied.heads)
        for head, c in enumerate(row)
        if "ablated" in c
    ]
    assert len(ablated) == 1 and ablated[0][0] == 1
    assert all(cell.get("cached") == 1 for row in varied.heads for cell in row)
    assert {p.name for p in fixed.points} >= {"hook_resid_pre", "hook_embed"}


def test_the_demo_pins_its_attention_plot_and_a_circuitsvis_view(demo):
    folder, store = demo
    pins = store.pins()
    assert [p.caption.split(":")[0] for p in pins] == [
        "Attention patterns, fixed period 10",
        "Layer 1 of the varied-period model",
    ]
    plot, view = (store.experiment(p.experiment_id) for p in pins)
    assert plot.outputs[pins[0].position].mime == "image/png"
    assert view.outputs[pins[1].position].mime == "text/html"
    page = (folder / "copying-heads-log.html").read_text()
    assert page.count('id="logbook-bundle-circuitsvis"') == 1 and 'data-bundle="circuitsvis"' in page
    assert "Pinned: Attention patterns, fixed period 10" in page


def test_another_seed_flags_the_layer0_heads_that_swapped_roles_as_drift(demo):
    folder, store = demo
    (surprise,) = [s for s in store.surprises("all") if s.kind == "drift"]  # one run, one surprise
    drifted = surprise.drift.moves
    assert {m.name for m in drifted} == {"head_importance_L0"}
    flipped = [m for m in drifted if m.change == "changed sign"]
    assert flipped and all(len(m.earlier) == 1 for m in flipped)
    assert all(m.earlier[0].value * m.value < 0 for m in flipped)
    rerun = nbformat.read(folder / "copying_heads.ipynb", as_version=4)
    scoring = next(c for c in rerun.cells if c.get("id") == "d41f7a22")
    cards = [o["data"][SURPRISE_MIME] for o in scoring.outputs if SURPRISE_MIME in o.get("data", {})]
    assert [card["kind"] for card in cards] == ["drift"] and len(cards[0]["drifts"]) == len(drifted)
    assert "seed 1: layer-0 head importance" in "".join(o.get("text", "") for o in scoring.outputs)


def test_progress_outside_a_terminal_is_a_line_per_cell():
    import io

    from logbook.demo.run import Progress

    stream = io.StringIO()
    progress = Progress(2, stream)
    progress.show("x = 1")
    progress.done = 1
    progress.show("y = 2")
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue() and len(lines) == 2
    assert lines[0].startswith("0/2 cells") and lines[1].endswith("y = 2")


def test_the_four_hypotheses_compete_and_the_period7_update_was_accepted(demo):
    folder, store = demo
    (copying,) = store.competing_sets()
    assert set(copying.credences) == {"H1", "H2", "H3", "H4"} and copying.something_else > 0
    assert abs(sum(copying.credences.values()) + copying.something_else - 1) < 1e-9
    assert copying.credences["H1"] == 0 and copying.credences["H3"] == 0.9
    period7 = next(p for p in store.hypothesis("H3").predictions if p.expression == "period7_loss > 3.0")
    assert period7.likelihoods["H1"] == 0.05
    (accepted,) = store.proposals("accepted")
    assert accepted.prediction_id == period7.id and accepted.held and accepted.ratio > 3
    assert accepted.after["H3"] > accepted.before["H3"] and "positional copying" in accepted.reason
    assert any("U%d accepted" % accepted.id in line.reason for line in store.hypothesis("H3").history)
    assert store.proposals("proposed")  # the other verdicts' proposals wait in the inbox
    assert main(["verify", "--db", str(folder / ".logbook" / "logbook.db")]) == 0


def test_the_last_cell_lists_the_logbook_from_the_shell(demo):
    folder, _ = demo
    notebook = nbformat.read(folder / "copying_heads.ipynb", as_version=4)
    last = [c for c in notebook.cells if c.cell_type == "code"][-1]
    shown = "".join(o.get("text", "") for o in last.outputs)
    assert "!logbook list" in last.source and "command not found" not in shown
    assert "5 hypotheses" in shown


def test_running_the_demo_again_into_its_logbook_adds_no_surprise(demo):
    """Last in this module: it runs the notebook a second time into the same logbook, as Restart & Run All."""
    folder, store = demo
    before = [(s.id, s.status.value, s.runs) for s in store.surprises("all")]
    experiments = store.count("experiments")
    _, errors = run_demo(folder, again=True)
    assert errors == 0, "every cell runs again cleanly"
    with Store(folder / ".logbook" / "logbook.db") as again:
        assert again.count("experiments") > experiments
        assert [(s.id, s.status.value, s.runs) for s in again.surprises("all")] == before, (
            "nothing new: no news"
        )
