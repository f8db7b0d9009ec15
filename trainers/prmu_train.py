"""Train PRMU (TagPR's user-embedding reward model) on preference pairs from the bundled LaMP sets.

    python trainers/prmu_train.py --out outputs/prmu
    python trainers/prmu_train.py --tasks 2,4,7 --out /tmp/prmu --epochs 20

Pairs (one user, one input): **preferred** = what this user wrote (the record's gold, and, leaving one
profile item out at a time, each item's own output over the rest of the profile); **rejected** = what
*another* user of the same task would write for the same input, by that user's habit: their favourite
tag (LaMP-2), their usual rating (3), the other reference (1), their frame filled from this input by
the chain writer's analogy (4-7, :mod:`trainers.tagpr_writer`). Held-out pairs come from other users
(the test split) than the training pairs (the train split).

Reported: held-out pairwise accuracy of PRMU with the user embedding, of the same head trained without
it (``use_user=False``), and of PRMU given a *wrong* user's embedding; the gap is what the embedding buys.
The model and these numbers go to ``--out`` (``prmu.pt``, ``prmu.json``).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pr2_agent.run.environment import offline_defaults

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pr2_agent.data.lamp import LaMPExample  # noqa: E402
from pr2_agent.reward_models.prmu import Pair, output_text  # noqa: E402
from pr2_agent.tasks.lamp import render_item  # noqa: E402
from trainers.tagpr_writer import (  # noqa: E402
    INPUT_FIELD,
    OUTPUT_FIELD,
    Recalled,
    _cap,
    frame_answer,
    frame_words,
    single_slot,
    split_frame,
)

logger = logging.getLogger("trainers.prmu_train")

MAX_REJECTED = 3
"""Other users' outputs per instance (distinct ones)."""


def _outputs(task: int, record: LaMPExample) -> list[str]:
    return [item.fields[OUTPUT_FIELD[task]] for item in record.profile]


