"""Cold-start SFT: teach the policy the think/search/answer protocol before GRPO.

    python trainers/sft_train.py --config trainers/configs/sft_cpu.yaml
    python trainers/sft_train.py --config trainers/configs/sft_cpu.yaml --max_steps 2 --output_dir /tmp/sft

Trains on rows written by ``trainers/export.py`` (or by ``trainers/tagpr_chains.py`` and
``trainers/prlm_warmup.py``, which replay their replies through the TagPR / PrLM graph into the same
rows): pre-tokenized graph trajectories with
``input_ids`` and ``completion_mask`` (0 on the prompt and on every inserted ``<information>`` /
corrective / forced-answer token, 1 on what the policy wrote and the final EOS). TRL's
``SFTTrainer`` with ``completion_only_loss=True`` turns the mask into ``-100`` labels, so the loss
is taken only on the policy's own tokens; nothing is re-tokenized.

Every option is a field of :class:`SFTScriptArguments`, TRL's ``SFTConfig`` or TRL's
``ModelConfig`` and can be set in the YAML config or as a flag. The output directory is a standard
transformers checkpoint (model, tokenizer, chat template, generation config) that ``pr2 ask --model
DIR``, ``pr2 eval --model DIR`` and ``trainers/grpo_train.py --model_name_or_path DIR`` load.
"""

from __future__ import annotations

from pr2_agent.run.environment import offline_defaults

# Before transformers/chromadb are imported: nothing may reach a model hub or phone home.
offline_defaults()

import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from pr2_agent.prompts import PROMPT_VERSION  # noqa: E402

if TYPE_CHECKING:
    from datasets import Dataset

# Run as `python trainers/sft_train.py` from a checkout: only pr2_agent is installed, not `trainers`,
# so the checkout root goes on the import path.
if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

logger = logging.getLogger("trainers.sft_train")

SUMMARY_FILENAME = "pr2_sft.json"
TRAIN_COLUMNS = ("input_ids", "completion_mask")


@dataclass
class SFTScriptArguments:
    """Options of the SFT script itself (the data)."""

    dataset_path: str = field(
        default="outputs/sft-data/demo_train.jsonl",
        metadata={"help": "Rows written by trainers/export.py (.jsonl or .parquet)."},
    )
    max_train_samples: int | None = field(
        default=None, metadata={"help": "Train on the first N rows only (None = all)."}
    )
    trainable_layers: int | None = field(
        default=None,
        metadata={
            "help": "Train only the top N transformer blocks and the final norm; embeddings (and a tied "
            "output head) and lower blocks stay frozen, so the backward pass stops early. With use_peft: "
            "LoRA on the top N blocks only. None = all."
        },
    )

    def __post_init__(self) -> None:
        """Validate; the message names the option and the fix."""
        if self.max_train_samples is not None and self.max_train_samples < 1:
            raise ValueError(f"max_train_samples must be >= 1 (or unset for all rows), got {self.max_train_samples}.")
        if self.trainable_layers is not None and self.trainable_layers < 1:
            raise ValueError(
                f"trainable_layers must be >= 1 (or unset to train every parameter), got {self.trainable_layers}."
            )


def lora_on_top_layers(peft_config: Any, model: Any, trainable_layers: int) -> Any:
    """Restrict a LoRA config to the top ``trainable_layers`` blocks.

    Same reason as :func:`freeze_below_top_layers`: the backward pass then ends at the first adapted
    block. The adapter stays small enough to ship (SmolLM2, rank 32, top 10 blocks: 3.3M parameters).
    """
    layers = _decoder_layers(model)
    if trainable_layers > len(layers):
        raise ValueError(f"trainable_layers={trainable_layers} but the model has only {len(layers)} blocks.")
    peft_config.layers_to_transform = list(range(len(layers) - trainable_layers, len(layers)))
    peft_config.layers_pattern = "layers"
    return peft_config


def _decoder_layers(model: Any) -> Any:
    layers = getattr(getattr(model, "model", None), "layers", None)
    if layers is None:
        raise ValueError(
            f"trainable_layers needs a decoder with model.layers (Llama, Qwen2, SmolLM2); {type(model).__name__} "
            "has none. Unset trainable_layers to train every parameter."
        )
    return layers


