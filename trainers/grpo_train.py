"""Train the PR2 policy with GRPO on the graph's own trajectories.

    python trainers/grpo_train.py --config trainers/configs/grpo_cpu.yaml
    python trainers/grpo_train.py --config trainers/configs/grpo_cpu.yaml --max_steps 2 --output_dir /tmp/x
    accelerate launch --num_processes 4 trainers/grpo_train.py --config trainers/configs/grpo_gpu.yaml

Every option is a field of one of three dataclasses and can be set in the YAML config or as a flag:
:class:`PR2ScriptArguments` (method, task, data, the graph runs' ``context``, advantage, judge), TRL's
``GRPOConfig`` (optimisation, K = ``num_generations``, sampling, ``max_completion_length``, logging,
saving) and TRL's ``ModelConfig`` (``model_name_or_path``, dtype, LoRA). ``context`` is a mapping of
:class:`pr2_agent.Context` fields (store, retriever, ``top_k``, ``max_searches``, ``max_new_tokens``
per turn): the template every rollout's run context is derived from, as in serving and evaluation.

The output directory ends up holding a standard transformers checkpoint (LoRA merged), its
tokenizer and chat template, ``training_curves.png`` and ``pr2_training.json`` (settings, timings,
peak memory, final metrics); ``pr2 ask --model DIR`` and ``pr2 eval --model DIR`` load it.
"""

from __future__ import annotations

from pr2_agent.run.environment import offline_defaults

# Before transformers/chromadb are imported: nothing may reach a model hub or phone home.
offline_defaults()

import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass, field, fields  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from pr2_agent.advantage import ADVANTAGE_KINDS, BASELINE_ADVANTAGES, K_SHIFT  # noqa: E402
from pr2_agent.context import Context  # noqa: E402
from pr2_agent.prompts import PROMPT_VERSION  # noqa: E402
from pr2_agent.rewards import REWARD_FUNCTIONS, SCORE_REWARD  # noqa: E402
from pr2_agent.run.judging import JUDGE_KINDS, JudgeSpec  # noqa: E402

# Run as `python trainers/grpo_train.py` from a checkout: only pr2_agent is installed, not `trainers`,
# so the checkout root goes on the import path.
if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

logger = logging.getLogger("trainers.grpo_train")

SUMMARY_FILENAME = "pr2_training.json"
DEFAULT_CONTEXT: dict[str, Any] = {"store_path": ".pr2/train-store", "max_new_tokens": 128}


