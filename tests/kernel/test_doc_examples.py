"""The documentation's notebook examples run as written, and do what the pages say.

docs/tour.md (Getting started) holds the tour's cells, which the README repeats;
docs/real-models.md (Real models) holds a TransformerLens cell and the record it
shows. They run in order in one kernel, as a reader would run them.
"""

import json
import re
from pathlib import Path

import pytest

from logbook.audit.verify import verify_logbook
from logbook.store.core import Store
from tests.support.notebooks import run_notebook

pytestmark = pytest.mark.kernel

DOCS = Path(__file__).resolve().parents[2] / "docs"
TOUR = DOCS / "tour.md"
REAL_MODELS = DOCS / "real-models.md"


def python_cells(page: Path) -> list[str]:
    """The page's ```python blocks, in order (```py blocks are shown, not run)."""
    return re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)


def doc_cells() -> list[str]:
    return python_cells(TOUR) + python_cells(REAL_MODELS)


def test_getting_started_and_real_models_examples_run_and_record_what_they_describe(tmp_path, monkeypatch):
    tour, real_models = python_cells(TOUR), python_cells(REAL_MODELS)
    assert tour[0].strip() == "%load_ext kernel_hooks" and len(tour) >= 5, "docs/tour.md"
    assert any("model.run_with_hooks" in cell for cell in real_models), "docs/real-models.md"
    cells = tour + real_models
    db = tmp_path / "logbook.db"
    monkeypatch.setenv("LOGBOOK_DB", str(db))
    notebook = run_notebook(cells, tmp_path, load=False)
    errors = [o for cell in notebook.cells for o in cell.outputs if o.output_type == "error"]
    assert errors == [], "a cell of docs/tour.md or docs/real-models.md raised"
    with Store(db) as store:
        # docs/tour.md: what the tour says each cell records
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
        closed = store.surprise(surprise.id)
        assert (closed.status.value, closed.resolution.value) == ("acted_on", "refuted")
        assert closed.explanation == "positional heads explain the copying"
        assert [s.note for s in store.surprises() if s.manual] == [
            "head 0.1 attends to BOS on every other sequence"
        ]
        assert [n.text for n in store.notes()] == ["try a varied repeat period next"]
        (brainstorm,) = store.brainstorms()
        assert brainstorm.hypothesis_ids == ["H3", "H4"] and brainstorm.target == 4
        # docs/real-models.md: the TransformerLens record shown beside its cells
        (hooked,) = [e for e in store.experiments(limit=None) if "model.run_with_hooks" in e.source]
        shown = json.loads(
            re.search(r"```json\n(\{\"module_calls\".*?)```", REAL_MODELS.read_text(), re.S).group(1)
        )
        assert hooked.torch["hooks"] == shown["hooks"] and hooked.torch["touched"] == shown["touched"]
        identity = hooked.torch["models"][0]["identity"]
        assert {key: identity[key] for key in shown["models"][0]["identity"]} == shown["models"][0][
            "identity"
        ]
    # docs/tour.md: the export its last cells write
    exported = json.loads((tmp_path / "research-log.json").read_text())
    assert [h["id"] for h in exported["hypotheses"]] == ["H1", "H2", "H3", "H4"]


def beliefs(store: Store) -> dict:
    """What a re-run must not copy: hypotheses, their histories and predictions, surprises, notes, modes."""
    return {
        "hypotheses": [
            (h.id, h.statement, h.status.value, [(c.credence, c.reason) for c in h.history])
            for h in store.hypotheses()
        ],
        "predictions": [
            (p.id, p.expression, p.credence, p.first_verdict)
            for h in store.hypotheses()
            for p in h.predictions
        ],
        "surprises": [(s.id, s.status.value, s.resolution) for s in store.surprises()],
        "notes": [n.text for n in store.notes()],
        "modes": [m.mode for m in store.modes()],
        "brainstormed": [b.hypothesis_ids for b in store.brainstorms()],
    }


def test_running_the_getting_started_tour_twice_records_the_runs_again_not_the_beliefs(tmp_path, monkeypatch):
    """docs/tour.md and docs/real-models.md run twice, as Restart & Run All would (Python API and magics: re-running)."""
    db = tmp_path / "logbook.db"
    monkeypatch.setenv("LOGBOOK_DB", str(db))
    first = run_notebook(doc_cells(), tmp_path, load=False)
    with Store(db) as store:
        once, experiments, evidence = beliefs(store), store.count("experiments"), len(store.evidence())
    again = run_notebook(doc_cells(), tmp_path, load=False)  # Restart & Run All
    errors = [o for cell in again.cells for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    printed = "".join(o.get("text", "") for cell in again.cells for o in cell.outputs)
    assert "logbook: H1 already exists; using it" in printed
    assert "logbook: H1 is already refuted; nothing changed" in printed
    assert "brainstorm: nothing new, H3, H4 are from brainstorm 1; not kept as another brainstorm" in printed
    with Store(db) as store:
        assert beliefs(store) == once
        assert store.count("experiments") == 2 * experiments
        assert len(store.evidence()) == 2 * evidence  # H2.P1 judged again: a new verdict in its history
        (judged,) = store.hypothesis("H2").predictions
        assert [(v.held, v.count) for v in judged.verdicts] == [(True, 2)] and judged.first_verdict == "held"
        assert len(store.brainstorms()) == 1  # the second run stated nothing new: no second brainstorm
        assert verify_logbook(store).problems == []
    assert "already" not in "".join(o.get("text", "") for cell in first.cells for o in cell.outputs)
