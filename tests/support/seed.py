"""A logbook with a realistic session in it, for browser tests and benchmarks of the sidebar."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from logbook.store.core import Store

LONG_EXPRESSION = "induction_score[1, 0] > 0.6 and ablated_logit_diff < 0.5 * clean_logit_diff"
HYPOTHESES = [
    ("Layer 0 head 1 is a previous-token head that attends from each position to the one before it", 0.5),
    ("Layer 1 has an induction head (L1H0) that completes repeated random token sequences", 0.6),
    ("The model copies by position, not by content", 0.3),
    ("x stays above ten", 0.9),
    ("Attention-only models need two layers before any induction appears", 0.5),
]
SOURCE = """import torch
from transformer_lens import HookedTransformer

model = HookedTransformer.from_pretrained("attn-only-2l")
logits, cache = model.run_with_cache(tokens)
induction_score = attention_stripes(cache, offset=period - 1)
x = 1
print("induction heads found:", (induction_score > 0.6).sum().item())
"""
HTML_OUTPUT = (
    "<table><tr><th>head</th><th>score</th></tr><tr><td>L1H0</td><td>0.91</td></tr></table>"
    "<script>try { parent.document.body.dataset.pwned = 1 } catch (e) {"
    " document.body.append('parent blocked') }</script>"
)
TRACEBACK = "\x1b[0;31mValueError\x1b[0m: period must be positive\n  File <cell>, line 2"


def png(width: int = 24, height: int = 12) -> bytes:
    """A small valid PNG: a blue gradient."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (30, 60 + 8 * x, 200)) for _ in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def experiment(store: Store, source: str, notebook: str = "analysis.ipynb", **fields) -> int:
    row = {
        "source": source,
        "started_at": "2026-11-25T10:00:00+00:00",
        "duration_ms": 41.0,
        "ok": 1,
        "notebook": notebook,
        "cell_id": "cell-1",
        "execution_count": 3,
        **fields,
    }
    outputs = row.pop("outputs", [])
    with store.transaction():
        return store.insert_experiment(row, outputs)


def seed(path: Path) -> dict:
    """Fill the logbook at ``path``: a brainstorm, five hypotheses, predictions in every state, surprises,
    and an experiment with outputs, tensors, a model, hooks and caches. Returns ids worth looking at."""
    import json

    with Store(path) as store:
        brainstorm = store.start_brainstorm(300, 4)
        for n, (statement, credence) in enumerate(HYPOTHESES):
            store.add_hypothesis(statement, credence, brainstorm.id if n < 4 else None)
        store.finish_brainstorm(brainstorm.id)
        store.update_credence("H1", 0.7, "the attention pattern looks diagonal")
        store.update_credence("H1", 0.4, "ablation changes little")
        store.set_status("H5", "supported", "one-layer model shows none")
        store.add_prediction("H2", LONG_EXPRESSION, 0.8)
        store.add_prediction("H3", "Shifting the period breaks the copying", 0.7, kind="text")
        store.add_prediction("H4", "x > 10", 0.9)
        names = {
            "induction_score": {
                "type": "torch.Tensor",
                "shape": [2, 4],
                "dtype": "float32",
                "device": "cpu",
                "nan": 0,
                "min": 0.01,
                "max": 0.91,
                "mean": 0.23,
                "norm": 1.02,
            },
            "x": {"type": "int", "value": 1},
            "cache": {
                "type": "ActivationCache",
                "keys": 14,
                "first_keys": ["hook_embed", "blocks.0.attn.hook_pattern"],
            },
        }
        torch = {
            "module_calls": {"HookedTransformer": 2},
            "models": [
                {"class": "HookedTransformer", "model_name": "attn-only-2l", "n_layers": 2, "n_heads": 8}
            ],
            "hooks": [
                {
                    "hook_point": "blocks.1.attn.hook_pattern",
                    "function": "ablate_head",
                    "direction": "fwd",
                    "calls": 2,
                }
            ],
            "cache_keys": [["hook_embed", "blocks.0.attn.hook_pattern", "blocks.1.attn.hook_pattern"]],
            "caches": 1,
        }
        outputs = [
            {"mime": "image/png", "data": png(), "size": len(png()), "truncated": False},
            {"mime": "text/html", "data": HTML_OUTPUT.encode(), "size": len(HTML_OUTPUT), "truncated": False},
            {"mime": "text/plain", "data": b"tensor([0.9100, 0.0100])", "size": 24, "truncated": False},
        ]
        main = experiment(
            store,
            SOURCE,
            stdout="induction heads found: 1\n",
            names=json.dumps(names),
            torch=json.dumps(torch),
            output_text="tensor([0.9100, 0.0100])",
            mode="explore",
            outputs=outputs,
        )
        failed = experiment(
            store,
            "period = -1\ncheck(period)",
            ok=0,
            error_name="ValueError",
            error_value="period must be positive",
            traceback=TRACEBACK,
            stderr="warning: negative period\n",
        )
        with store.transaction():
            store.add_judgement(
                held=False,
                prediction=store.prediction("H4.P1"),
                observed={"x": {"type": "int", "value": 1}},
                surprisal_bits=3.32,
                experiment_id=main,
            )
            store.add_judgement(
                held=True,
                prediction=store.prediction("H2.P1"),
                observed={"induction_score": names["induction_score"]},
                surprisal_bits=0.32,
                experiment_id=main,
            )
        store.add_manual_surprise("loss spikes at step 300 for no reason I can see", failed)
    return {"experiment": main, "failed": failed}
