"""A tiny, random, fully offline chat model for unit tests (built in well under a second).

The tokenizer is word-level: every protocol tag is one (non-special) token, so stop strings such as
``</search>`` complete on a token boundary; words carry their leading space like GPT-2's, so
decoding is the exact inverse of encoding for in-vocabulary text. The model is
a 2-layer Llama (SmolLM2's architecture) with hidden size 32 and fixed random weights (seeded), so
greedy output is deterministic but meaningless. Trainers and graph tests reuse it through
``build_tiny_model``.

Why Llama and not Qwen2: transformers 5 maps ``model_type: qwen2`` to ``Qwen2Tokenizer`` whatever
``tokenizer_config.json`` says (``MODELS_WITH_INCORRECT_HUB_TOKENIZER_CLASS``), which silently turns
a word-level tokenizer into a character-level BPE under ``AutoTokenizer``. For ``llama`` the saved
tokenizer class is honoured.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers  # noqa: E402
from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast  # noqa: E402

from pr2_agent import prompts  # noqa: E402

UNK_TOKEN = "<unk>"
EOS_TOKEN = "<|im_end|>"
PAD_TOKEN = "<|endoftext|>"
BOS_TURN_TOKEN = "<|im_start|>"
SPECIAL_TOKENS = (UNK_TOKEN, PAD_TOKEN, BOS_TURN_TOKEN, EOS_TOKEN)
PROTOCOL_TOKENS = tuple(
    t for name in prompts.PROTOCOL_TAGS for t in (prompts.open_tag(name), prompts.close_tag(name))
)

# ChatML, like SmolLM2 and Qwen2.5 (without their default system prompts).
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

PUNCTUATION = tuple(".,:;!?'\"()[]{}=-+*/%&#@_<>|")
DIGITS = tuple("0123456789")
WHITESPACE = ("\n", "\n\n", "\n\n\n", " \n", " ", "  ")
# A word or one digit or one other symbol, each with an optional leading space; or a whitespace run.
PIECE_PATTERN = r"[ ]?[A-Za-z]+|[ ]?[0-9]|[ ]?[^\sA-Za-z0-9]|\s+"

COMMON_WORDS = """
a about above after again against all also always am an and any are around as ask asked at away back be
because been before being best better between big book books both but buy by call can car care cat change
cheap city clean cold come cook could day days did diet do does dog doing done down drink during each early
easy eat end enough even every family far fast favorite feel few find first fish food for found friend friends
from fruit full garden get give go goes going good great had has have he health healthy help her here high him
his home hot hour hours house how i if in into is it its just keep kind know large last late learn left less
let light like little live long look lot love low made make many may me meal meat money more morning most
move much music must my name near need needs never new next nice night no not now of off often old on once
one only open or other our out over own paper part pay people place plan plant play please pool price quick
quiet rain read ready really recipe rest right room run safe same say school see sell she should show side
since sleep slow small so some soon sport start stay still stop store street strong study sugar summer sun
sure swim table take talk tea team tell than thank that the their them then there these they thing things
think this those time to today together too train travel tree trip try two under until up us use used very
vegetables walk want warm was watch water way we week weekend well went were what when where which while who
why will winter with without work world would write year years yes yet you young your
"""


def _vocab_words() -> list[str]:
    """Return plain words: a common-word list plus every word of the agent's prompt strings."""
    common = COMMON_WORDS.split()
    words = {*common, *(w.capitalize() for w in common), "system", "user", "assistant", "hello"}
    for text in (
        prompts.PR2_INSTRUCTION,
        prompts.PR2_USER_TEMPLATE,
        prompts.INVALID_ACTION_OBSERVATION,
        prompts.FORCED_ANSWER_OBSERVATION,
        prompts.EMPTY_PROFILE_TEXT,
        prompts.NO_PROFILE_ACCESS_TEXT,
        "PROFILE score Question",
    ):
        words.update(re.findall(r"[A-Za-z]+", text))
    # transformers' StopStringCriteria probes the vocabulary by tokenizing this exact word.
    words.add("abcdef")
    return sorted(words)


def build_tiny_tokenizer() -> PreTrainedTokenizerFast:
    """Build the word-level tokenizer (left padding, ChatML template, eos ``<|im_end|>``).

    Like GPT-2's, a word token carries its leading space (``"food"`` and ``" food"`` are two tokens)
    and decoding concatenates tokens, so ``decode(encode(text)) == text`` for in-vocabulary text and
    stop strings match token strings exactly.
    """
    pieces: list[str] = []
    for word in [*_vocab_words(), *PUNCTUATION, *DIGITS]:
        pieces += [word, " " + word]
    vocab_tokens = [*SPECIAL_TOKENS, *PROTOCOL_TOKENS, *WHITESPACE, *dict.fromkeys(pieces)]
    vocab = {tok: i for i, tok in enumerate(vocab_tokens)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK_TOKEN))
    # Added tokens (tags, specials) are split out before this runs, so "<search>" never reaches it.
    backend.pre_tokenizer = pre_tokenizers.Split(Regex(PIECE_PATTERN), behavior="isolated")
    backend.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token=UNK_TOKEN,
        eos_token=EOS_TOKEN,
        pad_token=PAD_TOKEN,
        additional_special_tokens=[BOS_TURN_TOKEN],
        padding_side="left",
    )
    # Protocol tags are ordinary tokens: skip_special_tokens must keep them in decoded text.
    tokenizer.add_tokens(list(PROTOCOL_TOKENS))
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def build_tiny_model(directory: str | os.PathLike[str], *, seed: int = 0) -> Path:
    """Write a tiny random Llama chat model with its tokenizer to ``directory`` and return the path.

    Args:
        directory: Where to save (created if missing).
        seed: Seed of the random weights; the same seed gives the same model.

    Returns:
        The directory, loadable with ``from_pretrained`` and ``LocalPolicy``.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tiny_tokenizer()
    vocab = tokenizer.get_vocab()
    eos_id, pad_id = vocab[EOS_TOKEN], vocab[PAD_TOKEN]
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        # A larger init than the default 0.02 gives peaked logits, so greedy decoding is varied
        # and stable against float noise instead of a near-uniform tie-break.
        initializer_range=0.5,
        eos_token_id=eos_id,
        pad_token_id=pad_id,
        bos_token_id=None,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(eos_token_id=eos_id, pad_token_id=pad_id)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