def freeze_below_top_layers(model: Any, trainable_layers: int) -> int:
    """Freeze everything except the top ``trainable_layers`` decoder blocks and the final norm.

    On a CPU the backward pass is most of a step; with the lower blocks frozen it ends at the first
    trainable block. The protocol is a matter of output format, which the top blocks can carry.

    Returns:
        The number of trainable parameters.

    Raises:
        ValueError: The model has no ``model.layers`` / ``model.norm`` (not a Llama/Qwen-style
            decoder), or fewer blocks than requested.
    """
    body = getattr(model, "model", None)
    layers = getattr(body, "layers", None)
    norm = getattr(body, "norm", None)
    if layers is None or norm is None:
        raise ValueError(
            f"trainable_layers needs a decoder with model.layers and model.norm (Llama, Qwen2, SmolLM2); "
            f"{type(model).__name__} has neither. Unset trainable_layers to train every parameter."
        )
    if trainable_layers > len(layers):
        raise ValueError(f"trainable_layers={trainable_layers} but the model has only {len(layers)} blocks.")
    for param in model.parameters():
        param.requires_grad_(False)
    for module in [*layers[-trainable_layers:], norm]:
        for param in module.parameters():
            param.requires_grad_(True)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def prepare_rows(dataset: Dataset, *, max_length: int | None) -> Dataset:
    """Keep the two training columns, check they align, and drop rows longer than ``max_length``.

    Rows are dropped rather than truncated: a truncated trajectory would lose its answer, the part
    the policy most needs to learn.

    Raises:
        ValueError: A column is missing, a row's mask does not match its ids, or no row is left.
    """
    missing = [c for c in TRAIN_COLUMNS if c not in dataset.column_names]
    if missing:
        raise ValueError(
            f"the dataset lacks column(s) {missing}; it must be written by trainers/export.py "
            "(pre-tokenized rows with input_ids and completion_mask)."
        )
    for i, row in enumerate(dataset.select_columns(list(TRAIN_COLUMNS))):
        if len(row["input_ids"]) != len(row["completion_mask"]):
            raise ValueError(
                f"row {i}: {len(row['input_ids'])} input_ids but {len(row['completion_mask'])} mask values; "
                "re-export the data (the file was edited or written by another tool)."
            )
        if not any(row["completion_mask"]):
            raise ValueError(f"row {i} has no trained token (completion_mask is all 0); re-export the data.")
    dataset = dataset.select_columns(list(TRAIN_COLUMNS))
    if max_length is not None:
        before = len(dataset)
        dataset = dataset.filter(lambda row: len(row["input_ids"]) <= max_length)
        if len(dataset) < before:
            logger.warning("dropped %d of %d rows longer than max_length=%d", before - len(dataset), before, max_length)
    if len(dataset) == 0:
        raise ValueError(f"no rows left to train on (all longer than max_length={max_length}?); raise max_length.")
    return dataset


def trained_positions_loss(model: Any, inputs: dict[str, Any], num_items_in_batch: Any = None) -> tuple[Any, Any]:
    """Next-token NLL over the positions whose label is not ``-100``, with the head applied to those only.

    Equal to the usual masked causal-LM loss. On a CPU, TRL's fused head scores every position (it
    compacts to the trained ones only on Triton devices); here about three quarters of a trajectory
    (prompt, ``<information>`` blocks) is masked, and a 49k-row head over it is a fifth of a step.

    Returns:
        ``(loss, number of correct top-1 predictions)``; the loss is summed over trained positions and
        divided by ``num_items_in_batch`` (all trained positions of the accumulated batch) when given.
    """
    import torch
    import torch.nn.functional as F

    hidden = model.get_decoder()(
        input_ids=inputs["input_ids"], attention_mask=inputs.get("attention_mask"), use_cache=False
    ).last_hidden_state
    labels = inputs["labels"][:, 1:]
    mask = labels != -100
    logits = model.get_output_embeddings()(hidden[:, :-1][mask]).float()
    targets = labels[mask]
    total = F.cross_entropy(logits, targets, reduction="sum")
    count = mask.sum() if num_items_in_batch is None else num_items_in_batch
    loss = total / torch.as_tensor(count, device=total.device).clamp(min=1)
    return loss, (logits.argmax(-1) == targets).sum()


def _sft_trainer_class() -> Any:
    from trl import SFTTrainer

    class TrainedPositionsSFTTrainer(SFTTrainer):
        """``SFTTrainer`` whose loss applies the output head only where labels are trained (see above)."""

        def compute_loss(
            self, model: Any, inputs: dict[str, Any], return_outputs: bool = False, num_items_in_batch: Any = None
        ) -> Any:
            if return_outputs or not hasattr(model, "get_decoder") or model.get_decoder() is None:
                return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            loss, correct = trained_positions_loss(model, inputs, num_items_in_batch)
            mode = "train" if model.training else "eval"
            trained = int((inputs["labels"][:, 1:] != -100).sum())
            self._metrics[mode]["mean_token_accuracy"].append(float(correct) / max(trained, 1))
            if mode == "train" and "attention_mask" in inputs:
                self._total_train_tokens += int(inputs["attention_mask"].sum())
                self._metrics[mode]["num_tokens"] = [self._total_train_tokens]
            return loss

    return TrainedPositionsSFTTrainer


