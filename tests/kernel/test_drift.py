"""Unpredicted surprises: a cell's values that drift from its earlier runs of the same code are flagged."""

import time

import pytest

from logbook.audit.verify import verify_logbook
from logbook.cli.main import main
from logbook.store.core import Store
from tests.support.notebooks import outputs_of, run_in_order

pytestmark = pytest.mark.kernel

DRIFT_MIME = "application/vnd.logbook.surprise+json"


def drift_cards(cell) -> list[dict]:
    return [
        o["data"][DRIFT_MIME]
        for o in outputs_of(cell, "display_data")
        if DRIFT_MIME in o["data"] and o["data"][DRIFT_MIME].get("kind") == "drift"
    ]


@pytest.fixture(scope="module")
def drifted(tmp_path_factory):
    """One kernel: a seeded cell re-run with other seeds, a cell that starts raising, a shape change, NaN."""
    folder = tmp_path_factory.mktemp("drift")
    db = folder / ".logbook" / "logbook.db"
    cells = [
        "import numpy as np\nimport logbook\nseed = 0\nh = logbook.hypothesis('the gap is positive', credence=0.6)",
        "rng = np.random.default_rng(seed)\ngap = 1.0 + rng.normal(0, 0.01)\nsteady = 3.0",  # 1
        "seed = 1",  # 2
        "gap = -gap  # a bug: the sign is flipped",  # 3, not the same source as 1
        "flaky = 1 / divisor",  # 4
        "divisor = 1",  # 5
        "divisor = 0",  # 6
        "acts = np.ones(width)\nacts[0] = bad",  # 7
        "width, bad = 4, 1.0",  # 8
        "width, bad = 5, 1.0",  # 9
        "width, bad = 5, float('nan')",  # 10
        "gap = 0.5 - 2 * rng.random()  # a random draw, no seed\nnoise = gap",  # 11
    ]
    order = [0, 1, 1, 1, 1, 5, 4, 4, 6, 4, 8, 7, 7, 9, 7, 10, 7]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        runs = run_in_order(cells, order, folder)
    with Store(db) as store:
        yield runs, store


def drifts(store, note_start=""):
    return [s for s in store.surprises("all") if s.kind == "drift" and s.note.startswith(note_start)]


def test_rerunning_an_unchanged_deterministic_cell_flags_nothing(drifted):
    runs, store = drifted
    assert all(not drift_cards(cell) for cell in runs[1:5])
    assert not drifts(store, "steady") and not drifts(store, "gap")


def test_a_drift_card_names_each_earlier_run_by_its_experiment_even_when_cells_run_back_to_back(drifted):
    """The writer batches cells; a card shown before its earlier runs were written still names them."""
    runs, store = drifted
    cards = [card for cell in runs for card in drift_cards(cell)]
    assert cards
    stored = {e.id for e in store.experiments(limit=1000)}
    for card in cards:
        for move in card["drifts"]:
            ids = [earlier["experiment_id"] for earlier in move["earlier"]]
            assert ids and all(isinstance(i, int) and i in stored for i in ids), move


def test_a_cell_that_newly_raises_is_drift(drifted):
    runs, store = drifted
    (surprise,) = drifts(store, "(error)")
    assert surprise.note == "(error) newly raises ZeroDivisionError"
    assert [e.value for e in surprise.drift.earlier] == [None, None]
    assert drift_cards(runs[9])[0]["drifts"][0]["note"] == "(error) newly raises ZeroDivisionError"


def test_a_run_the_researcher_interrupted_is_neither_drift_nor_a_baseline(tmp_path):
    cells = [
        "stop = False",
        "x = 1\nif stop:\n    raise KeyboardInterrupt  # as Ctrl-C, or a restart, mid-cell",
        "stop = True",
    ]
    db = tmp_path / ".logbook" / "logbook.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        runs = run_in_order(cells, [0, 1, 1, 2, 1, 0, 1], tmp_path)
    assert outputs_of(runs[4], "error")[0]["ename"] == "KeyboardInterrupt"
    assert all(not drift_cards(cell) for cell in runs)
    with Store(db) as store:
        assert not drifts(store) and len(store.experiments(limit=None)) == 7


def test_a_shape_change_is_drift_and_its_statistics_are_not_compared_across_it(drifted):
    _, store = drifted
    (surprise,) = drifts(store, "acts")[:1]
    assert surprise.note == "acts.shape changed shape from [4] to [5]"
    assert [e.value for e in surprise.drift.earlier] == [[4], [4]]
    assert [s.note for s in drifts(store, "acts")][1:] == ["acts.nan newly contains NaN (1)"]


def test_a_drift_surprise_is_distinct_from_a_failed_prediction_and_verifies(drifted):
    _, store = drifted
    for surprise in drifts(store):
        assert surprise.prediction_id is None and surprise.hypothesis_id is None and not surprise.manual
        assert surprise.experiment_id is not None and surprise.status.value == "open"
    assert verify_logbook(store).ok
    exported = store.export()
    assert {s.kind for s in exported.surprises} == {"drift"}


