"""PR2 GRPO end to end on CPU: a tiny random model, an in-memory store, a deterministic judge.

Checks that training steps run and move the weights, that inserted tokens are masked exactly where
the graph inserted them, that the advantage trained on is PR2's formula, and that the saved
checkpoint loads back into the graph and answers.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

K = 2  # personalized rollouts per question (num_generations)
QUESTIONS = 2  # questions per step
MAX_COMPLETION = 200  # room for whole trajectories (3 turns of 8 tokens + observations)


def _records():
    from pr2_agent.data.lampqa import Aspect, LaMPQARecord, ProfileEntry

    return [
        LaMPQARecord(
            "u1",
            "What should I cook tonight ?",
            "I do not eat meat and I like quick meals.",
            [Aspect("vegetables", "no meat", "I do not eat meat"), Aspect("quick", "busy", "quick meals")],
            [ProfileEntry("a", "I do not eat meat"), ProfileEntry("b", "I love fish and rice")],
        ),
        LaMPQARecord(
            "u2",
            "Where should I travel this summer ?",
            "I love the sun and I swim every day.",
            [Aspect("swim", "loves water", "I swim every day"), Aspect("sun", "warm", "I love the sun")],
            [
                ProfileEntry("c", "I swim every day in the pool"),
                ProfileEntry("d", "My family likes the city"),
            ],
        ),
    ]


class HashJudge:
    """Fast deterministic judge whose scores vary with the answer text (a random model's answers
    would all score 0 on a word-match judge, which would leave the advantage formula untested)."""

    name = "hash-judge"
    is_proxy = True

    def judge(self, question, narrative, aspects, response):
        from pr2_agent.judges import JudgeItem

        return self.judge_batch([JudgeItem(question, narrative, aspects, response)])[0]

    def judge_batch(self, items):
        import hashlib

        from pr2_agent.judges import JudgeResult
        from pr2_agent.judges.base import AspectJudgement

        def score(text: str) -> int:
            return hashlib.sha256(text.encode()).digest()[0] % 3

        return [
            JudgeResult.from_judgements(
                [AspectJudgement(a.aspect, score(a.aspect + item.response), None) for a in item.aspects]
            )
            for item in items
        ]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from tests.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


def _examples(records):
    from pr2_agent.tasks.lampqa import lampqa_example

    return [lampqa_example(r) for r in records]


def _dataset(records):
    from datasets import Dataset

    from pr2_agent.methods import get_method
    from pr2_agent.run.rows import training_rows
    from pr2_agent.tasks import get_task

    return Dataset.from_list(training_rows(_examples(records), get_task("lampqa"), get_method("pr2")))


def _settings(*, num_baseline=1, **context):
    from pr2_agent.context import Context
    from trainers.rollout import RolloutSettings

    return RolloutSettings(context=Context(**context), num_baseline=num_baseline)


def _store(records):
    import chromadb
    from chromadb.config import Settings

    from pr2_agent.run.ingest import open_store_with_profiles

    client = chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))
    return open_store_with_profiles(
        _examples(records), None, client=client, embedding="hash", collection=f"grpo-{uuid.uuid4().hex[:8]}"
    )


def _config(out: Path, **overrides):
    from trl import GRPOConfig

    values = dict(
        output_dir=str(out),
        use_cpu=True,
        bf16=False,
        per_device_train_batch_size=K * QUESTIONS,
        gradient_accumulation_steps=1,
        num_generations=K,
        max_completion_length=MAX_COMPLETION,
        max_steps=2,
        learning_rate=5e-2,
        temperature=1.0,
        top_p=1.0,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        gradient_checkpointing=False,
        disable_tqdm=True,
        seed=0,
    )
    values.update(overrides)
    return GRPOConfig(**values)


def test_pr2_grpo_trains_masks_and_saves_a_loadable_policy(tiny_model, tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from pr2_agent import build_graph
    from pr2_agent.advantage import pr2_group_advantages
    from pr2_agent.policy.local import LocalPolicy
    from pr2_agent.rewards import build_reward_functions
    from trainers.curves import CURVES_FILENAME, TrainingCurvesCallback
    from trainers.pr2_trainer import PR2GRPOTrainer
    from trainers.rollout import GraphRollout
    from trainers.saving import save_final_model

    records = _records()
    store = _store(records)
    rewards = build_reward_functions(["rubric_judge", "structure"], HashJudge())
    settings = _settings(num_baseline=1, top_k=2, max_searches=1, max_new_tokens=8)
    rollout = GraphRollout(store, settings, rewards[0])

    tokenizer = AutoTokenizer.from_pretrained(tiny_model, padding_side="left")
    model = AutoModelForCausalLM.from_pretrained(tiny_model, dtype=torch.float32)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    out_dir = tmp_path / "out"
    trainer = PR2GRPOTrainer(
        model=model,
        reward_funcs=rewards,
        args=_config(out_dir),
        train_dataset=_dataset(records),
        processing_class=tokenizer,
        rollout_func=rollout,
        callbacks=[TrainingCurvesCallback()],
    )
    steps = []
    original = trainer._generate_and_score_completions

    def capture(inputs):
        output = original(inputs)
        steps.append(([dict(x) for x in inputs], output, rollout.last_batch))
        return output

    trainer._generate_and_score_completions = capture
    trainer.train()

    # 1. Steps ran and the weights moved.
    assert trainer.state.global_step == 2 and len(steps) == 2
    assert any(not torch.equal(before[n], p.detach()) for n, p in model.named_parameters())

    masked_tokens = 0
    advantages = []
    for inputs, output, batch in steps:
        assert len(inputs) == K * QUESTIONS and len(batch.samples) == K * QUESTIONS
        assert sum(len(v) for v in batch.baselines.values()) == QUESTIONS  # M=1 per question, not trained
        tool_mask = output["tool_mask"]
        completion_mask = output["completion_mask"]
        for row, sample in enumerate(batch.samples):
            # 2. Masks: 0 exactly on the tokens the graph inserted, 1 on sampled ones (+ a final EOS).
            expected_ids, expected_mask = [], []
            for seg in sample.output["segments"]:
                expected_ids += seg["token_ids"]
                expected_mask += [1 if seg["kind"] == "model" else 0] * len(seg["token_ids"])
            n = int(completion_mask[row].sum())
            ids = output["completion_ids"][row, :n].tolist()
            mask = tool_mask[row, :n].tolist()
            assert len(expected_ids) <= n <= len(expected_ids) + 1 <= MAX_COMPLETION  # nothing was cut
            assert ids[: len(expected_ids)] == expected_ids
            assert mask[: len(expected_ids)] == expected_mask
            if n > len(expected_ids):  # the appended EOS is trained on
                assert ids[-1] == tokenizer.eos_token_id and mask[-1] == 1
            masked_tokens += mask.count(0)

        # 3. The advantage is PR2's formula over the judge score, plus the structure penalty.
        scores = rewards[0](prompts=[None] * len(inputs), completions=[None] * len(inputs), **_columns(inputs))
        penalties = rewards[1](prompts=[None] * len(inputs), completions=[None] * len(inputs), **_columns(inputs))
        expected = []
        for start in range(0, len(inputs), K):
            rid = inputs[start]["record_id"]
            assert all(x["record_id"] == rid for x in inputs[start : start + K])
            r_v = batch.baseline_scores[rid]
            assert all(x["baseline_score"] == r_v for x in inputs[start : start + K])
            expected += pr2_group_advantages(scores[start : start + K], r_v, penalties[start : start + K])
        assert output["advantages"].tolist() == pytest.approx(expected, abs=1e-5)
        advantages += expected
    # The checks above were not vacuous: observations were inserted and advantages differ.
    assert masked_tokens > 0
    assert len({round(a, 6) for a in advantages}) > 1

    logged = [e for e in trainer.state.log_history if "pr2/baseline_score" in e]
    assert len(logged) == 2
    for key in (
        "pr2/personalized_score",
        "pr2/advantage_mean",
        "pr2/searches_per_rollout",
        "pr2/answer_rate",
    ):
        assert key in logged[0]
    assert (out_dir / CURVES_FILENAME).stat().st_size > 0

    # 4. The saved checkpoint is a plain HF directory the graph loads and answers with.
    save_final_model(trainer, tokenizer, out_dir)
    policy = LocalPolicy(out_dir)
    graph = build_graph(model=policy, store=store)
    result = graph.invoke(
        {"question": records[0].question}, context={"user_id": "u1", "max_new_tokens": 8, "temperature": 0}
    )
    assert result["finish"] in ("answer", "forced") and isinstance(result["answer"], str)
    reloaded = AutoModelForCausalLM.from_pretrained(out_dir)
    assert torch.equal(reloaded.state_dict()["lm_head.weight"], model.state_dict()["lm_head.weight"])


def _columns(inputs):
    names = ("answer", "model_text", "question", "narrative", "rubric_aspects")
    return {name: [x[name] for x in inputs] for name in names}


def test_lora_training_is_merged_into_a_plain_checkpoint(tiny_model, tmp_path):
    import torch
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from pr2_agent.rewards import build_reward_functions
    from trainers.pr2_trainer import PR2GRPOTrainer
    from trainers.rollout import GraphRollout
    from trainers.saving import save_final_model

    records = _records()
    rewards = build_reward_functions(["rubric_judge", "structure"], HashJudge())
    rollout = GraphRollout(
        _store(records), _settings(num_baseline=1, max_searches=1, max_new_tokens=6), rewards[0]
    )
    tokenizer = AutoTokenizer.from_pretrained(tiny_model, padding_side="left")
    model = AutoModelForCausalLM.from_pretrained(tiny_model, dtype=torch.float32)
    out_dir = tmp_path / "lora"
    trainer = PR2GRPOTrainer(
        model=model,
        reward_funcs=rewards,
        args=_config(out_dir, max_steps=1),
        train_dataset=_dataset(records),
        processing_class=tokenizer,
        rollout_func=rollout,
        peft_config=LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"),
    )
    trainer.train()
    save_final_model(trainer, tokenizer, out_dir)
    assert (out_dir / "config.json").is_file() and not (out_dir / "adapter_config.json").exists()
    merged = AutoModelForCausalLM.from_pretrained(out_dir)
    assert not any("lora" in name for name in merged.state_dict())
    original = AutoModelForCausalLM.from_pretrained(tiny_model)
    changed = [n for n, p in merged.state_dict().items() if not torch.equal(p, original.state_dict()[n])]
    assert changed and all("q_proj" in n or "v_proj" in n for n in changed)


def test_grpo_train_entry_point(tiny_model, tmp_path):
    """The script path: TrlParser options, data file, store, proxy judge, training, merged save, summary."""
    from trainers.grpo_train import SUMMARY_FILENAME, main

    data = tmp_path / "train.json"
    data.write_text(json.dumps([r.to_dict() for r in _records()]))
    out_dir = tmp_path / "cli"
    argv = [
        "--model_name_or_path", str(tiny_model),
        "--train_file", str(data),
        "--context", json.dumps(
            {"store_path": str(tmp_path / "store"), "embedding": "hash", "max_searches": 1, "max_new_tokens": 6}
        ),
        "--judge", "proxy",
        "--num_baseline", "1",
        "--output_dir", str(out_dir),
        "--use_cpu", "true", "--bf16", "false",
        "--per_device_train_batch_size", "4",
        "--num_generations", "2",
        "--max_completion_length", "120",
        "--max_steps", "1",
        "--save_strategy", "no",
        "--report_to", "none",
        "--gradient_checkpointing", "false",
        "--disable_tqdm", "true",
    ]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads((out_dir / SUMMARY_FILENAME).read_text())
    assert summary["global_steps"] == 1 and summary["judge_is_proxy"] is True
    assert summary["peak_rss_mb"] > 0 and summary["seconds_per_step"] > 0
    assert (out_dir / "config.json").is_file() and (out_dir / "tokenizer_config.json").is_file()


@pytest.mark.parametrize("name", ["grpo_cpu.yaml", "grpo_gpu.yaml"])
def test_shipped_configs_parse(name):
    """Both configs parse into the three dataclasses and pass PR2's validation (CPU flags win for gpu).

    vLLM itself needs a GPU, so for the gpu config only its settings are checked, not the engine."""
    from trl import GRPOConfig, ModelConfig, TrlParser

    from trainers.grpo_train import PR2ScriptArguments

    config = Path(__file__).resolve().parents[2] / "trainers" / "configs" / name
    parser = TrlParser((PR2ScriptArguments, GRPOConfig, ModelConfig))
    cpu_flags = ["--use_cpu", "true", "--bf16", "false"] if name == "grpo_gpu.yaml" else []
    script, training, model_args = parser.parse_args_and_config(args=["--config", str(config), *cpu_flags])
    assert script.advantage == "pr2" and script.num_baseline == 1 and training.num_generations == 4
    context = script.run_context()  # the YAML's context: mapping is a validated pr2_agent.Context
    assert context.top_k == 3 and context.max_searches == 3 and context.max_new_tokens in (192, 256)
    assert training.generation_batch_size % training.num_generations == 0
    assert model_args.model_name_or_path
    assert training.use_vllm is (name == "grpo_gpu.yaml")
    if training.use_vllm:  # its vLLM settings can drive graph rollouts on the documented 4-process launch
        from trainers.vllm_policy import check_vllm_rollouts

        check_vllm_rollouts(training, num_processes=4)
