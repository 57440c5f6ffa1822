"""The experiment view in JupyterLab and Chromium shows everything a real notebook run recorded, with no
network: PNG, SVG, a Plotly figure drawn from its JSON, a CircuitsVis view, HTML, a TransformerLens hook
under the name the notebook used, an nnsight trace, notes, and pins with captions; one tab per experiment;
the new controls reached by keyboard. Screenshots at 250 and 400 px sidebar, light and dark, go to
artifacts/experiment-view-*.png."""

from __future__ import annotations

import json
import re

import pytest

from logbook.store.core import Store
from tests.support.browser import ARTIFACTS, chromium
from tests.support.lab_server import browser_page, jupyter_lab, open_sidebar
from tests.support.notebooks import run_notebook
from tests.support.sidebar_checks import set_sidebar_width, set_theme, unnamed_controls
from tests.support.tiny_models import tiny_models  # noqa: F401 - fixture

pytest.importorskip("playwright")
pytest.importorskip("plotly")
pytest.importorskip("circuitsvis")
pytest.importorskip("matplotlib")
pytestmark = [pytest.mark.browser, pytest.mark.kernel]

try:
    import nnsight  # noqa: F401

    HAS_NNSIGHT = True
except ImportError:
    HAS_NNSIGHT = False
try:
    from transformer_lens.model_bridge import TransformerBridge  # noqa: F401

    HAS_BRIDGE = True
except ImportError:
    HAS_BRIDGE = False

PNG = "# png figure\n%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 3, 2]); plt.title('loss'); plt.show()"
SVG = (
    "# svg figure\nfrom IPython.display import SVG, HTML, display\n"
    'display(SVG(\'<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30">'
    '<rect width="80" height="30" fill="teal"/></svg>\'))'
)
PLOTLY = (
    "# plotly figure\nimport plotly.graph_objects as go\n"
    "fig = go.Figure(go.Bar(x=['L0H0', 'L0H1', 'L1H0'], y=[0.1, 0.7, 0.3]))\n"
    "fig.update_layout(title='head scores', height=320)\nfig.show()"
)
CIRCUITSVIS = (
    "# circuitsvis view\nimport circuitsvis as cv, torch\ntorch.manual_seed(0)\n"
    "cv.attention.attention_patterns(tokens=['the', 'cat', 'sat'], attention=torch.rand(2, 3, 3).softmax(-1))"
)
HTML = (
    "# html table\ndisplay(HTML('<table><tr><th>head</th></tr><tr><td id=\"mine\">L1H0</td></tr></table>'))"
)
BRIDGE_IMPORT = "# bridge import\nimport torch\nfrom transformer_lens.model_bridge import TransformerBridge"
BRIDGE = (
    "# hook_z ablation\nbridge = TransformerBridge.boot_transformers(GPT2, device='cpu')\n"
    "def zero_head(z, hook):\n    z[:, :, 1] = 0\n    return z\n"
    "ablated = bridge.run_with_hooks(torch.tensor([[2, 3, 4]]), fwd_hooks=[('blocks.1.attn.hook_z', zero_head)])"
)
NNSIGHT_LOAD = "# nnsight load\nfrom nnsight import LanguageModel\nlm = LanguageModel(GPT2, device_map='cpu', dispatch=True)"
NNSIGHT = (
    "# nnsight trace\nwith lm.trace('the cat sat'):\n    h = lm.transformer.h\n"
    "    hidden = h[0].output.save()\n    h[1].mlp.output[:] = 0\n    logits = lm.lm_head.output.save()"
)
NOTE = "import logbook\nlogbook.note('layer 1 MLP zeroed: logits barely move')"
#: In a Plotly frame: the figure is drawn and no wider than the frame.
FITS = """() => {
  const svg = document.querySelector('svg.main-svg');
  return !!svg && svg.getBoundingClientRect().width <= document.documentElement.clientWidth + 1;
}"""
#: What the tests open, by the first line of the cell's source.
FIGURES = {"png": PNG, "svg": SVG, "plotly": PLOTLY, "circuitsvis": CIRCUITSVIS, "html": HTML}


