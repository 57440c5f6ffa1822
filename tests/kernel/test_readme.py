"""README's notebook examples run as written, and do what README says."""

import json
import re
from pathlib import Path

import pytest

from logbook.audit.verify import verify_logbook
from logbook.store.core import Store
from tests.support.notebooks import run_notebook

pytestmark = pytest.mark.kernel

README = Path(__file__).resolve().parents[2] / "README.md"


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
        closed = store.surprise(surprise.id)
        assert (closed.status.value, closed.resolution.value) == ("acted_on", "refuted")
        assert closed.explanation == "positional heads explain the copying"
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
        "brainstormed": [b.hypothesis_ids for b in store.brainstorms() if b.hypothesis_ids],
    }


def test_running_the_readme_twice_records_the_runs_again_not_the_beliefs(tmp_path, monkeypatch):
    db = tmp_path / "logbook.db"
    monkeypatch.setenv("LOGBOOK_DB", str(db))
    first = run_notebook(readme_cells(), tmp_path, load=False)
    with Store(db) as store:
        once, experiments, evidence = beliefs(store), store.count("experiments"), len(store.evidence())
    again = run_notebook(readme_cells(), tmp_path, load=False)  # Restart & Run All
    errors = [o for cell in again.cells for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    printed = "".join(o.get("text", "") for cell in again.cells for o in cell.outputs)
    assert "logbook: H1 already exists; using it" in printed
    assert "logbook: H1 is already refuted; nothing changed" in printed
    with Store(db) as store:
        assert beliefs(store) == once
        assert store.count("experiments") == 2 * experiments
        assert len(store.evidence()) == 2 * evidence  # H2.P1 judged again: a new verdict in its history
        (judged,) = store.hypothesis("H2").predictions
        assert [(v.held, v.count) for v in judged.verdicts] == [(True, 2)] and judged.first_verdict == "held"
        assert len(store.brainstorms()) == 2  # the second session, with the same hypotheses
        assert verify_logbook(store).problems == []
    assert "already" not in "".join(o.get("text", "") for cell in first.cells for o in cell.outputs)
