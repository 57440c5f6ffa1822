"""Search: one full-text index over hypotheses, predictions, surprises and their explanations, notes and cells;
results grouped by kind with the line that matched."""

import sqlite3

import pytest
from sqlite_utils import Database

from logbook.cli.main import main
from logbook.errors import LogbookError
from logbook.store.core import Store
from logbook.store.schema import migrations
from tests.server.test_routes import api, jp_server_config, logbook_file  # noqa: F401  (fixtures)

pytest_plugins = ["pytest_jupyter.jupyter_server"]

TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "<cell>", line 3, in normalise_logits\n'
    "ZeroDivisionError: division by zero\n"
)


def failed_cell(source="ratio = normalise_logits(x)", **extra) -> dict:
    return {
        "source": source,
        "started_at": "2026-01-01T00:00:00+00:00",
        "duration_ms": 1.0,
        "ok": 0,
        "error_name": "ZeroDivisionError",
        "error_value": "division by zero",
        "traceback": TRACEBACK,
        **extra,
    }


def test_errors_are_found_by_name_message_and_traceback(store):
    with store.transaction():
        clean = {
            k: v for k, v in failed_cell().items() if k not in ("error_name", "error_value", "traceback")
        }
        store.insert_experiment({**clean, "ok": 1}, [])
        store.insert_experiment(failed_cell(), [])
        store.insert_experiment(failed_cell("warn()", ok=1, stderr="RuntimeWarning: overflow in exp"), [])
    assert [e.id for e in store.search_experiments("ZeroDivisionError")] == [2, 3]
    assert [e.id for e in store.search_experiments("division by zero")] == [2, 3]
    assert [e.id for e in store.search_experiments("normalise_logits line 3")] == [2, 3]
    assert [e.id for e in store.search_experiments("RuntimeWarning")] == [3]
    total, rows = store.experiment_rows(query="zerodivisionerror")
    assert total == 2 and [r["id"] for r in rows] == [3, 2]


def test_search_on_the_command_line_finds_errors(store, capsys):
    with store.transaction():
        store.insert_experiment(failed_cell(), [])
    assert main(["search", "ZeroDivisionError"]) == 0
    assert "ratio = normalise_logits(x)" in capsys.readouterr().out


def test_an_older_logbook_is_reindexed_with_its_errors(tmp_path):
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m009_search_errors")
    old["experiments"].insert(failed_cell())
    old.close()
    with Store(path) as store:
        assert [e.source for e in store.search_experiments("ZeroDivisionError")] == [
            "ratio = normalise_logits(x)"
        ]
        with store.transaction():
            store.insert_experiment(failed_cell("second()"), [])
            store.db.execute("UPDATE experiments SET error_name = 'KeyError' WHERE id = 1")
            store.db.execute("DELETE FROM experiments WHERE id = 2")
        # The triggers keep the index in step with inserts, updates and deletes.
        assert [e.id for e in store.search_experiments("KeyError")] == [1]
        assert store.search_experiments("second") == []


# -- one index over everything written -------------------------------------------------------