@pytest.fixture(scope="module")
def lab(tmp_path_factory, tiny_models):  # noqa: F811 - fixture
    chromium()
    root = tmp_path_factory.mktemp("experiment-view") / "project"
    (root / ".logbook").mkdir(parents=True)
    db = root / ".logbook" / "logbook.db"
    cells = [f"GPT2 = {str(tiny_models['gpt2'])!r}", *FIGURES.values()]
    if HAS_BRIDGE:
        cells += [BRIDGE_IMPORT, BRIDGE]
    if HAS_NNSIGHT:
        cells += [NNSIGHT_LOAD, NNSIGHT, NOTE]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        mp.setenv("HF_HUB_OFFLINE", "1")
        notebook = run_notebook(cells, root, timeout=600)
    errors = [o for cell in notebook.cells for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    with Store(db) as store:
        ids = {e.source: e.id for e in store.experiments(limit=None, newest_first=False)}
    settings = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
    with jupyter_lab(root, settings) as running:
        running.ids = ids
        yield running


class Watched:
    """A page whose requests and errors are recorded: anything not to 127.0.0.1 is refused and counted."""

    def __init__(self, page):
        self.page, self.outside, self.errors = page, [], []
        local = re.compile(r"^(https?|wss?)://127\.0\.0\.1[:/]")

        def request(req):
            if re.match(r"^(https?|wss?)://", req.url) and not local.match(req.url):
                self.outside.append(req.url)

        page.context.on("request", request)
        page.context.route(re.compile(r"^(https?|wss?)://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
        page.on("pageerror", lambda error: self.errors.append(str(error)))


def open_experiment(page, lab, source: str):
    """Click the experiment of ``source`` in the sidebar; its tab's detail view."""
    first = source.splitlines()[0]
    page.locator(".jp-Logbook-experiment", has_text=first).first.click()
    detail = page.locator(f"#jp-logbook-experiment-{lab.ids[source]} .jp-Logbook-detail")
    detail.locator("h2", has_text=f"Experiment #{lab.ids[source]}").wait_for()
    return detail


def api(lab, method: str, path: str, body: dict | None = None):
    return lab.api(method, f"logbook/api/{path}", body)


def test_every_recorded_output_renders_offline_each_in_its_tab(lab, tmp_path):
    with browser_page(tmp_path) as page:
        watched = Watched(page)
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        set_sidebar_width(page, 400)

        png = open_experiment(page, lab, PNG)
        image = png.locator(".jp-Logbook-output img")
        image.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=image.element_handle())
        assert (
            png.locator(".jp-Logbook-output figcaption")
            .first.text_content()
            .startswith("image/png · also text/plain")
        )

        svg = open_experiment(page, lab, SVG)
        picture = svg.locator('.jp-Logbook-output[data-mime="image/svg+xml"] img')
        picture.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth === 80", arg=picture.element_handle())

        plotly = open_experiment(page, lab, PLOTLY)
        frame = plotly.locator('iframe[data-figure="plotly"]')
        frame.wait_for()
        assert frame.get_attribute("sandbox") == "allow-scripts"
        inside = page.frame_locator(f"#jp-logbook-experiment-{lab.ids[PLOTLY]} iframe[data-figure='plotly']")
        inside.locator("svg.main-svg").first.wait_for()
        assert inside.locator("text", has_text="head scores").count() >= 1
        # The frame takes the figure's height (320 px), not a fixed one.
        page.wait_for_function(
            "f => Math.abs(f.getBoundingClientRect().height - 324) < 40", arg=frame.element_handle()
        )
        assert plotly.locator(".jp-Logbook-output pre").count() == 0  # no raw JSON

        circuits = open_experiment(page, lab, CIRCUITSVIS)
        circuits.locator('iframe[data-figure="circuitsvis"]').wait_for()
        root = page.frame_locator(
            f"#jp-logbook-experiment-{lab.ids[CIRCUITSVIS]} iframe[data-figure='circuitsvis']"
        ).locator('div[id^="circuits-vis-"]')
        root.locator("*").first.wait_for()
        assert root.evaluate("node => node.querySelectorAll('*').length") > 20

        html = open_experiment(page, lab, HTML)
        html.locator("iframe.jp-Logbook-outputFrame").wait_for()
        page.frame_locator(f"#jp-logbook-experiment-{lab.ids[HTML]} iframe.jp-Logbook-outputFrame").locator(
            "#mine"
        ).wait_for()

        if HAS_BRIDGE:
            hooks = open_experiment(page, lab, BRIDGE).locator("table[aria-label='Hooks'] tr")
            hooks.nth(1).wait_for()
            cells = [c.strip() for c in hooks.nth(1).locator("td").all_text_contents()]
            assert cells[0] == "blocks.1.attn.hook_z" and cells[-1] == "blocks.1.attn.o.hook_in"
            assert cells[1] == "zero_head" and cells[3] == "edited in place"

        if HAS_NNSIGHT:
            traced = open_experiment(page, lab, NNSIGHT)
            part = traced.locator(".jp-Logbook-nnsight")
            part.wait_for()
            assert "trace · local" in part.locator(".jp-Logbook-nnsightHead").text_content()
            rows = {
                r.locator("td").first.text_content(): [c.strip() for c in r.locator("td").all_text_contents()]
                for r in part.locator("tr").all()[1:]
            }
            assert rows["model.transformer.h.1.mlp.output"][1] == "read · edited in place"
            assert rows["model.transformer.h.0.output"][2].startswith("hidden float32 [1, 3, 32]")
            assert rows["model.lm_head.output"][2].startswith("logits float32 [1, 3, 64]")
            note = traced.locator(".jp-Logbook-note")
            note.wait_for()
            assert "layer 1 MLP zeroed: logits barely move" in note.text_content()

        # One tab per experiment; opening one already open shows its tab again, and opens no other.
        opened = 5 + HAS_BRIDGE + HAS_NNSIGHT
        tabs = page.locator(".jp-Logbook-detailArea")
        assert tabs.count() == opened
        # Each tab is named by its number first (what a narrow tab keeps), then the cell's first line.
        labels = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel").all_text_contents()
        assert f"#{lab.ids[PLOTLY]} # plotly figure" in labels
        assert sum(bool(re.match(r"#\d+ ", label)) for label in labels) == opened
        open_experiment(page, lab, PLOTLY)
        page.locator(f"#jp-logbook-experiment-{lab.ids[PLOTLY]}:visible").wait_for()
        assert tabs.count() == opened
        assert page.locator(f"#jp-logbook-experiment-{lab.ids[PNG]}").is_hidden()

        for width in (250, 400):
            set_sidebar_width(page, width)
            for theme in ("JupyterLab Light", "JupyterLab Dark"):
                set_theme(page, theme)
                for name, source in (
                    ("plotly", PLOTLY),
                    ("circuitsvis", CIRCUITSVIS),
                    ("nnsight", NNSIGHT if HAS_NNSIGHT else HTML),
                ):
                    open_experiment(page, lab, source)
                    if name == "plotly":  # the figure follows its frame's width, as the sidebar moved
                        frame = page.locator(
                            f"#jp-logbook-experiment-{lab.ids[PLOTLY]} iframe"
                        ).element_handle()
                        frame.content_frame().wait_for_function(FITS)
                    page.evaluate(
                        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
                    )
                    ARTIFACTS.mkdir(exist_ok=True)
                    page.screenshot(
                        path=str(
                            ARTIFACTS / f"experiment-view-{name}-{width}-{theme.split()[-1].lower()}.png"
                        )
                    )
        set_theme(page, "JupyterLab Light")
        assert page.locator(".jp-Logbook-frameError, .jp-Logbook-figureMissing").count() == 0
        assert unnamed_controls(page, ".jp-Logbook-detailArea") == []
    assert watched.outside == [] and watched.errors == []


FOCUS = """(s) => {
  const n = document.activeElement;
  return { here: !!n && n.matches(s), what: n ? `${n.tagName.toLowerCase()}.${n.className}`.slice(0, 60) : '' };
}"""


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focus is on ``selector``: the keyboard reaches it."""
    trail = []
    for _ in range(limit):
        focus = page.evaluate(FOCUS, selector)
        if focus["here"]:
            return
        trail.append(focus["what"])
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}; it went through {trail}")


def test_pins_with_captions_and_notes_by_keyboard(lab, tmp_path):
    with browser_page(tmp_path) as page:
        watched = Watched(page)
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        detail = open_experiment(page, lab, PLOTLY)
        page.frame_locator(f"#jp-logbook-experiment-{lab.ids[PLOTLY]} iframe[data-figure='plotly']").locator(
            "svg.main-svg"
        ).first.wait_for()
        detail.locator("h2").click()  # the focus in the view, at its top

        # Pin the figure and caption it, by keyboard alone.
        tab_to(page, ".jp-Logbook-pin")
        page.keyboard.press("Enter")
        detail.get_by_role("button", name="Pinned to the report: click to unpin").wait_for()
        tab_to(page, ".jp-Logbook-pinCaption")
        page.keyboard.type("Head 0.1 scores highest")
        page.keyboard.press("Enter")
        detail.locator(".jp-Logbook-pinStatus", has_text="Caption saved").wait_for()
        (pin,) = api(lab, "GET", f"experiments/{lab.ids[PLOTLY]}/pins")
        assert pin["caption"] == "Head 0.1 scores highest"
        report = urllib_text(lab, "logbook/api/export?format=html")
        assert (
            "<figcaption>Head 0.1 scores highest</figcaption>" in report
            or "Head 0.1 scores highest</figcaption>" in report
        )

        # The caption is kept: the experiment closed and opened again shows it, editable.
        tab = page.locator(
            ".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=re.compile(rf"^#{lab.ids[PLOTLY]} ")
        )
        tab.locator(".lm-TabBar-tabCloseIcon").click()
        page.locator(f"#jp-logbook-experiment-{lab.ids[PLOTLY]}").wait_for(state="detached")
        detail = open_experiment(page, lab, PLOTLY)
        caption = detail.locator(".jp-Logbook-pinCaption")
        caption.wait_for()
        assert caption.input_value() == "Head 0.1 scores highest"
        plot = f"#jp-logbook-experiment-{lab.ids[PLOTLY]} iframe[data-figure='plotly']"
        page.frame_locator(plot).locator("svg.main-svg").first.wait_for()  # Tab goes through the figure drawn

        # A note, typed and added with the keyboard.
        detail.locator("h2").click()
        tab_to(page, ".jp-Logbook-noteInput")
        page.keyboard.type("the bar for L0H1 is the induction head")
        tab_to(page, ".jp-Logbook-noteForm button")
        page.keyboard.press("Enter")
        detail.locator(".jp-Logbook-note", has_text="the bar for L0H1 is the induction head").wait_for()
        notes = api(lab, "GET", f"notes?experiment_id={lab.ids[PLOTLY]}")
        assert [n["text"] for n in notes] == ["the bar for L0H1 is the induction head"]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "experiment-view-pin-note.png"))
        api(lab, "DELETE", f"experiments/{lab.ids[PLOTLY]}/pins?position={pin['position']}")
    assert watched.outside == [] and watched.errors == []


def urllib_text(lab, path: str) -> str:
    import urllib.request

    request = urllib.request.Request(f"{lab.url}/{path}", headers={"Authorization": f"token {lab.token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode()


def test_a_figure_whose_package_is_missing_says_so_and_shows_what_it_can(lab, tmp_path):
    with browser_page(tmp_path) as page:
        watched = Watched(page)

        def without_plotly(route):
            index = json.loads(route.fetch().text())
            index["plotly"] = {"missing": "Plotly figures are drawn with ... pip install plotly there"}
            route.fulfill(json=index)

        page.route(re.compile(r"/logbook/api/bundles(\?|$)"), without_plotly)
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        detail = open_experiment(page, lab, PLOTLY)
        missing = detail.locator(".jp-Logbook-figureMissing")
        missing.wait_for()
        assert "pip install plotly" in missing.text_content()
        assert detail.locator("iframe").count() == 0
        # The CircuitsVis view still draws: only the missing package's figures are affected.
        open_experiment(page, lab, CIRCUITSVIS)
        page.frame_locator(
            f"#jp-logbook-experiment-{lab.ids[CIRCUITSVIS]} iframe[data-figure='circuitsvis']"
        ).locator('div[id^="circuits-vis-"] *').first.wait_for()
    assert watched.outside == [] and watched.errors == []
