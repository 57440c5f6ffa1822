"""nnsight traces are recorded: the model, what was read, set, edited in place and saved, and where it ran.

Each of the three tiny local models (``tiny_models``) runs a trace that reads,
saves, patches by assignment and edits in place, a generation, and a session
of two traces, in a real kernel. The remote path is pointed at a closed port
on 127.0.0.1, the only host these tests ever address.
"""

import pytest

from logbook.store.core import Store
from tests.support.notebooks import outputs_of, run_notebook
from tests.support.tiny_models import ARCHITECTURES, tiny_models  # noqa: F401 - fixture

pytest.importorskip("nnsight")
pytestmark = [pytest.mark.kernel]

LAYERS = {"gpt2": "transformer.h", "neox": "gpt_neox.layers", "llama": "model.layers"}
CLASSES = {"gpt2": "GPT2LMHeadModel", "neox": "GPTNeoXForCausalLM", "llama": "LlamaForCausalLM"}
PROMPT = "the cat sat on the mat"

BEFORE = "import sys, torch\nplain = torch.nn.Linear(2, 2)(torch.ones(1, 2))\nnnsight_loaded = 'nnsight' in sys.modules"
SETUP = """
import json, socket
import nnsight
from nnsight import LanguageModel, NNsight
closed = socket.socket()
closed.bind(("127.0.0.1", 0))
port = closed.getsockname()[1]
closed.close()
nnsight.CONFIG.API.HOST = f"http://127.0.0.1:{port}"

class AddressedModel(LanguageModel):
    def _remoteable_model_key(self):
        return json.dumps({"repo_id": "tiny/gpt2", "revision": None})
"""


def cells_for(name: str, path: str) -> dict[str, str]:
    layers = f"{name}.{LAYERS[name]}"
    return {
        "load": f"{name} = LanguageModel({path!r}, device_map='cpu', dispatch=True)",
        "trace": f"with {name}.trace({PROMPT!r}):\n"
        f"    mlp = {layers}[0].mlp.output\n"
        f"    {layers}[0].mlp.output = mlp * 0.5\n"
        f"    {name}_hidden = {layers}[0].output.save()\n"
        f"    {layers}[1].mlp.output[:] = 0\n"
        f"    {name}_logits = {name}.lm_head.output.save()",
        "generate": f"with {name}.generate('the cat', max_new_tokens=3) as tracer:\n"
        f"    {name}_tokens = tracer.result.save()",
        "session": f"with {name}.session():\n"
        f"    with {name}.trace('the cat'):\n"
        f"        first = {layers}[0].output\n"
        f"    with {name}.trace('the dog'):\n"
        f"        {name}_diff = ({layers}[0].output - first).save()",
    }


def plain_cells(path: str) -> dict[str, str]:
    return {
        "wrap": "net = NNsight(torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)))",
        "inputs": "with net.trace(torch.ones(1, 4)):\n"
        "    net[0].input = torch.zeros(1, 4)\n"
        "    net[1].skip(net[1].input)\n"
        "    net_in = net[2].input.save()",
        "remote path": f"local = LanguageModel({path!r}, device_map='cpu', dispatch=True)",
        "remote unbuildable": "with local.trace('the cat', remote=True):\n    far = local.lm_head.output.save()",
        "remote addressed": f"addressed = AddressedModel({path!r}, device_map='cpu', dispatch=True)",
        "remote refused": "with addressed.trace('the cat', remote=True):\n    far = addressed.lm_head.output.save()",
    }


UNLOAD = [
    "%unload_ext kernel_hooks",
    "from nnsight.tracing.tracer import Tracer\n"
    "from nnsight.intervention.interleaver import Mediator\n"
    "print([hasattr(f, '__logbook_wrapped__') for f in (Tracer.__exit__, Mediator.event, nnsight.tracing.tracer.mark)])",
]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, tiny_models):  # noqa: F811 - fixture
    folder = tmp_path_factory.mktemp("nnsight")
    db = folder / "logbook.db"
    named = {
        (name, step): cell
        for name in ARCHITECTURES
        for step, cell in cells_for(name, str(tiny_models[name])).items()
    }
    named.update({("plain", step): cell for step, cell in plain_cells(str(tiny_models["gpt2"])).items()})
    cells = [BEFORE, SETUP, *named.values(), *UNLOAD]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        mp.setenv("HF_HUB_OFFLINE", "1")
        notebook = run_notebook(cells, folder, timeout=300)
    errors = {cell.source: outputs_of(cell, "error") for cell in notebook.cells if outputs_of(cell, "error")}
    assert set(errors) == {named["plain", "remote unbuildable"], named["plain", "remote refused"]}
    with Store(db) as store:
        experiments = {e.source: e for e in store.experiments(limit=None, newest_first=False)}
    return {key: experiments[cell] for key, cell in named.items()}, experiments[BEFORE], tiny_models, notebook


def trace_of(experiment):
    (trace,) = experiment.torch["nnsight"]["traces"]
    return trace


