"""The inbox as signal, not noise, in JupyterLab and Chromium: the values that decided a verdict, a surprise
that failed again, every part of a drift, closing many surprises with one gesture, follow-ups that close what
they follow, refuting with a reason, verdicts in words on the selected cell, and cards under cells that know
their surprise was resolved. Screenshots at 250 and 400 px, light and dark, go to artifacts/inbox-*.png.

The tests share one JupyterLab over a seeded logbook; each acts on surprises of its own.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from logbook.store.core import Store
from tests.support.browser import ARTIFACTS, chromium
from tests.support.lab_server import browser_page, jupyter_lab, open_sidebar
from tests.support.seed import experiment, seed
from tests.support.sidebar_checks import (
    SIDEBAR,
    low_contrast,
    overflows,
    set_sidebar_width,
    set_theme,
    unnamed_controls,
)

pytest.importorskip("playwright")
pytestmark = pytest.mark.browser

STEPS = [{"text": "head_scores.max()", "value": "0.3"}, {"text": "0.3 > 0.5", "value": "False"}]
OBSERVED = {"head_scores": {"type": "torch.Tensor", "dtype": "float32", "shape": [12], "mean": 0.1}}
MOVES = [
    {"name": "scores", "part": "[1, 3]", "change": "changed sign", "value": -0.21},
    {
        "name": "cache",
        "part": "['blocks.0.attn.hook_pattern'].mean",
        "change": "moved 14 spreads",
        "value": 0.4,
    },
    {"name": "acts", "part": ".mean", "change": "moved 9 spreads", "value": 1.7},
    {"name": "loss", "part": "", "change": "moved 6 spreads", "value": 3.2},
    {"name": "logits", "part": ".shape", "change": "changed shape from [4] to [5]", "value": [5]},
    {"name": "probs", "part": "[0]", "change": "became NaN", "value": "nan"},
]


def move(m: dict, bits: float) -> dict:
    return {
        **m,
        "earlier": [{"experiment_id": 1, "value": 0.2}, {"experiment_id": 2, "value": 0.22}],
        "bits": bits,
        "hypotheses": [],
        "cell_key": "analysis.ipynb::cell-1",
    }


def fail(store: Store, prediction_id: str, bits: float, experiment_id: int | None, **extra) -> int:
    with store.transaction():
        return store.add_judgement(
            held=False,
            prediction=store.prediction(prediction_id),
            observed=extra.pop("observed", {"x": {"type": "int", "value": 0}}),
            surprisal_bits=bits,
            experiment_id=experiment_id,
            **extra,
        )


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    chromium()
    folder = tmp_path_factory.mktemp("inbox")
    root = folder / "project"
    (root / ".logbook").mkdir(parents=True)
    ids = seed(root / ".logbook" / "logbook.db")
    with Store(root / ".logbook" / "logbook.db") as store:
        ids["cell0"] = experiment(store, "head_scores = scores(model)", cell_id="cell-0", execution_count=4)
        store.add_hypothesis("Head 1.4 reads the previous token", 0.7)  # H6
        store.add_prediction("H6", "head_scores.max() > 0.5", 0.8)
        for _ in range(3):  # one surprise that failed again: three runs
            ids["steps"] = fail(store, "H6.P1", 2.32, ids["cell0"], observed=OBSERVED, steps=STEPS)
        with store.transaction():
            ids["drift"] = store.add_drift(
                ids["cell0"], {"moves": [move(m, 5.1 - k / 2) for k, m in enumerate(MOVES)]}, 5.1
            )
        store.add_hypothesis("Seeds do not matter here", 0.6)  # H7
        for k, bits in enumerate((1.5, 1.4, 0.51)):
            store.add_prediction("H7", f"seed_effect < {k}", 0.7)
            ids[f"bulk{k}"] = fail(store, f"H7.P{k + 1}", bits, ids["cell0"])
        with store.transaction():
            ids["drift2"] = store.add_drift(ids["cell0"], move(MOVES[3], 0.5), 0.5)
        # A cell with two runs and values expected to vary there.
        for n in range(2):
            ids["history"] = experiment(
                store, f"scores = run(seed={n})", cell_id="cell-9", cell_key="analysis.ipynb::cell-9"
            )
        store.expect_value("analysis.ipynb::cell-9", "scores[1, 3]", 0.02)
        store.expect_value("analysis.ipynb::cell-9", "loss")
    card = {
        "hypothesis_id": "H6",
        "prediction_id": "H6.P1",
        "statement": "Head 1.4 reads the previous token",
        "prediction": "head_scores.max() > 0.5",
        "credence": 0.8,
        "observed": OBSERVED,
        "steps": STEPS,
        "runs": 3,
        "surprisal_bits": 2.32,
        "execution_count": 4,
        "manual": False,
        "note": "",
    }
    drifts = [
        {**move(m, 5.1 - k / 2), "note": "6 values moved", "surprisal_bits": 5.1} for k, m in enumerate(MOVES)
    ]
    with Store(root / ".logbook" / "logbook.db") as store:
        drift_note = store.surprise(ids["drift"]).note
    for d in drifts:
        d["note"] = drift_note
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("head_scores = scores(model)", id="cell-0", execution_count=4),
        nbformat.v4.new_code_cell("scores = run(seed=1)", id="cell-1", execution_count=5),
    ]
    mime = "application/vnd.logbook.surprise+json"
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("display_data", data={mime: card, "text/plain": "Surprise"})
    ]
    notebook.cells[1].outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={mime: {"kind": "drift", "drifts": drifts, "execution_count": 5}, "text/plain": "Drift"},
        )
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "analysis.ipynb")
    settings = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
    with jupyter_lab(root, settings) as running:
        running.ids = ids
        yield running


@pytest.fixture
def page(lab, tmp_path):
    with browser_page(tmp_path) as page:
        page.goto(f"{lab.url}/lab/tree/analysis.ipynb?token={lab.token}")
        open_sidebar(page)
        page.locator(".jp-Notebook .jp-Logbook-surpriseCard").first.wait_for()
        page.locator(f"{SIDEBAR} .jp-Logbook-surpriseList [data-surprise]").first.wait_for()
        yield page


def shot(page, name: str, locator: str | None = None) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.getSelection().removeAllRanges()")  # a splitter drag may have selected text
    target = page.locator(locator).first if locator else page
    target.screenshot(path=str(ARTIFACTS / f"inbox-{name}.png"))


def api(lab, method: str, path: str, body: dict | None = None):
    return lab.api(method, f"logbook/api/{path}", body)


def row(page, surprise: int):
    return page.locator(f'{SIDEBAR} .jp-Logbook-surpriseList [data-surprise="{surprise}"]')


def checks(page) -> dict:
    return {
        "overflow": overflows(page),
        "contrast": low_contrast(page),
        "unnamed": unnamed_controls(page),
    }


def test_cards_and_the_inbox_show_the_values_that_decided_each_verdict(lab, page):
    ids = lab.ids
    # Under the cell: the steps as pytest shows a failing assert, and that it failed again.
    card = page.locator(".jp-Notebook .jp-Cell").nth(0).locator(".jp-Logbook-surpriseCard")
    steps = card.locator(".jp-Logbook-step")
    assert [steps.nth(i).text_content() for i in range(steps.count())] == [
        "head_scores.max() → 0.3",
        "0.3 > 0.5 → False",
    ]
    assert "failed again · 3 runs" in card.text_content() and "H6.P1 predicted" in card.text_content()
    # A drift card lists every part that moved: the first three, then the rest on a click.
    drift = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-Logbook-surpriseCard")
    assert drift.locator(".jp-Logbook-driftItem").count() == 3
    assert "scores[1, 3] changed sign" in drift.text_content()
    drift.get_by_role("button", name="Show the other 3 values that moved").click()
    assert drift.locator(".jp-Logbook-driftItem").count() == 6
    assert "cache['blocks.0.attn.hook_pattern'].mean moved 14 spreads" in drift.text_content()
    shot(page, "cards-under-cells", ".jp-Notebook")

    # In the inbox: the deciding line and the runs on the row, the steps in triage.
    steps_row = row(page, ids["steps"])
    assert "0.3 > 0.5 → False" in steps_row.text_content()
    assert "failed again · 3 runs" in steps_row.text_content()
    assert "6 values moved: scores[1, 3]" in row(page, ids["drift"]).text_content()
    triage = page.locator(f"{SIDEBAR} .jp-Logbook-triage")
    found = {}
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        for width in (250, 400):
            set_sidebar_width(page, width)
            tag = f"{width}-{'dark' if 'Dark' in theme else 'light'}"
            # The row itself is clicked (not a point on the screen): the width just changed, and the
            # accordion may still be sharing out the height, moving the rows under a click by position.
            row(page, ids["steps"]).dispatch_event("click")
            triage.filter(has_text=f"Surprise #{ids['steps']}").wait_for()
            assert triage.locator(".jp-Logbook-step").count() == 2
            assert "failed again · 3 runs" in triage.text_content()
            shot(page, f"{tag}-steps", SIDEBAR)
            found[f"{tag}-steps"] = checks(page)
            row(page, ids["drift"]).dispatch_event("click")
            triage.filter(has_text=f"Drift #{ids['drift']}").wait_for()
            assert triage.locator(".jp-Logbook-driftItem").count() == 3
            triage.get_by_role("button", name="Show the other 3 values that moved").click()
            assert triage.locator(".jp-Logbook-driftItem").count() == 6
            shot(page, f"{tag}-drift", SIDEBAR)
            found[f"{tag}-drift"] = checks(page)
    set_theme(page, "JupyterLab Light")
    assert {tag: f for tag, f in found.items() if any(f.values())} == {}

    # The experiment detail's judgements show the steps too.
    page.locator(f"{SIDEBAR} .jp-Logbook-experiment", has_text="head_scores = scores(model)").focus()
    page.keyboard.press("Enter")
    judged = page.locator(".jp-Logbook-detailArea:visible table[aria-label='Predictions judged here']")
    judged.wait_for()
    assert "0.3 > 0.5 → False" in judged.text_content()


def test_a_card_under_a_cell_knows_its_surprise_was_resolved_and_shows_it(lab, page):
    ids = lab.ids
    card = page.locator(".jp-Notebook .jp-Cell").nth(0).locator(".jp-Logbook-surpriseCard")
    api(lab, "PATCH", f"surprises/{ids['steps']}", {"action": "explained", "explanation": "a seed change."})
    line = card.locator(".jp-Logbook-resolvedLine")
    line.wait_for()
    assert line.text_content().startswith("resolved: explained by ")
    assert line.text_content().endswith("— a seed change.")
    row(page, ids["steps"]).wait_for(state="detached")  # gone from the open inbox
    shot(page, "card-resolved", ".jp-Notebook .jp-Cell >> nth=0")
    # Show in Logbook opens the inbox on it all the same: the filter shows resolved ones, triage shows it.
    card.get_by_role("button", name="Show this surprise in the Logbook sidebar").click()
    triage = page.locator(f"{SIDEBAR} .jp-Logbook-triage")
    triage.filter(has_text=f"Surprise #{ids['steps']}").wait_for()
    assert "a seed change." in triage.text_content()
    assert page.get_by_role("button", name="Show resolved surprises").get_attribute("aria-pressed") == "true"
    row(page, ids["steps"]).wait_for()
    page.get_by_role("button", name="Show open surprises").click()


def test_many_surprises_close_with_one_gesture_by_mouse_and_by_keyboard(lab, page):
    ids = lab.ids
    set_sidebar_width(page, 250)
    bulk = page.locator(f"{SIDEBAR} .jp-Logbook-bulk")
    summary = page.locator(f"{SIDEBAR} .jp-Logbook-bulkSummary")
    # The mouse: a row's checkbox, then Ctrl-click on another; neither opens triage.
    row(page, ids["bulk0"]).get_by_role("checkbox").click()
    bulk.filter(has_text="1 chosen").wait_for()
    bulk.get_by_role("button", name="Write one explanation for the 1 chosen").click()
    bulk.get_by_role("textbox", name="One explanation for the 1 chosen").fill("the seed, not the model")
    # Choosing another row keeps what was typed.
    row(page, ids["bulk1"]).click(modifiers=["Control"])
    bulk.filter(has_text="2 chosen").wait_for()
    assert page.locator(f"{SIDEBAR} .jp-Logbook-triage").is_hidden()
    explanation = bulk.get_by_role("textbox", name="One explanation for the 2 chosen")
    assert explanation.input_value() == "the seed, not the model"
    shot(page, "250-bulk-explain", SIDEBAR)
    assert checks(page) == {"overflow": [], "contrast": [], "unnamed": []}
    bulk.get_by_role("button", name="Save the explanation and close the 2 chosen").click()
    summary.filter(has_text="Closed 2").wait_for()
    row(page, ids["bulk0"]).wait_for(state="detached")
    closed = {s["id"]: s for s in api(lab, "GET", "surprises?status=resolved")}
    assert (
        closed[ids["bulk0"]]["explanation"]
        == closed[ids["bulk1"]]["explanation"]
        == "the seed, not the model"
    )
    bulk.wait_for(state="hidden")

    # The keyboard: Space chooses the focused row, Shift+ArrowDown takes the next one too.
    row(page, ids["bulk2"]).focus()
    page.keyboard.press("Space")
    bulk.filter(has_text="1 chosen").wait_for()
    next_id = int(
        page.locator(
            f'{SIDEBAR} .jp-Logbook-surpriseList [data-index="{int(row(page, ids["bulk2"]).get_attribute("data-index")) + 1}"]'
        ).get_attribute("data-surprise")
    )
    page.keyboard.press("Shift+ArrowDown")
    bulk.filter(has_text="2 chosen").wait_for()
    assert next_id == ids["drift2"], "the drift sorts right after the last prediction surprise"
    assert row(page, ids["drift2"]).get_by_role("checkbox").is_checked()
    # Expected is for drift: the drift closes, the prediction surprise is refused, and says why.
    bulk.get_by_role("button", name="Mark the 1 chosen drift as expected to vary").click()
    summary.filter(has_text="1 refused").wait_for()
    assert summary.text_content() == (
        f"Closed 1 · 1 refused: S{ids['bulk2']} is not drift: only drift can be marked expected"
    )
    row(page, ids["drift2"]).wait_for(state="detached")
    shot(page, "250-bulk-refused", SIDEBAR)
    # The refused one stays chosen, to be closed another way.
    bulk.filter(has_text="1 chosen").wait_for()
    bulk.get_by_role("button", name="Dismiss the 1 chosen without a change of belief").click()
    summary.filter(has_text="Closed 1").wait_for()
    row(page, ids["bulk2"]).wait_for(state="detached")
    by_id = {s["id"]: s for s in api(lab, "GET", "surprises?status=resolved")}
    assert by_id[ids["bulk2"]]["resolution"] == "dismissed"
    assert by_id[ids["drift2"]]["resolution"] == "explained"
    # Escape clears a choice.
    first = page.locator(f"{SIDEBAR} .jp-Logbook-surpriseList [data-surprise]").first
    first.focus()
    page.keyboard.press("Space")
    bulk.wait_for()
    page.keyboard.press("Escape")
    bulk.wait_for(state="hidden")


def test_a_follow_up_names_its_surprise_and_closes_it(lab, page):
    set_sidebar_width(page, 400)
    sid = lab.ids["drift"]
    row(page, sid).click()
    triage = page.locator(f"{SIDEBAR} .jp-Logbook-triage")
    triage.filter(has_text=f"Drift #{sid}").wait_for()
    triage.get_by_role("button", name="Start a follow-up hypothesis").click()
    text = triage.get_by_role("textbox", name="Follow-up hypothesis")
    text.fill("The seed decides which head copies @0.3")
    text.press("Enter")
    row(page, sid).wait_for(state="detached")
    (followed,) = [h for h in api(lab, "GET", "hypotheses") if h["follows"] == f"S{sid}"]
    assert (followed["statement"], followed["credence"]) == ("The seed decides which head copies", 0.3)
    assert {s["id"]: s for s in api(lab, "GET", "surprises?status=resolved")}[sid][
        "resolution"
    ] == "followed_up"
    card = page.locator(f'{SIDEBAR} [data-hypothesis="{followed["id"]}"]')
    card.locator(".jp-Logbook-cardRow").click()
    follows = card.locator(".jp-Logbook-follows")
    assert follows.text_content() == f"follows upS{sid}"
    shot(page, "400-follows", f'{SIDEBAR} [data-hypothesis="{followed["id"]}"]')
    # The link opens the surprise it follows up, resolved as it is.
    follows.get_by_role("button", name=f"Show surprise S{sid}", exact=False).click()
    page.locator(f"{SIDEBAR} .jp-Logbook-triage", has_text="followed up").wait_for()
    page.get_by_role("button", name="Show open surprises").click()


def test_refuting_from_the_status_asks_for_the_reason_and_cancel_keeps_it(lab, page):
    set_sidebar_width(page, 250)
    card = page.locator(f'{SIDEBAR} [data-hypothesis="H5"]')
    card.locator(".jp-Logbook-cardRow").click()
    status = card.get_by_role("combobox", name="status of H5")
    status.select_option("refuted")
    form = card.locator(".jp-Logbook-refuteForm")
    form.wait_for()
    assert status.input_value() == "supported", "not refuted until the reason is given"
    assert form.get_by_role("button", name="Refute H5 with this reason").is_disabled()
    shot(page, "250-refute-form", f'{SIDEBAR} [data-hypothesis="H5"]')
    assert checks(page) == {"overflow": [], "contrast": [], "unnamed": []}
    form.get_by_role("button", name="Keep H5 supported").click()
    form.wait_for(state="detached")
    assert status.input_value() == "supported" and api(lab, "GET", "hypotheses/H5")["status"] == "supported"
    status.select_option("refuted")
    form.get_by_role("textbox", name="Why H5 is refuted").fill("a one-layer model shows it after all")
    form.get_by_role("textbox", name="Credence in H5 after refuting it", exact=False).fill("0.1")
    form.get_by_role("button", name="Refute H5 with this reason").click()
    card.locator(".jp-Logbook-pill.jp-mod-refuted").first.wait_for()
    h5 = api(lab, "GET", "hypotheses/H5")
    assert (h5["status"], h5["credence"]) == ("refuted", 0.1)
    assert h5["history"][-1]["reason"] == "a one-layer model shows it after all"


def test_a_verdict_in_words_names_the_selected_cell_and_what_was_seen(lab, page):
    set_sidebar_width(page, 250)
    page.locator(".jp-Notebook .jp-Cell").nth(0).locator(".jp-InputPrompt").click()  # select cell-0
    card = page.locator(f'{SIDEBAR} [data-hypothesis="H3"]')
    card.locator(".jp-Logbook-cardRow").click()
    prediction = card.locator('[data-prediction="H3.P1"]')
    prediction.get_by_role("button", name="H3.P1 failed: record a surprise").click()
    form = prediction.locator(".jp-Logbook-verdictForm")
    runs = form.get_by_role("combobox", name="The experiment H3.P1 is judged on")
    page.wait_for_function("(el) => !el.disabled", arg=runs.element_handle())  # the runs are listed
    assert runs.input_value() == str(lab.ids["cell0"]), "the run of the selected cell is chosen"
    assert runs.locator("option:checked").text_content().startswith(f"selected cell: #{lab.ids['cell0']}")
    form.get_by_role("textbox", name="What was observed, for H3.P1").fill("copying survives a shift of 3")
    shot(page, "250-verdict-form", f'{SIDEBAR} [data-hypothesis="H3"]')
    assert checks(page) == {"overflow": [], "contrast": [], "unnamed": []}
    form.get_by_role("button", name="Record that H3.P1 failed, on the chosen run").click()
    prediction.locator(".jp-Logbook-pill.jp-mod-failed").wait_for()
    (surprise,) = [s for s in api(lab, "GET", "surprises") if s["prediction_id"] == "H3.P1"]
    assert surprise["experiment_id"] == lab.ids["cell0"]
    assert surprise["observed"] == {
        "observed": {"type": "str", "len": 29, "value": "copying survives a shift of 3"}
    }
    # Triage shows what was seen, in words.
    row(page, surprise["id"]).click()
    page.locator(
        f"{SIDEBAR} .jp-Logbook-triage", has_text="observed: copying survives a shift of 3"
    ).wait_for()


def test_a_prediction_in_words_is_not_checked_as_python(lab, page):
    set_sidebar_width(page, 400)
    checked: list[str] = []
    page.on(
        "request",
        lambda r: "predictions/check" in r.url and checked.append(json.loads(r.post_data)["expression"]),
    )
    page.clock.install()
    card = page.locator(f'{SIDEBAR} [data-hypothesis="H2"]')
    card.locator(".jp-Logbook-cardRow").click()
    card.get_by_role("button", name="Add a prediction to H2").click()
    form = card.locator(".jp-Logbook-newPrediction")
    form.get_by_role("button", name="In words, judged by hand").click()
    form.get_by_role("textbox", name="Prediction for H2", exact=True).fill(
        "the head copies what it attends to"
    )
    page.clock.fast_forward(1000)  # past the check's debounce: a check now would be of words
    # Back to an expression: that text is checked now, as Python, and refused.
    form.get_by_role("button", name="A Python expression, judged after each cell").click()
    with page.expect_response(lambda r: "predictions/check" in r.url):
        page.clock.fast_forward(1000)
    form.locator(".jp-Logbook-verdict.jp-mod-error").wait_for()
    assert checked == ["the head copies what it attends to"], "words were never sent to be checked"
    form.get_by_role("button", name="In words, judged by hand").click()
    assert form.locator(".jp-Logbook-verdict").text_content() == ""
    # A probability that is no probability adds nothing, and says so (1.5 is not read as 1.5%).
    probability = form.get_by_role("textbox", name="Credence that the prediction for H2 comes true")
    probability.fill("1.5")
    form.get_by_role("button", name="Add the prediction to H2").click()
    assert "not between 0 and 1" in form.locator(".jp-Logbook-verdict.jp-mod-error").text_content()
    assert card.locator(".jp-Logbook-words").count() == 0
    probability.fill("0.8")
    assert form.locator(".jp-Logbook-verdict").text_content() == ""
    form.get_by_role("button", name="Add the prediction to H2").click()
    card.locator(".jp-Logbook-words", has_text="the head copies what it attends to").wait_for()
    assert checked == ["the head copies what it attends to"]


def test_values_expected_to_vary_show_their_envelope_and_undo(lab, page):
    set_sidebar_width(page, 300)
    page.locator(f"{SIDEBAR} .jp-Logbook-experiment", has_text="scores = run(seed=1)").focus()
    page.keyboard.press("Enter")
    expected = page.locator(".jp-Logbook-detailArea:visible .jp-Logbook-expected")
    expected.wait_for()
    items = expected.locator(".jp-Logbook-expectedItem")
    assert [items.nth(i).locator("code").text_content() for i in range(items.count())] == [
        "loss",
        "scores[1, 3] ± 0.02",
    ]
    shot(page, "expected", ".jp-Logbook-detailArea:visible .jp-Logbook-history")
    items.nth(1).get_by_role("button", name="Watch scores[1, 3] in this cell again", exact=False).click()
    expected.locator(".jp-Logbook-expectedItem", has_text="scores[1, 3]").wait_for(state="detached")
    history = api(lab, "GET", f"experiments/{lab.ids['history']}/history")
    assert history["expected"] == ["loss"]