def demo_functions() -> str:
    """The demo notebook's cell that defines the task, training and scoring."""
    import nbformat

    from logbook.demo.run import demo_notebook

    notebook = nbformat.read(demo_notebook(), as_version=4)
    return next(c.source for c in notebook.cells if c.source.startswith("VOCAB, LENGTH"))


SCORE_HEADS = """\
def zero_head(z, hook, head):
    z[:, :, head] = 0.0
    return z


def head_importance(model, tokens, layer=0):
    clean = loss_with(model, tokens)
    hook = f"blocks.{layer}.attn.hook_z"
    effect = torch.tensor(
        [loss_with(model, tokens, [(hook, functools.partial(zero_head, head=h))]) - clean for h in range(4)]
    )
    return effect - effect.mean()


test_tokens = make_batch(64, fixed=True, generator=torch.Generator().manual_seed(123))
seed = 0"""


@pytest.mark.transformer_lens
def test_training_with_another_seed_flags_the_head_scores_that_changed_sign(tmp_path, monkeypatch):
    pytest.importorskip("transformer_lens")
    db = tmp_path / ".logbook" / "logbook.db"
    monkeypatch.setenv("LOGBOOK_DB", str(db))
    cells = [
        "import functools\nimport torch\nfrom transformer_lens.model_bridge import TransformerBridge\n"
        + demo_functions(),
        SCORE_HEADS,
        "head_importance_L0 = head_importance(train(fixed=True, steps=150, seed=seed)[0], test_tokens)",
        "seed = 1",
    ]
    runs = run_in_order(cells, [0, 1, 2, 3, 2], tmp_path, timeout=600)
    with Store(db) as store:
        scored = [
            e for e in store.experiments(limit=None, newest_first=False) if "head_importance_L0" in e.names
        ]
        first, second = [e.names["head_importance_L0"]["values"] for e in scored]
        flipped = {f"[{i}]" for i, (a, b) in enumerate(zip(first, second)) if a * b < 0}
        assert flipped, "the two seeds should disagree about some head"
        (surprise,) = drifts(store, "head_importance_L0")  # one run, one surprise, however many moved
        found = {m.part: m for m in surprise.drift.moves}
        first_run = scored[0].id
    signs = {part for part, m in found.items() if m.change == "changed sign"}
    assert signs == flipped
    for part in signs:
        (earlier,) = found[part].earlier
        assert earlier.experiment_id == first_run and earlier.value == first[int(part[1:-1])]
    assert not drift_cards(runs[2]) and len(drift_cards(runs[4])[0]["drifts"]) == len(found)


def test_a_value_marked_as_expected_to_vary_is_not_flagged_again(tmp_path, monkeypatch):
    db = tmp_path / ".logbook" / "logbook.db"
    monkeypatch.setenv("LOGBOOK_DB", str(db))
    marked = []

    def mark_expected():
        deadline = time.monotonic() + 20
        with Store(db) as store:
            while not drifts(store, "noise") and time.monotonic() < deadline:
                time.sleep(0.05)
            (surprise,) = drifts(store, "noise")
            marked.append(store.expect_drift(surprise.id))

    cells = [
        "tick = 1",
        "noise = tick ** 2  # a timing, say",
        "tick = 3",
        "tick = 5",
        "import time\nfrom logbook.api import session\ndeadline = time.monotonic() + 20\n"
        "while not session.recorder.history.expected and time.monotonic() < deadline:\n    time.sleep(0.05)",
    ]
    runs = run_in_order(cells, [0, 1, 2, 1, mark_expected, 4, 3, 1], tmp_path)
    assert drift_cards(runs[3]) and not drift_cards(runs[-1])
    assert marked[0].status.value == "explained"
    assert marked[0].explanation == "noise: changes of this size are expected here"
    with Store(db) as store:
        assert [s.note for s in drifts(store)] == ["noise moved 800% from its earlier runs"]
        assert store.cell_history(store.last_experiment_id()).expected == ["noise"]


def test_the_history_of_a_cell_shows_each_run_and_what_changed(drifted, capsys):
    _, store = drifted
    acts = [e for e in store.experiments(limit=None, newest_first=False) if e.source.startswith("acts")]
    history = store.cell_history(acts[-1].id)
    assert [r.experiment_id for r in history.runs] == [e.id for e in acts]
    assert [r.drift for r in history.runs] == [0, 0, 1, 1]
    shape = history.steps[1].values[0]
    assert (shape.name, shape.old["shape"], shape.new["shape"]) == ("acts", [4], [5])
    assert main(["history", "--db", str(store.path), str(acts[-1].id)]) == 0
    shown = capsys.readouterr().out
    assert f"== experiment {acts[1].id} -> {acts[2].id}" in shown
    assert "acts  float64 [4] [1, 1, 1, 1] -> float64 [5] [1, 1, 1, 1, 1]" in shown
    assert "Source: unchanged" in shown and "1 drift" in shown
