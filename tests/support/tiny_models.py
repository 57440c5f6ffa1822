"""Tiny random-weight Hugging Face models, saved with a word-level tokenizer, for kernel tests.

Three architectures TransformerBridge and nnsight both load from a local
folder: GPT-2, GPT-NeoX (Pythia) and Llama. Two layers, four heads, 32 wide.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ARCHITECTURES = ("gpt2", "neox", "llama")
WORDS = "the cat sat on a mat and dog ran to park Paris is in France Eiffel Tower".split()
LAYERS, HEADS, WIDTH, VOCAB = 2, 4, 32, 64


def save_tiny_models(folder: Path) -> dict[str, Path]:
    """Save the three models (and one tokenizer beside each) under ``folder``; returns their paths."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        GPT2Config,
        GPT2LMHeadModel,
        GPTNeoXConfig,
        GPTNeoXForCausalLM,
        LlamaConfig,
        LlamaForCausalLM,
        PreTrainedTokenizerFast,
    )

    special = dict(bos_token_id=1, eos_token_id=1, pad_token_id=1)
    configs = {
        "gpt2": (
            GPT2LMHeadModel,
            GPT2Config(
                n_layer=LAYERS, n_embd=WIDTH, n_head=HEADS, vocab_size=VOCAB, n_positions=32, **special
            ),
        ),
        "neox": (
            GPTNeoXForCausalLM,
            GPTNeoXConfig(
                num_hidden_layers=LAYERS,
                hidden_size=WIDTH,
                num_attention_heads=HEADS,
                intermediate_size=64,
                vocab_size=VOCAB,
                max_position_embeddings=32,
                **special,
            ),
        ),
        "llama": (
            LlamaForCausalLM,
            LlamaConfig(
                num_hidden_layers=LAYERS,
                hidden_size=WIDTH,
                num_attention_heads=HEADS,
                num_key_value_heads=2,
                intermediate_size=64,
                vocab_size=VOCAB,
                max_position_embeddings=32,
                **special,
            ),
        ),
    }
    vocab = {word: index for index, word in enumerate(["<unk>", "<eos>", *WORDS])}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="<unk>", eos_token="<eos>", bos_token="<eos>", pad_token="<eos>"
    )
    paths = {}
    for name, (cls, config) in configs.items():
        torch.manual_seed(0)
        path = folder / name
        cls(config).save_pretrained(path)
        tokenizer.save_pretrained(path)
        paths[name] = path
    return paths


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    pytest.importorskip("transformers")
    return save_tiny_models(tmp_path_factory.mktemp("tiny-models"))