def test_nnsight_is_never_imported_by_the_recorder(recorded):
    _, before, _, _ = recorded
    assert before.names["nnsight_loaded"]["value"] is False
    assert "nnsight" not in before.torch


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_a_trace_records_reads_sets_in_place_edits_and_saves_field_by_field(recorded, name):
    cells, _, paths, _ = recorded
    experiment = cells[name, "trace"]
    layer = f"model.{LAYERS[name]}"
    assert experiment.torch["nnsight"]["version"] == "0.8.1"
    assert trace_of(experiment) == {
        "kind": "trace",
        "model": str(paths[name]),
        "backend": "local",
        "inputs": [{"text": PROMPT}],
        "reads": [
            f"{layer}.0.mlp.output",
            f"{layer}.0.output",
            f"{layer}.1.mlp.output",
            "model.lm_head.output",
        ],
        "sets": [f"{layer}.0.mlp.output"],
        "edited": [f"{layer}.1.mlp.output"],
        "saved": [
            {
                "from": f"{layer}.0.output",
                "shape": [1, 6, 32],
                "dtype": "float32",
                "device": "cpu",
                "name": f"{name}_hidden",
            },
            {
                "from": "model.lm_head.output",
                "shape": [1, 6, 64],
                "dtype": "float32",
                "device": "cpu",
                "name": f"{name}_logits",
            },
        ],
    }


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_the_traced_model_is_identified_once_with_its_path_config_and_fingerprint(recorded, name):
    cells, _, paths, _ = recorded
    experiment = cells[name, "trace"]
    assert experiment.torch["module_calls"] == {CLASSES[name]: 1}
    (model,) = experiment.torch["models"]
    identity = model["identity"]
    assert (model["class"], identity["class"], identity["name"]) == (
        "LanguageModel",
        CLASSES[name],
        str(paths[name]),
    )
    assert identity["local"] is True and "revision" not in identity
    assert (
        identity["config"]["architecture"] == CLASSES[name] and identity["config"]["num_hidden_layers"] == 2
    )
    assert (identity["dtype"], identity["device"]) == ("float32", "cpu")
    assert identity["fingerprint"].startswith("weights:")


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_generate_records_its_options_steps_and_saved_result(recorded, name):
    cells, _, paths, _ = recorded
    experiment = cells[name, "generate"]
    assert trace_of(experiment) == {
        "kind": "generate",
        "model": str(paths[name]),
        "backend": "local",
        "options": {"max_new_tokens": 3},
        "inputs": [{"text": "the cat"}],
        "reads": ["result"],
        "saved": [
            {"from": "result", "shape": [1, 5], "dtype": "int64", "device": "cpu", "name": f"{name}_tokens"}
        ],
    }
    assert experiment.torch["module_calls"] == {CLASSES[name]: 3}


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_a_session_records_its_two_traces_and_what_flowed_between_them(recorded, name):
    cells, _, paths, _ = recorded
    session = trace_of(cells[name, "session"])
    first, second = session.pop("traces")
    assert session == {"kind": "session", "backend": "local"}
    location = f"model.{LAYERS[name]}.0.output"
    assert first == {
        "kind": "trace",
        "model": str(paths[name]),
        "backend": "local",
        "inputs": [{"text": "the cat"}],
        "reads": [location],
    }
    assert second["inputs"] == [{"text": "the dog"}] and second["reads"] == [location]
    assert second["saved"] == [
        {"shape": [1, 2, 32], "dtype": "float32", "device": "cpu", "name": f"{name}_diff"}
    ]


def test_a_plain_module_wrapped_by_nnsight_records_input_sets_and_skips_without_phantom_reads(recorded):
    cells, _, _, _ = recorded
    trace = trace_of(cells["plain", "inputs"])
    assert trace["model"] == "Sequential" and trace["inputs"] == [
        {"shape": [1, 4], "dtype": "float32", "device": "cpu"}
    ]
    assert trace["sets"] == ["model.0.input"] and trace["skips"] == ["model.1.skip"]
    assert trace["reads"] == ["model.1.input", "model.2.input"]
    assert trace["saved"] == [
        {"from": "model.2.input", "shape": [1, 4], "dtype": "float32", "device": "cpu", "name": "net_in"}
    ]


@pytest.mark.parametrize("step", ["remote unbuildable", "remote refused"])
def test_a_remote_trace_that_cannot_reach_its_host_records_why_and_keeps_the_cells_error(recorded, step):
    cells, _, paths, notebook = recorded
    experiment = cells["plain", step]
    trace = trace_of(experiment)
    assert trace["backend"] == "remote" and trace["remote"] is True
    assert trace["host"].startswith("http://127.0.0.1:") and trace["model"] == str(paths["gpt2"])
    assert trace["error"].startswith(f"{experiment.error.name}: {experiment.error.value}")
    stage = "building the remote request" if step == "remote unbuildable" else "running remotely"
    assert f"({stage}; host {trace['host']})" in trace["error"]
    if step == "remote unbuildable":
        assert trace["error"].endswith(
            "a remote run names its model by a Hub repository id, not a local folder"
        )
    (error,) = [outputs_of(cell, "error")[0] for cell in notebook.cells if cell.source == experiment.source]
    assert (error["ename"], error["evalue"]) == (experiment.error.name, experiment.error.value)
    if step == "remote refused":
        assert experiment.error.name == "ConnectionRefusedError" and "saved" not in trace


def test_unloading_puts_back_every_nnsight_method(recorded):
    *_, notebook = recorded
    (printed,) = outputs_of(notebook.cells[-1], "stream")
    assert printed["text"].strip() == "[False, False, False]"
