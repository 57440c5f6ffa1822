"""README's notebook examples run as written, and do what README says."""

import json
import re
from pathlib import Path

import pytest

from logbook.store import Store

from .notebooks import run_notebook

pytestmark = pytest.mark.kernel

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_cells() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_examples_run_and_record_what_it_describes(tmp_path, monkeypatch):
    cells = readme_cells()
    assert cells[0].strip() == "%load_ext kernel_hooks" and len(cells) >= 5
    db = tmp_path / "logbook.db"
    monkeypatch.setenv("LOGBOOK_DB", str(db))
    notebook = run_notebook(cells, tmp_path, load=False)
    errors = [o for cell in notebook.cells for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    with Store(db) as store:
        (surprise,) = [s for s in store.surprises() if not s.manual]
        assert surprise.prediction == "prev_token_score > 0.5"
        assert round(surprise.surprisal_bits, 2) == 3.32
        (evidence,) = store.evidence()
        assert evidence.hypothesis_id == "H2"
        measured = store.experiment(evidence.experiment_id)
        assert measured.source.startswith("positional_score = 0.8")
        assert store.prediction(evidence.prediction_id).created_at < measured.started_at
        h1 = store.hypothesis("H1")
        assert h1.status.value == "refuted"
        assert [c.credence for c in h1.history] == [0.7, 0.3, 0.0]
        assert [s.note for s in store.surprises() if s.manual] == [
            "head 0.1 attends to BOS on every other sequence"
        ]
        assert [n.text for n in store.notes()] == ["try a varied repeat period next"]
        (brainstorm,) = store.brainstorms()
        assert brainstorm.hypothesis_ids == ["H3", "H4"] and brainstorm.target == 4
        (hooked,) = [e for e in store.experiments(limit=None) if "model.run_with_hooks" in e.source]
        shown = json.loads(
            re.search(r"```json\n(\{\"module_calls\".*?)```", README.read_text(), re.S).group(1)
        )
        assert hooked.torch["hooks"] == shown["hooks"] and hooked.torch["touched"] == shown["touched"]
        identity = hooked.torch["models"][0]["identity"]
        assert {key: identity[key] for key in shown["models"][0]["identity"]} == shown["models"][0][
            "identity"
        ]
    exported = json.loads((tmp_path / "research-log.json").read_text())
    assert [h["id"] for h in exported["hypotheses"]] == ["H1", "H2", "H3", "H4"]