@dataclass
class PR2ScriptArguments:
    """PR2-specific options (data, profile store, rollouts, advantage, judge)."""

    method: str = field(default="pr2", metadata={"help": "The method to train (pr2_agent.methods)."})
    task: str = field(default="lampqa", metadata={"help": "The task of train_file (pr2_agent.tasks)."})
    train_file: str = field(
        default="devset:train",
        metadata={"help": "Training data file of the task, or devset:train|dev|test for the bundled set."},
    )
    max_train_samples: int | None = field(
        default=None, metadata={"help": "Train on the first N questions only (None = all)."}
    )
    context: dict[str, Any] | str | None = field(
        default=None,
        metadata={
            "help": "Template of every rollout's pr2_agent.Context (YAML mapping or JSON): store_path, chroma_url, "
            f"collection, embedding, retriever, top_k, max_searches, max_new_tokens. Default: {DEFAULT_CONTEXT}."
        },
    )
    num_baseline: int = field(
        default=1,
        metadata={"help": "M: non-personalized rollouts per question, the advantage's baseline (PR2: 1)."},
    )
    max_batch: int = field(default=256, metadata={"help": "Largest generate batch during rollouts."})
    max_minutes: float | None = field(
        default=None,
        metadata={"help": "Wall-clock budget: stop (and save) after the step that crosses it; max_steps still caps."},
    )
    advantage: str = field(
        default="pr2",
        metadata={
            "help": "'pr2' (PR2's baseline-relative formula), 'contrastive' (personalized and non-personalized "
            "scores normalised as one group, only personalized rows trained) or 'grpo' (TRL's, no baseline)."
        },
    )
    k_shift: float = field(default=K_SHIFT, metadata={"help": "Weight of PR2's r_v / std_rag term."})
    reward_funcs: list[str] = field(
        default_factory=lambda: [SCORE_REWARD, "structure"],
        metadata={"help": f"Reward functions by name, from {sorted(REWARD_FUNCTIONS)}."},
    )
    score_reward: str | None = field(
        default=None,
        metadata={
            "help": "The reward function whose value is the score s_i (it also scores the non-personalized "
            "baseline answers): rubric_judge (LaMP-QA) or lamp_metric (LaMP). Default: the first of reward_funcs."
        },
    )
    judge: str = field(
        default="specifics",
        metadata={
            "help": "'proxy' (offline MiniLM similarity), 'specifics' (offline, credits the user's own facts) "
            "or 'lampqa' (LaMP-QA protocol, endpoint)."
        },
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
    reward_model_path: str | None = field(
        default=None,
        metadata={"help": "A trained reward model directory, for rewards that read one (PrLM's personalization_rm)."},
    )

    def __post_init__(self) -> None:
        """Validate the choices; messages name the option and the fix."""
        from pr2_agent.methods import get_method
        from pr2_agent.tasks import get_task

        problems = []
        for check in (lambda: get_method(self.method), lambda: get_task(self.task), self.run_context):
            try:
                check()
            except (ValueError, TypeError) as err:
                problems.append(str(err).rstrip("."))
        if self.advantage not in ADVANTAGE_KINDS:
            problems.append(f"advantage must be one of {ADVANTAGE_KINDS}, got {self.advantage!r}")
        if self.judge not in JUDGE_KINDS:
            problems.append(f"judge must be one of {JUDGE_KINDS}, got {self.judge!r}")
        if self.judge == "lampqa" and not self.judge_base_url:
            problems.append("judge 'lampqa' needs judge_base_url (the OpenAI-compatible endpoint serving it)")
        if self.advantage in BASELINE_ADVANTAGES and self.num_baseline < 1:
            problems.append(
                f"advantage {self.advantage!r} needs num_baseline >= 1 (its baseline); else use advantage 'grpo'"
            )
        if self.score_reward is not None and self.score_reward not in self.reward_funcs:
            problems.append(
                f"score_reward {self.score_reward!r} is not in reward_funcs {self.reward_funcs}; add it there"
            )
        if self.max_minutes is not None and not self.max_minutes > 0:
            problems.append(f"max_minutes must be > 0, got {self.max_minutes}; leave it unset to train for max_steps")
        if self.max_train_samples is not None and self.max_train_samples < 1:
            problems.append(f"max_train_samples must be >= 1, got {self.max_train_samples}")
        if problems:
            raise ValueError("Invalid PR2 training options: " + "; ".join(problems) + ".")

    def score_reward_name(self) -> str:
        """The score reward's name: ``score_reward``, else the first of ``reward_funcs``."""
        return self.score_reward or (self.reward_funcs[0] if self.reward_funcs else SCORE_REWARD)

    def run_context(self) -> Context:
        """The template Context of every rollout (``context`` over the training defaults)."""
        given = json.loads(self.context) if isinstance(self.context, str) else (self.context or {})
        if not isinstance(given, dict):
            raise TypeError(f"context must be a mapping of pr2_agent.Context fields, got {type(given).__name__}")
        unknown = sorted(set(given) - {f.name for f in fields(Context)})
        if unknown:
            raise ValueError(f"context has unknown keys {unknown}; use pr2_agent.Context fields")
        return Context(**{**DEFAULT_CONTEXT, **given})

    def judge_spec(self) -> JudgeSpec:
        """The rubric judge the options name."""
        return JudgeSpec(
            kind=self.judge,
            base_url=self.judge_base_url,
            model=self.judge_model,
            continuous=self.judge_continuous,
            concurrency=self.judge_concurrency,
            max_tokens=self.judge_max_tokens,
        )


def train(script: PR2ScriptArguments, training: Any, model_args: Any) -> Path:
    """Run PR2 GRPO training and return the output directory."""
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import get_peft_config

    from pr2_agent.methods import get_method
    from pr2_agent.policy.resolve import checkpoint_dir
    from pr2_agent.rewards import build_reward_functions
    from pr2_agent.run.data import load_examples
    from pr2_agent.run.ingest import open_store_with_profiles
    from pr2_agent.run.judging import check_judge, make_judge
    from pr2_agent.run.rows import training_rows
    from pr2_agent.tasks import get_task
    from trainers.curves import TrainingCurvesCallback
    from trainers.pr2_trainer import PR2GRPOTrainer
    from trainers.rollout import RolloutSettings, make_rollout_func
    from trainers.saving import peak_rss_mb, save_final_model
    from trainers.time_budget import TimeBudgetCallback

    started = time.perf_counter()
    if training.use_vllm:  # refuse unsupported vLLM setups before loading anything
        from trainers.vllm_policy import check_vllm_rollouts

        check_vllm_rollouts(training, training.world_size)
    output_dir = Path(training.output_dir)
    method, task, context = get_method(script.method), get_task(script.task), script.run_context()
    examples = load_examples([script.train_file], task)
    if script.max_train_samples is not None:
        examples = examples[: script.max_train_samples]
    if not examples:
        raise ValueError(f"train_file {script.train_file!r} holds no records.")
    logger.info("training %s on %d %s questions from %s", method.name, len(examples), task.name, script.train_file)

    judge = make_judge(script.judge_spec())
    check_judge(task, examples[0], judge)
    reward_funcs = build_reward_functions(script.reward_funcs, judge, reward_model_path=script.reward_model_path)
    # The score reward also scores the non-personalized baselines: any task's score (judge or metric).
    score_name = script.score_reward_name()
    scorer = next((r for r in reward_funcs if getattr(r, "__name__", None) == score_name), None)

    # With several processes the main one ingests first; the others then find every user stored.
    with training.main_process_first(desc="profile store"):
        store = open_store_with_profiles(
            examples,
            context.store_path,
            url=context.chroma_url,
            collection=context.collection,
            embedding=context.embedding,
            retriever=context.retriever or "dense",
            progress=not training.disable_tqdm,
        )
    settings = RolloutSettings(context=context, num_baseline=script.num_baseline, max_batch=script.max_batch)
    rollout = make_rollout_func(store, settings, scorer if script.num_baseline > 0 else None, method=method)

    model_dir = checkpoint_dir(model_args.model_name_or_path)
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
        train_dataset=Dataset.from_list(training_rows(examples, task, method)),
        processing_class=tokenizer,
        peft_config=get_peft_config(model_args),
        rollout_func=rollout,
        callbacks=[TrainingCurvesCallback()]
        + ([TimeBudgetCallback(script.max_minutes)] if script.max_minutes is not None else []),
        advantage=script.advantage,  # type: ignore[arg-type]  # validated in __post_init__
        score_reward=score_name,
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
            "seed": training.seed,
            "num_questions": len(examples),
            "global_steps": trainer.state.global_step,
            "train_seconds": round(train_seconds, 2),
            "seconds_per_step": round(train_seconds / steps, 2),
            "total_seconds": round(time.perf_counter() - started, 2),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "train_metrics": result.metrics,
            "last_log": next((e for e in reversed(trainer.state.log_history) if "reward" in e), None),
            "log_history": trainer.state.log_history,  # every logged step: reward curves across runs
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
