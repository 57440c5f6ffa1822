"""Signal, not noise, in real kernels: re-runs add to a surprise's history, not to the inbox."""

import pytest

from logbook.audit.verify import verify_logbook
from logbook.store.core import Store
from tests.support.notebooks import outputs_of, run_in_order

pytestmark = [pytest.mark.kernel, pytest.mark.transformer_lens]

SURPRISE_MIME = "application/vnd.logbook.surprise+json"

BELIEFS = """\
import torch, numpy as np, logbook
h = logbook.hypothesis("head 1 dominates layer 0", credence=0.7)
h.predict("head_scores.max() > 0.5", credence=0.8)
h.predict("arr.mean() > 0", credence=0.9)
h2 = logbook.hypothesis("layer 0 attends sharply", credence=0.6)
h2.predict("cache['blocks.0.attn.hook_pattern'].max() > 2", credence=0.7)
h2.predict("logits.softmax(-1).sum(-1).allclose(torch.ones(1, 12))", credence=0.9)"""

MODEL = """\
import functools, importlib.metadata
config = dict(n_layers=2, d_model=32, n_heads=2, d_head=16, d_vocab=20, n_ctx=16, attn_only=True)
if int(importlib.metadata.version("transformer_lens").split(".")[0]) < 4:
    from transformer_lens import HookedTransformer, HookedTransformerConfig
    model = HookedTransformer(HookedTransformerConfig(act_fn="relu", seed=0, **config))
else:
    from transformer_lens.model_bridge import TransformerBridge
    model = TransformerBridge.boot_native(dict(config, act_fn="relu", seed=0))
tokens = torch.randint(0, 20, (1, 12), generator=torch.Generator().manual_seed(0))
logits, cache = model.run_with_cache(tokens)"""

CELLS = [
    BELIEFS,
    "head_scores = torch.tensor([[0.1, 0.2], [0.3, 0.0038]])",
    "arr = np.arange(4.0)",
    MODEL,
    "seed = 0",
    "head_grid = torch.randn(12, 12, generator=torch.Generator().manual_seed(seed))",
    "seed = 1",
]


def cards(cell) -> list[dict]:
    return [o["data"][SURPRISE_MIME] for o in outputs_of(cell, "display_data") if SURPRISE_MIME in o["data"]]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """Every cell run three times in one kernel, then the notebook again in a fresh kernel."""
    pytest.importorskip("transformer_lens")
    folder = tmp_path_factory.mktemp("signal")
    db = folder / ".logbook" / "logbook.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        first = run_in_order(CELLS, [0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 5, 5], folder, timeout=300)
        again = run_in_order(CELLS, [0, 1, 2, 3, 4, 5, 6, 5], folder, timeout=300)
    with Store(db) as store:
        yield first, again, store


def test_a_prediction_on_torch_numpy_and_a_cache_is_judged_in_a_fresh_kernel(session):
    _, _, store = session
    predictions = {p.expression: p for h in store.hypotheses() for p in h.predictions}
    assert {e: (p.state.value, p.error) for e, p in predictions.items()} == {
        "head_scores.max() > 0.5": ("failed", None),
        "arr.mean() > 0": ("held", None),
        "cache['blocks.0.attn.hook_pattern'].max() > 2": ("failed", None),
        "logits.softmax(-1).sum(-1).allclose(torch.ones(1, 12))": ("held", None),
    }


def test_each_failing_prediction_is_one_surprise_however_often_it_fails_again(session):
    _, _, store = session
    failed = store.surprises("all")
    assert [s.kind for s in failed].count("prediction") == 2
    assert sorted(s.runs for s in failed if s.kind == "prediction") == [4, 4]  # three runs, then one more
    assert verify_logbook(store).ok


def test_the_card_under_the_cell_shows_the_values_that_decided_it_and_that_it_failed_again(session):
    first, _, _ = session
    first_card, again_card = cards(first[1])[0], cards(first[4])[0]
    assert first_card["steps"] == [
        {"text": "head_scores.max()", "value": "0.3"},
        {"text": "0.3 > 0.5", "value": "False"},
    ]
    assert (first_card["runs"], again_card["runs"]) == (1, 2)
    text = outputs_of(first[4], "display_data")[0]["data"]["text/plain"]
    assert "failed again: 2 runs in a row" in text and "head_scores.max() → 0.3" in text


def test_an_unchanged_deterministic_rerun_raises_no_drift_and_a_seed_change_raises_one(session):
    _, again, store = session
    drifts = [s for s in store.surprises("all") if s.kind == "drift"]
    (grid,) = drifts
    assert grid.note.startswith("head_grid[") and len(grid.drift.moves) > 10
    assert all(m.label.startswith("head_grid[") and ", " in m.label for m in grid.drift.moves)
    assert [len(cards(cell)) for cell in again[-2:]] == [0, 1]
