"""A hook left attached marks every later result computed with it: under the cell, in the record, in the report.

Runs against whichever TransformerLens is installed (TransformerBridge on
transformer-lens 4, HookedTransformer on 3), in a real kernel.
"""

import json
import re

import pytest

from kernel_hooks.hooks_left import resolve_left_by, running_message
from logbook.report.markdown import markdown_report
from logbook.store.core import Store
from tests.support.notebooks import outputs_of, run_notebook

BUILD_MODEL = """
import functools, importlib.metadata, torch
config = dict(n_layers=2, d_model=32, n_heads=2, d_head=16, d_vocab=20, n_ctx=16, attn_only=True)
if int(importlib.metadata.version("transformer_lens").split(".")[0]) < 4:
    from transformer_lens import HookedTransformer, HookedTransformerConfig
    gpt = HookedTransformer(HookedTransformerConfig(act_fn="relu", seed=0, **config))
else:
    from transformer_lens.model_bridge import TransformerBridge
    gpt = TransformerBridge.boot_native(dict(config, act_fn="relu", seed=0))
tokens = torch.randint(0, 20, (1, 12), generator=torch.Generator().manual_seed(0))
"""

CELLS = [
    BUILD_MODEL,  # [2]
    "def ablate_head(z, hook, head):\n"  # [3]: raises inside run_with_hooks, before reset_hooks
    "    z[:, :, head] = 0\n"
    "    return z\n"
    "def wrong_shape(z, hook):\n"
    "    assert z.shape[-1] == 64, f'expected d_head 64, got {z.shape[-1]}'\n"
    "gpt.blocks[0].attn.hook_z.add_hook(functools.partial(ablate_head, head=1))\n"
    "gpt.run_with_hooks(tokens, fwd_hooks=[('blocks.1.attn.hook_z', wrong_shape)])\n"
    "gpt.reset_hooks()",
    "later = gpt(tokens)",  # [4]: computed with the hook
    "plain = 1 + 1",  # [5]: no model ran
    "logits, cache = gpt.run_with_cache(tokens)",  # [6]: computed with the hook
    "before_reset = gpt(tokens)\ngpt.reset_hooks()",  # [7]: ran with it, then removed it
    "clean = gpt(tokens)\nthe_hook_changed_results = bool((later - clean).abs().max() > 0)",  # [8]
]


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    pytest.importorskip("transformer_lens")
    folder = tmp_path_factory.mktemp("marks")
    db = folder / "logbook.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        notebook = run_notebook(CELLS, folder, timeout=300)
    with Store(db) as store:
        yield notebook.cells[1:], store


def _marks(cell) -> list[str]:
    text = "".join(o.get("text", "") for o in outputs_of(cell, "stream") if o["name"] == "stderr")
    return [line for line in text.splitlines() if line.startswith("logbook: this cell ran with")]


@pytest.mark.kernel
@pytest.mark.transformer_lens
def test_every_later_cell_whose_model_ran_with_the_hook_gets_one_line_naming_it_and_how_to_remove_it(marked):
    cells, _ = marked
    assert outputs_of(cells[1], "error")
    for index in (2, 4, 5):
        (line,) = _marks(cells[index])
        assert "blocks.0.attn.hook_z (ablate_head(head=1))" in line
        assert "left attached by cell [3]" in line and "Remove it with gpt.reset_hooks()" in line
    assert [_marks(cells[index]) for index in (0, 1, 3, 6)] == [[], [], [], []]


@pytest.mark.kernel
@pytest.mark.transformer_lens
def test_the_record_names_the_hook_and_the_experiment_that_left_it_until_it_is_removed(marked):
    _, store = marked
    experiments = store.experiments(limit=None, newest_first=False)
    leaving = experiments[1]
    assert [h["function"] for h in leaving.torch["hooks_left"]] == ["ablate_head(head=1)"]
    for later in (experiments[2], experiments[4], experiments[5]):
        (hook,) = later.torch["running_with"]
        assert hook["left_by"] == {"cell": 3, "experiment": leaving.id}
        assert (hook["hook_point"], hook["model"]) == ("blocks.0.attn.hook_z", "gpt")
    assert all("running_with" not in e.torch for e in (experiments[3], experiments[6]))
    assert experiments[6].names["the_hook_changed_results"]["value"] is True