def cell(source: str, **extra) -> dict:
    return {"source": source, "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1, **extra}


def written(store) -> dict:
    """A small logbook with one of every kind, each saying something the others do not."""
    h1 = store.add_hypothesis("Layer 1 head 4 is an induction head", 0.6)
    store.add_hypothesis(
        "The model copies by position",
        0.3,
    )
    store.add_prediction(h1.id, "induction_score[1, 4] > 0.6", 0.8)
    store.add_prediction(h1.id, "Ablating L1H4 breaks the repeated half", 0.7, kind="text")
    with store.transaction():
        experiment = store.insert_experiment(
            cell(
                "import torch\nscores = attention_stripes(cache)\nablated = ablate_head(model, 1, 4)",
                notebook="/project/analysis.ipynb",
                execution_count=7,
                stdout="repeated tokens: 50\nlogit difference after ablation: 0.12",
            ),
            [],
        )
    surprise = store.add_manual_surprise("loss went up on the unrepeated half too", experiment_id=experiment)
    store.resolve_surprise(
        surprise.id,
        "explained",
        explanation="the tokenizer splits the\nrepeated block at a positional boundary",
    )
    store.add_note("checked the positional embedding norms: flat", hypothesis_id="H2")
    return {"experiment": experiment, "surprise": surprise.id}


def test_every_kind_is_found_with_the_line_that_matched(store):
    ids = written(store)
    found = store.search("induction")
    assert [g.kind for g in found.groups] == ["hypothesis", "prediction"]
    (h,) = found.hits("hypothesis")
    assert (h.id, h.field, h.line, h.marked()) == (
        "H1",
        "statement",
        1,
        "Layer 1 head 4 is an «induction» head",
    )
    assert h.about == "active · credence 0.60" and h.hypothesis_id == "H1"
    (p,) = found.hits("prediction")
    assert (p.id, p.field, p.marked()) == ("H1.P1", "expression", "«induction»_score[1, 4] > 0.6")
    assert p.hypothesis_id == "H1" and p.about.startswith("pending · H1: Layer 1 head 4")

    (words,) = store.search("repeated half").hits("prediction")
    assert (words.id, words.field, words.marked()) == (
        "H1.P2",
        "prediction",
        "Ablating L1H4 breaks the «repeated» «half»",
    )

    # A surprise's explanation, on the line of it that matched.
    (s,) = store.search("positional boundary").hits("surprise")
    assert (s.id, s.field, s.line, s.marked()) == (
        f"S{ids['surprise']}",
        "explanation",
        2,
        "repeated block at a «positional» «boundary»",
    )
    assert s.about == "flagged by hand · explained" and s.surprise_id == ids["surprise"]
    (s,) = store.search("unrepeated").hits("surprise")
    assert (s.field, s.marked()) == ("note", "loss went up on the «unrepeated» half too")

    (n,) = store.search("embedding norms").hits("note")
    assert (n.id, n.field, n.marked(), n.hypothesis_id) == (
        "N1",
        "note",
        "checked the positional «embedding» «norms»: flat",
        "H2",
    )
    assert n.about == "on H2: The model copies by position"

    # Code: the line of the source that matched, with its number; outputs name the cell they came from.
    (e,) = store.search("ablate_head").hits("experiment")
    assert (e.id, e.field, e.line, e.marked()) == (
        f"#{ids['experiment']}",
        "source",
        3,
        "ablated = «ablate_head»(model, 1, 4)",
    )
    assert e.about == "analysis.ipynb [7]" and e.notebook == "/project/analysis.ipynb" and e.status == "ok"
    (e,) = store.search("logit difference").hits("experiment")
    assert (e.field, e.line, e.marked()) == ("stdout", 2, "«logit» «difference» after ablation: 0.12")
    assert e.about == "analysis.ipynb [7] · import torch"


def test_a_long_line_is_cut_to_the_match_with_its_context(store):
    long = "a" * 300 + " the needle sits here " + "b" * 300
    with store.transaction():
        store.insert_experiment(cell(f"x = 1\n    {long}"), [])
    (hit,) = store.search("needle").hits()
    assert hit.line == 2 and hit.text.startswith("…") and hit.text.endswith("…")
    assert len(hit.text) <= 122
    ((start, end),) = hit.marks
    assert hit.text[start:end] == "needle"
    assert hit.text[start - 4 : start] == "the " and "sits here" in hit.text


def test_results_come_grouped_by_kind_best_match_first(store):
    for n in range(7):
        store.add_hypothesis(
            f"hypothesis {n} about attention" + (" heads attention heads" if n == 3 else ""), 0.5
        )
    store.add_note("attention is all this note says")
    with store.transaction():
        store.insert_experiment(cell("attention = model.blocks[0].attn"), [])
    found = store.search("attention", limit=3)
    assert [(g.kind, g.total, g.ranked, len(g.hits)) for g in found.groups] == [
        ("hypothesis", 7, 7, 3),
        ("note", 1, 1, 1),
        ("experiment", 1, 1, 1),
    ]
    assert found.hits("hypothesis")[0].id == "H4"  # the word twice in a short statement ranks first
    assert found.total == 9
    more = store.search("attention", kinds=["hypothesis"], limit=3, offset=3)
    assert [g.kind for g in more.groups] == ["hypothesis"] and more.groups[0].offset == 3
    assert not {h.id for h in more.hits()} & {h.id for h in found.hits("hypothesis")}
    assert repr(found).splitlines()[0] == "Hypotheses (7, showing 1-3)"
    assert str(found) == "search  'attention'  (7 hypotheses, 1 note, 1 experiment)"


def test_many_matches_rank_the_newest(store, monkeypatch):
    from logbook.store.tables import search

    monkeypatch.setattr(search, "RANKED", 4)
    with store.transaction():
        for n in range(10):
            store.insert_experiment(cell("probe = probe(probe)" if n == 2 else f"probe_{n} = {n}"), [])
    (group,) = store.search("probe").groups
    assert (group.total, group.ranked) == (10, 4)
    assert {h.experiment_id for h in group.hits} <= {7, 8, 9, 10}


def test_a_record_written_later_is_found_and_an_edit_moves_it(store):
    ids = written(store)
    assert store.search("saturates", kinds=["prediction", "surprise"]).groups == []
    later = store.add_manual_surprise("the probe saturates at layer 2")
    assert [h.id for h in store.search("saturates").hits()] == [f"S{later.id}"]
    store.resolve_surprise(later.id, "explained", explanation="a clipped softmax temperature")
    (hit,) = store.search("softmax").hits()
    assert (hit.id, hit.field) == (f"S{later.id}", "explanation")
    # A prediction edited before its first verdict says only its new text.
    store.update_prediction("H1.P1", "induction_score[1, 4] > 0.9 and copying_score > 0.5")
    assert [h.id for h in store.search("copying_score").hits()] == ["H1.P1"]
    assert store.search("0.6", kinds=["prediction"]).groups == []
    store.add_prediction("H2", "position_score > 0.5", 0.6)
    assert [h.id for h in store.search("position_score").hits()] == ["H2.P1"]
    # Re-runs, read flags and recording times change no text: the index is left alone, and stays whole.
    with store.transaction():
        store.set_record_ms(ids["experiment"], 3.0)
    store.mark_surprise_read(later.id)
    with store.transaction():
        store.db.execute("DELETE FROM notes WHERE id = 1")
    assert store.search("embedding").groups == []
    assert [h.id for h in store.search("attention_stripes").hits()] == [f"#{ids['experiment']}"]
    store.db.execute("INSERT INTO search_index (search_index) VALUES ('integrity-check')")


def test_an_older_logbook_is_indexed_when_it_opens(tmp_path):
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m024_search_everything")
    old["hypotheses"].insert(
        {
            "id": "H1",
            "seq": 1,
            "statement": "copying is positional",
            "credence": 0.5,
            "status": "active",
            "created_at": "2026-01-01",
        }
    )
    old["predictions"].insert(
        {
            "id": "H1.P1",
            "hypothesis_id": "H1",
            "seq": 1,
            "kind": "expression",
            "expression": "copy_score < 0.2",
            "credence": 0.8,
            "created_at": "2026-01-01",
            "state": "failed",
        }
    )
    old["surprises"].insert(
        {
            "hypothesis_id": "H1",
            "prediction": "copy_score < 0.2",
            "created_at": "2026-01-01",
            "explanation": "the cache held stale activations",
            "status": "explained",
            "resolution": "explained",
        }
    )
    old["notes"].insert({"text": "rerun with a fresh cache", "created_at": "2026-01-01"})
    old["experiments"].insert(failed_cell())
    old.close()
    with Store(path) as store:
        assert {h.id for h in store.search("stale activations").hits()} == {"S1"}
        assert [g.kind for g in store.search("cache").groups] == ["surprise", "note"]
        assert [h.id for h in store.search("copy_score").hits()] == ["H1.P1", "S1"]
        assert [h.field for h in store.search("ZeroDivisionError").hits()] == ["error"]
        assert "experiments_fts" not in store.db.table_names()
        store.add_note("a note after the upgrade")
        assert [h.id for h in store.search("upgrade").hits()] == ["N2"]


HOSTILE = [
    '"',
    '"unbalanced',
    'induction"',
    "AND",
    "OR NOT",
    "NEAR(induction head, 2)",
    "*",
    "induc*",
    "statement:induction",
    "^induction",
    "-induction",
    "(((",
    "'; DROP TABLE hypotheses; --",
    "\x00nul\x00",
    "\ud800 lone surrogate",
    "🙂 emoji",
    "x" * 1500,
    " ".join(["word"] * 40),
    "a" * 3000,
    "",
    "   ",
]


def test_hostile_queries_are_plain_words_or_a_clear_error(store):
    written(store)
    for query in HOSTILE:
        try:
            found = store.search(query)
        except LogbookError as error:
            message = str(error)
            assert message.startswith(
                ("nothing to search for", "the search has", "the search is too long")
            ), message
        else:
            assert isinstance(found.groups, list), query
    assert [h.id for h in store.search('NEAR("induction head"*)').hits()] == []  # "near" is a word here
    assert [h.id for h in store.search('("induction head"*)').hits("hypothesis")] == ["H1"]
    assert [h.id for h in store.search('"induction').hits("hypothesis")] == ["H1"]
    assert [h.id for h in store.search("statement:induction").hits()] == []  # "statement" is a word here
    with pytest.raises(LogbookError, match="nothing to search for in '\\(\\(\\('"):
        store.search("(((")
    with pytest.raises(LogbookError, match="unknown kind 'cell'"):
        store.search("x", kinds=["cell"])
    with pytest.raises(LogbookError, match="limit must be 1 or more"):
        store.search("x", limit=0)


def test_short_words_match_whole_words_and_endings_are_found(store):
    with store.transaction():
        store.insert_experiment(cell("x = 1\nxyz = 2"), [])
        store.insert_experiment(cell("print('running the sweep')"), [])
    (hit,) = store.search("x").hits()
    assert (hit.line, hit.marked()) == (1, "«x» = 1")
    (hit,) = store.search("runs").hits()  # stemmed: runs, running
    assert hit.marked() == "print('«running» the sweep')"


def test_search_on_the_command_line_groups_by_kind(store, capsys):
    ids = written(store)
    assert main(["search", "repeated"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Predictions (1)"
    assert out[1] == "  H1.P2  prediction: Ablating L1H4 breaks the «repeated» half"
    assert (
        "Surprises (1)" in out
        and f"  S{ids['surprise']}  explanation: «repeated» block at a positional boundary" in out
    )
    assert "Experiments (1)" in out and f"  #{ids['experiment']}  stdout: «repeated» tokens: 50" in out
    assert main(["search", "ablated", "--kind", "experiment"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        "Experiments (1)",
        f"  #{ids['experiment']}  L3: «ablated» = ablate_head(model, 1, 4)",
    ]
    assert main(["search", '"(']) == 2
    assert "nothing to search for" in capsys.readouterr().err
    assert main(["search", "nowhere"]) == 1


def test_search_from_python(logbook_db):
    import logbook

    logbook.hypothesis("Residual stream norms grow with depth", credence=0.5)
    found = logbook.search("norms")
    assert [h.id for h in found.hits()] == ["H1"]
    assert logbook.search("norms", kind="surprise").groups == []
    assert "Hypotheses (1)" in found._repr_html_()


# -- the REST route the sidebar searches with --------------------------------------------------


async def test_the_search_route_answers_grouped_hits(api, logbook_file):  # noqa: F811
    with Store(logbook_file) as store:
        ids = written(store)
    status, found = await api("GET", "search", q="repeated")
    assert status == 200 and found["query"] == "repeated"
    assert [(g["kind"], g["total"]) for g in found["groups"]] == [
        ("prediction", 1),
        ("surprise", 1),
        ("experiment", 1),
    ]
    surprise = found["groups"][1]["hits"][0]
    assert surprise["surprise_id"] == ids["surprise"] and surprise["field"] == "explanation"
    assert surprise["text"][slice(*surprise["marks"][0])] == "repeated"
    experiment = found["groups"][2]["hits"][0]
    assert (
        experiment["experiment_id"] == ids["experiment"] and experiment["lab_path"] is None
    )  # outside the root
    status, only = await api("GET", "search", q="repeated", kind="surprise", limit="1")
    assert [g["kind"] for g in only["groups"]] == ["surprise"]


async def test_the_search_route_never_fails_on_a_hostile_query(api, logbook_file):  # noqa: F811
    with Store(logbook_file) as store:
        written(store)
    for query in HOSTILE:
        if "\ud800" in query:
            continue  # a URL cannot carry a lone surrogate
        status, body = await api("GET", "search", q=query)
        assert status in (200, 400), (query, status, body)
        if status == 400:
            assert body["message"].startswith(("nothing to search for", "the search")), body
    status, body = await api("GET", "search", q="((( ***")
    assert status == 400 and "a search matches words and numbers, not punctuation" in body["message"]
    assert (await api("GET", "search", q="x", kind="cells"))[0] == 400
    assert (await api("GET", "search", q="x", limit="0"))[0] == 400