def build_trainer(script: SFTScriptArguments, training: Any, model_args: Any) -> Any:
    """Load the model, tokenizer and rows and return a ready ``SFTTrainer``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import get_peft_config

    from pr2_agent.policy.resolve import checkpoint_dir
    from trainers.curves import TrainingCurvesCallback
    from trainers.trajectories import load_rows

    if not training.completion_only_loss:
        raise ValueError(
            "completion_only_loss must be true: without it the loss would also train the model to write "
            "the prompt and the retrieved <information> text it is given."
        )
    rows = load_rows(script.dataset_path)
    if script.max_train_samples is not None:
        rows = rows.select(range(min(script.max_train_samples, len(rows))))
    dataset = prepare_rows(rows, max_length=training.max_length)
    model_dir = checkpoint_dir(model_args.model_name_or_path)
    dtype = model_args.dtype if model_args.dtype in (None, "auto") else getattr(torch, model_args.dtype)
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(
        model_dir, dtype=dtype, attn_implementation=model_args.attn_implementation, local_files_only=True
    )
    peft_config = get_peft_config(model_args)
    if script.trainable_layers is not None:
        if peft_config is not None:
            peft_config = lora_on_top_layers(peft_config, model, script.trainable_layers)
            logger.info("LoRA on the top %d blocks", script.trainable_layers)
        else:
            n = freeze_below_top_layers(model, script.trainable_layers)
            logger.info("training the top %d blocks: %.1fM parameters", script.trainable_layers, n / 1e6)
    logger.info("SFT of %s on %d rows from %s", model_dir, len(dataset), script.dataset_path)
    trainer_class = _sft_trainer_class()
    return trainer_class(
        model=model,
        args=training,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=[TrainingCurvesCallback()],
    )


def train(script: SFTScriptArguments, training: Any, model_args: Any) -> Path:
    """Run SFT and write the checkpoint and a summary; return the output directory."""
    from trainers.saving import peak_rss_mb, save_final_model

    started = time.perf_counter()
    trainer = build_trainer(script, training, model_args)
    output_dir = Path(training.output_dir)
    result = trainer.train(resume_from_checkpoint=training.resume_from_checkpoint)
    train_seconds = time.perf_counter() - started
    save_final_model(trainer, trainer.processing_class, output_dir)
    if trainer.accelerator.is_main_process:
        summary = {
            "prompt_version": PROMPT_VERSION,
            "initial_model": str(model_args.model_name_or_path),
            "script_arguments": asdict(script),
            "num_rows": len(trainer.train_dataset),
            "global_steps": trainer.state.global_step,
            "train_seconds": round(train_seconds, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "train_metrics": result.metrics,
            "log_history": trainer.state.log_history,
        }
        (output_dir / SUMMARY_FILENAME).write_text(json.dumps(summary, indent=2, default=str) + "\n")
        write_policy_artifact(output_dir, str(model_args.model_name_or_path), summary)
        logger.info("done: %d steps in %.0f s; checkpoint in %s", trainer.state.global_step, train_seconds, output_dir)
    return output_dir


def write_policy_artifact(output_dir: Path, base: str, summary: dict[str, Any]) -> Path | None:
    """Pack a LoRA run over an embedded base as a shippable policy artifact (``OUTPUT/policy/``).

    ``pr2 ask --model OUTPUT/policy`` serves it; it is a few MB where the merged checkpoint is
    hundreds. Runs that trained full weights, or started from a checkpoint directory, have no
    artifact (the merged checkpoint is their result).
    """
    from pr2_agent.policy.resolve import BASE_ALIAS
    from pr2_agent.policy_artifact import pack_policy
    from pr2_agent.weights import DEFAULT_MODEL, EMBEDDED_MODELS
    from trainers.saving import ADAPTER_DIRNAME

    base = DEFAULT_MODEL if base == BASE_ALIAS else base
    if not (output_dir / ADAPTER_DIRNAME).is_dir() or base not in EMBEDDED_MODELS:
        return None
    last = [e for e in summary["log_history"] if "loss" in e]
    results = {
        "train_rows": summary["num_rows"],
        "steps": summary["global_steps"],
        "train_seconds": summary["train_seconds"],
        "final_loss": last[-1]["loss"] if last else None,
        "final_token_accuracy": last[-1].get("mean_token_accuracy") if last else None,
    }
    artifact = pack_policy(output_dir, output_dir / "policy", name=output_dir.name, base=base, results=results)
    logger.info("policy artifact (LoRA over %s): %s", base, artifact.directory)
    return artifact.directory


def main(argv: list[str] | None = None) -> int:
    """Parse ``--config`` and flags, then train."""
    from trl import ModelConfig, SFTConfig, TrlParser

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = TrlParser((SFTScriptArguments, SFTConfig, ModelConfig))  # type: ignore[arg-type]
    script, training, model_args = parser.parse_args_and_config(args=argv)
    train(script, training, model_args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