@pytest.mark.kernel
@pytest.mark.transformer_lens
def test_the_report_lists_the_results_computed_with_hooks_left_attached(marked):
    _, store = marked
    experiments = store.experiments(limit=None, newest_first=False)
    report = markdown_report(store)
    assert "[Results computed with hooks left attached](#hooks-left)" in report  # in the contents
    section = report[report.index("Results computed with hooks left attached\n") :]
    section = section[: section.index("\n## ")]
    assert "3 experiments ran a model" in section
    rows = [line for line in section.splitlines() if re.match(r"\| experiment \d", line)]
    assert [row.split(" |")[0] for row in rows] == [
        f"| experiment {e.id}" for e in (experiments[2], experiments[4], experiments[5])
    ]
    assert all("`blocks.0.attn.hook_z`" in row and "ablate_head(head=1)" in row for row in rows)
    assert all(f"cell [3] (experiment {experiments[1].id})" in row for row in rows)


def test_a_hook_whose_leaving_experiment_was_not_written_is_named_by_its_cell_alone():
    class Handle:
        id = None

    entry = {
        "hook_point": "blocks.0.attn.hook_z",
        "function": "f",
        "left_by": {"cell": 3, "experiment": Handle()},
    }
    activity = {"running_with": [entry]}
    assert resolve_left_by(activity)["running_with"][0]["left_by"] == {"cell": 3}
    Handle.id = 12
    assert resolve_left_by(activity)["running_with"][0]["left_by"] == {"cell": 3, "experiment": 12}
    assert "by cell [3]: blocks.0.attn.hook_z (f)" in running_message([entry])
    two = running_message([entry, {**entry, "function": "g", "left_by": {}, "model": "m"}])
    assert "2 TransformerLens hooks" in two and "by an earlier cell: blocks.0.attn.hook_z (g)" in two
    assert two.endswith("Remove them with m.reset_hooks()")


def _experiment(store, source, torch, count):
    row = {"source": source, "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1}
    return store.insert_experiment({**row, "execution_count": count, "torch": json.dumps(torch)}, [])


def test_the_report_links_an_affected_experiment_it_shows_and_says_so_when_none_was_affected(store):
    assert "No result was computed with a hook left attached." in markdown_report(store)
    hook = {"hook_point": "blocks.0.attn.hook_z", "function": "zero | pipe", "direction": "fwd"}
    with store.transaction():
        leaving = _experiment(store, "model.add_hook(...)\nmodel(bad)", {"hooks_left": [hook]}, 3)
        later = _experiment(
            store,
            "x = model(tokens)",
            {"running_with": [{**hook, "left_by": {"cell": 3, "experiment": leaving}}]},
            4,
        )
        _experiment(store, "y = model(tokens)", {"running_with": [hook]}, 5)  # an older record: no left_by
    store.add_note("odd logits here", experiment_id=later)
    report = markdown_report(store)
    assert "Hooks left attached: 2 experiments computed with a TransformerLens hook" in report  # the overview
    section = report[report.index("Results computed with hooks left attached\n") :]
    first, second = [line for line in section.splitlines() if re.match(r"\| \[?experiment \d", line)]
    assert first.startswith(f"| [experiment {later}](#e{later}) | [4] `x = model(tokens)` |")
    assert "`zero \\| pipe`" in first and first.endswith(f"| cell [3] (experiment {leaving}) |")
    assert second.endswith("| an earlier cell |")


@pytest.mark.transformer_lens
def test_a_model_and_a_module_wrapping_it_both_carry_the_hook_left_on_it():
    pytest.importorskip("transformer_lens")
    import torch

    from kernel_hooks.torch_activity import TorchActivity

    namespace: dict = {}
    exec(BUILD_MODEL, namespace)
    gpt, tokens = namespace["gpt"], namespace["tokens"]

    class Pipeline(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, tokens):
            return self.model(tokens)

    pipeline = Pipeline(gpt)
    user = {"gpt": gpt, "pipeline": pipeline, "tokens": tokens}
    activity = TorchActivity()
    try:
        activity.start(user)
        gpt.blocks[0].attn.hook_z.add_hook(lambda z, hook: z * 0)
        assert activity.stop()["hooks_left"][0]["hook_point"] == "blocks.0.attn.hook_z"
        activity.left.left_by(3, None)
        ran = []
        for run in (lambda: pipeline(tokens), lambda: gpt(tokens), lambda: None):
            activity.start(user)
            run()
            ran.append([(h["model"], h["left_by"]) for h in activity.stop().get("running_with", [])])
        assert ran == [[("pipeline", {"cell": 3})], [("gpt", {"cell": 3})], []]
    finally:
        gpt.reset_hooks()
        activity.unpatch_libraries()