def instances(task: int, record: LaMPExample) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(input, this user's output, profile texts)``: the record itself, then each profile item left out."""
    assert record.output is not None
    rendered = [render_item(task, item) for item in record.profile]
    out = [(record.input, record.output, tuple(rendered))]
    if task == 1:
        return out
    head = {2: "description:", 3: "review:"}.get(task, ":")
    prefix = record.input.rsplit(head, 1)[0] + head if task in (2, 3) else record.input.split(":", 1)[0] + ":"
    frame = frame_words(_outputs(task, record)) if task == 7 else set()
    for j, item in enumerate(record.profile):
        rest = tuple(rendered[:j] + rendered[j + 1 :])
        if task == 2:
            body = item.fields["description"]
        elif task == 3:
            body = item.fields["text"]
        elif task == 7:
            slots = [text for fixed, text in single_slot(split_frame(item.fields["text"], frame)) if not fixed]
            if not slots:
                continue
            body = _cap(slots[0].strip(" .,!?")) + "."
        else:
            body = item.fields[INPUT_FIELD[task]]
        out.append((f"{prefix} {body}", item.fields[OUTPUT_FIELD[task]], rest))
    return out


def other_user_output(task: int, question: str, other: LaMPExample) -> str | None:
    """What ``other`` would write for ``question`` by their habit (None when their habit cannot say)."""
    outputs = _outputs(task, other)
    if task == 2:
        return Counter(outputs).most_common(1)[0][0]
    if task == 3:
        scores = [float(s) for s in outputs]
        return str(min(5, max(1, round(sum(scores) / len(scores)))))
    recalled = [Recalled(i + 1, item) for i, item in enumerate(other.profile)]
    answer, fills = frame_answer(task, question, recalled, frame_words(outputs))
    return None if "..." in fills else answer


def rejected_outputs(task: int, question: str, gold: str, user: LaMPExample, others: Sequence[LaMPExample],
                     rng: random.Random) -> list[tuple[str, str]]:
    """Distinct ``(output, kind)`` rejected for ``gold``: up to :data:`MAX_REJECTED` that another user would write
    (``other_user``), and for LaMP-4..7 one of this user's own outputs for another input (``own_style_other_input``).
    """
    if task == 1:
        return [("[2]" if gold.strip() == "[1]" else "[1]", "other_reference")]
    pool = [o for o in others if o.id != user.id]
    rng.shuffle(pool)
    found: dict[str, str] = {}
    for other in pool:
        candidate = other_user_output(task, question, other)
        if candidate is None or candidate.strip().lower() == gold.strip().lower():
            continue
        if task == 3 and abs(float(candidate) - float(gold)) < 2:
            continue  # a neighbouring rating is not another user's habit
        found.setdefault(candidate, "other_user")
        if len(found) == MAX_REJECTED:
            break
    if task >= 4:
        # This user's own words for another input: without these, PRMU learned "sounds like the user" and scored
        # a copied past headline above the gold (bench/rm_probes.py, wrong_specifics 0.58).
        own = [o for o in _outputs(task, user) if o.strip().lower() != gold.strip().lower() and o not in found]
        if own:
            found[rng.choice(own)] = "own_style_other_input"
    return list(found.items())


def lamp_pairs(task: int, records: Sequence[LaMPExample], *, seed: int = 0) -> list[Pair]:
    """Every preference pair of one task's records (users)."""
    rng = random.Random(f"prmu:{task}:{seed}")
    pairs = []
    for record in records:
        for question, gold, profile in instances(task, record):
            for rejected, kind in rejected_outputs(task, question, gold, record, records, rng):
                pairs.append(
                    Pair(
                        user_id=record.id,
                        profile=profile,
                        input=question,
                        preferred=output_text(task, question, gold),
                        rejected=output_text(task, question, rejected),
                        kind=f"lamp{task}:{kind}",
                    )
                )
    return pairs


def load_pairs(tasks: Sequence[int], split: str) -> list[Pair]:
    """Pairs of every listed task's bundled ``split``."""
    from pr2_agent.tasks import get_task

    out = []
    for n in tasks:
        task = get_task(f"lamp{n}")
        records = [e.reference for e in task.load(task.bundled(split))]
        out += lamp_pairs(n, records)
    return out


def evaluate(head: Any, tensors: dict[str, Any], pairs: Sequence[Pair]) -> dict[str, float]:
    """Held-out accuracy overall and per task (``kind`` prefix)."""
    import torch

    from pr2_agent.reward_models.prmu import pairwise_accuracy

    result = {"all": pairwise_accuracy(head, tensors)}
    groups: dict[str, list[int]] = defaultdict(list)
    for i, pair in enumerate(pairs):
        groups[pair.kind.split(":")[0]].append(i)
    for name, idx in sorted(groups.items()):
        index = torch.tensor(idx)
        result[name] = pairwise_accuracy(head, {k: v[index] for k, v in tensors.items()})
    return result


def shuffled_users(tensors: dict[str, Any], pairs: Sequence[Pair], seed: int = 0) -> Any:
    """Each pair's user embedding replaced by another user's of the same task (the wrong-user control)."""
    rng = random.Random(seed)
    by_task: dict[str, list[int]] = defaultdict(list)
    for i, pair in enumerate(pairs):
        by_task[pair.kind.split(":")[0]].append(i)
    users = tensors["user"].clone()
    for i, pair in enumerate(pairs):
        others = [j for j in by_task[pair.kind.split(":")[0]] if pairs[j].user_id != pair.user_id]
        if others:
            users[i] = tensors["user"][rng.choice(others)]
    return users


def main(argv: Sequence[str] | None = None) -> int:
    """Build pairs, train PRMU and its no-user ablation, report held-out accuracy, save."""
    offline_defaults()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tasks", default="1,2,3,4,5,6,7", help="LaMP task numbers (default: %(default)s)")
    p.add_argument("--train-split", default="train")
    p.add_argument("--eval-split", default="test", help="held-out users")
    p.add_argument("--out", required=True, help="model directory")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--embedding", default="minilm", help="sentence encoder (minilm; hash for tests)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from dataclasses import replace

    from pr2_agent.reward_models.prmu import Encoder, PRMUConfig, pair_tensors, save_prmu, score_stats, train_head

    tasks = [int(t) for t in args.tasks.split(",") if t.strip()]
    began = time.perf_counter()
    train_pairs, test_pairs = load_pairs(tasks, args.train_split), load_pairs(tasks, args.eval_split)
    if not train_pairs or not test_pairs:
        raise SystemExit(f"prmu_train: no pairs (train {len(train_pairs)}, held-out {len(test_pairs)}).")
    encoder = Encoder(args.embedding)
    train_t, test_t = pair_tensors(encoder, train_pairs), pair_tensors(encoder, test_pairs)
    embedded = time.perf_counter()
    config = PRMUConfig(embedding=args.embedding, embed_dim=int(train_t["input"].shape[1]))
    full = train_head(config, train_t, epochs=args.epochs, lr=args.lr, seed=args.seed)
    blind = train_head(replace(config, use_user=False), train_t, epochs=args.epochs, lr=args.lr, seed=args.seed)
    trained = time.perf_counter()
    wrong_user = {**test_t, "user": shuffled_users(test_t, test_pairs, args.seed)}
    metrics = {
        "with_user_embedding": evaluate(full.head, test_t, test_pairs),
        "without_user_embedding": evaluate(blind.head, test_t, test_pairs),
        "with_another_users_embedding": evaluate(full.head, wrong_user, test_pairs),
        "train_accuracy_with_user": evaluate(full.head, train_t, train_pairs)["all"],
    }
    info = {
        "trained_on": {"tasks": tasks, "split": args.train_split, "pairs": len(train_pairs),
                       "kinds": dict(Counter(p.kind for p in train_pairs))},
        "held_out": {"split": args.eval_split, "pairs": len(test_pairs), "users": len({p.user_id for p in test_pairs})},
        "epochs": args.epochs,
        "lr": args.lr,
        "final_loss": full.losses[-1],
        "metrics": metrics,
        "seconds": {"embedding": round(embedded - began, 1), "training": round(trained - embedded, 1)},
    }
    mean, std = score_stats(full.head, train_t)
    save_prmu(args.out, replace(config, score_mean=mean, score_std=std), full.head, info)
    print(json.dumps({k: info[k] for k in ("trained_on", "held_out", "metrics", "seconds")}, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
