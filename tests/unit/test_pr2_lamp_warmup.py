"""PR2's LaMP warm-up rows: real PR2 graph runs whose turns cite only what the inserted information shows."""

from __future__ import annotations

import dataclasses
import doctest
import json
import random
import re
from pathlib import Path

import pytest
import yaml

from pr2_agent.context import Context
from pr2_agent.data.lamp import LaMPProfileItem
from pr2_agent.methods import get_method
from pr2_agent.parsing import parse_action
from pr2_agent.tasks.lamp import render_item
from tests.fakes import FakeHit, FakeStore
from trainers.pr2_lamp_warmup import (
    WARMUP_TASKS,
    SeenOutput,
    Support,
    Unsupported,
    WarmupPolicy,
    build_rows,
    information_outputs,
    load_task_examples,
    main,
    named_labels,
    plan_turn,
    reasoning,
    subject_words,
    support_for,
)
from trainers.sft_train import prepare_rows
from trainers.trajectories import load_rows, run_context, write_dataset

CONTEXT = Context(top_k=3, retriever="dense", max_searches=1, max_new_tokens=64)
_INFO = re.compile(r"\n\n<information>\n.*?\n</information>\n\n", re.DOTALL)
_THINK = re.compile(r"<think>(.*?)</think>", re.DOTALL)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    from tests.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def tokenizer(tiny_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_dir)


@pytest.fixture(scope="module")
def examples():
    return load_task_examples([2, 3], "train", 6)


@pytest.fixture(scope="module")
def store(tmp_path_factory, examples):
    from pr2_agent.run.ingest import open_store_with_profiles

    return open_store_with_profiles([e for _, e in examples], tmp_path_factory.mktemp("store"), embedding="hash")


@pytest.fixture(scope="module")
def data(examples, store, tokenizer):
    return build_rows(examples, store=store, tokenizer=tokenizer, context=CONTEXT)


def test_doctests():
    import trainers.pr2_lamp_warmup as module

    result = doctest.testmod(module)
    assert result.attempted >= 8 and result.failed == 0


@pytest.mark.parametrize("task", sorted(WARMUP_TASKS))
def test_the_output_is_read_back_from_every_bundled_item_as_the_graph_renders_it(task):
    """information_outputs inverts render_item (+ the graph's item line) on every profile item of every split."""
    from pr2_agent.parsing import render_information

    field_name = {2: "tag", 3: "score"}[task]
    for split in ("train", "dev", "test"):
        for _, example in load_task_examples([task], split, None):
            items: list[LaMPProfileItem] = list(example.reference.profile)
            hits = [FakeHit(i.id, render_item(task, i), 0.5) for i in items]
            seen = information_outputs(WARMUP_TASKS[task], render_information(hits))
            assert [s.output for s in seen] == [i.fields[field_name] for i in items]


def test_support_kinds():
    seen = [SeenOutput(1, "comedy"), SeenOutput(2, "romance"), SeenOutput(3, "comedy")]
    assert support_for(seen, "comedy") == Support("plurality", (1, 3), {"romance": (2,)})
    assert support_for(seen, "romance").kind == "minority"
    assert support_for([SeenOutput(1, "a"), SeenOutput(2, "b")], "a").kind == "top"
    assert support_for([SeenOutput(1, "a"), SeenOutput(2, "a")], "a").kind == "all"
    assert support_for([SeenOutput(1, "a"), SeenOutput(2, None)], "a").kind == "plurality"  # unreadable: no 'all'
    assert support_for(seen, "classic") is None and support_for([], "a") is None


@pytest.mark.parametrize("seed", range(12))
def test_every_wording_names_only_the_outputs_it_was_given(seed):
    cases = [
        Support("all", (1, 2, 3)),
        Support("plurality", (1, 3), {"comedy": (2,)}),
        Support("top", (1,), {"romance": (2,), "fantasy": (3,)}),
        Support("minority", (3,), {"comedy": (1, 2)}),
    ]
    for support in cases:
        text = reasoning(WARMUP_TASKS[2], support, "dark comedy", random.Random(seed))
        assert set(named_labels(text)) == {"dark comedy", *support.others}, text
        assert "[3]" in text or support.kind == "all"
        if support.kind == "top":
            assert "[1] is the closest movie." in text


def _turn_two(policy: WarmupPolicy, outputs: list[str]) -> str:
    from pr2_agent.parsing import render_information
    from pr2_agent.policy.base import GenerationRequest
    from pr2_agent.trajectory import env_segment, model_segment

    hits = [FakeHit(f"i{n}", f'the tag for the movie: "A film {n}." is "{o}"', 0.5) for n, o in enumerate(outputs)]
    segments = [model_segment("<search>x</search>", None), env_segment(render_information(hits), None, ["i0"])]
    return policy.generate(GenerationRequest(messages=[], segments=segments)).text


def test_a_thought_naming_a_tag_the_information_does_not_show_is_refused():
    """The policy checks its own thought: a template that invents a tag is a bug, never a row."""
    honest = WarmupPolicy(WARMUP_TASKS[2], "description: a robot", "comedy", seed="s")
    assert _turn_two(honest, ["comedy", "romance"]).endswith("<answer>comedy</answer>")
    inventing = dataclasses.replace(WARMUP_TASKS[2], conclusions=('So "classic", not "{gold}".',))
    with pytest.raises(ValueError, match=r"names \['classic'\], which the information does not show"):
        _turn_two(WarmupPolicy(inventing, "description: a robot", "comedy", seed="s"), ["comedy", "romance"])
    with pytest.raises(Unsupported, match="gold not supported"):
        _turn_two(honest, ["romance"])


def test_the_first_turn_never_depends_on_the_gold_and_searches_with_the_input_s_words(examples):
    for n, example in examples:
        text, query = plan_turn(WARMUP_TASKS[n], example.question, random.Random(example.id))
        assert parse_action(text).kind == "search" and parse_action(text).payload == query
        words = set(re.findall(r"[a-z0-9'-]+", example.question.lower()))
        assert set(subject_words(WARMUP_TASKS[n], example.question)) <= words
        assert any(w in query.split() for w in subject_words(WARMUP_TASKS[n], example.question))


def test_an_input_without_content_words_is_refused():
    with pytest.raises(ValueError, match="no content words"):
        plan_turn(WARMUP_TASKS[2], "Which tag? description: a an the", random.Random(0))


def test_rows_parse_back_to_the_gold_through_the_pr2_graph(data, examples):
    by_id = {e.id: (n, e) for n, e in examples}
    assert {r["lamp_task"] for r in data.rows} == {2, 3} and len(data.rows) >= 8
    for row in data.rows:
        n, example = by_id[row["record_id"]]
        assert row["gold"] == example.reference.output and row["answer"] == row["gold"]
        assert row["finish"] == "answer" and row["num_searches"] == 1 and len(row["retrieved_ids"]) == 3
        assert row["text"].count("<information>") == 1 and row["text"].endswith(f"<answer>{row['gold']}</answer>")
        assert row["reasoning"] in row["text"] and max(row["turn_tokens"]) <= CONTEXT.max_new_tokens
        # The gold shows in the thought only as what a cited item carries, never before the information.
        assert row["gold"] not in row["text"].split("<information>")[0].split("<search>")[0]


def test_the_thought_cites_the_items_carrying_the_gold_and_names_only_what_the_information_shows(data):
    for row in data.rows:
        task = WARMUP_TASKS[row["lamp_task"]]
        block = _INFO.search(row["text"]).group(0)
        seen = information_outputs(task, block)
        gold_ranks = [s.rank for s in seen if s.output == row["gold"]]
        cited = all(f"[{r}]" in row["reasoning"] for r in gold_ranks)
        assert gold_ranks and (cited or (row["support"] == "all" and f"All {len(seen)} retrieved" in row["reasoning"]))
        shown = {s.output for s in seen}
        if row["lamp_task"] == 2:
            for think in _THINK.findall(row["text"]):
                assert set(named_labels(think)) <= shown, (think, shown)
        else:  # a rating is named after "score" or "carry"/"carries" only, and must be one shown
            named = re.findall(
                r"(?:score(?: of)?|carry|carries|answer|got this user's score) ([1-5])\b", row["reasoning"]
            )
            assert named and set(named) <= shown, (row["reasoning"], shown)


def test_the_loss_mask_covers_both_turns_and_eos_and_excludes_the_information(data, tokenizer):
    for row in data.rows:
        n_prompt = len(row["prompt_ids"])
        completion = row["input_ids"][n_prompt:]
        mask = row["completion_mask"][n_prompt:]
        assert row["completion_mask"][:n_prompt] == [0] * n_prompt
        info = _INFO.search(row["text"]).group(0)
        turn1, turn2 = row["text"].split(info)
        enc = tokenizer(info, add_special_tokens=False).input_ids
        assert [i for i, m in zip(completion, mask, strict=True) if m == 0] == enc
        trained = [i for i, m in zip(completion, mask, strict=True) if m == 1]
        assert trained == tokenizer(turn1, add_special_tokens=False).input_ids + tokenizer(
            turn2, add_special_tokens=False
        ).input_ids + [tokenizer.eos_token_id]


def test_rows_are_what_sft_train_trains_on(data, tmp_path):
    dataset = prepare_rows(load_rows(write_dataset(data.rows, tmp_path / "w.jsonl")), max_length=1024)
    assert len(dataset) == len(data.rows) and dataset.column_names == ["input_ids", "completion_mask"]


def _one_user_store(example, outputs: list[str]) -> FakeStore:
    texts = [f'the tag for the movie: "A film number {i}." is "{o}"' for i, o in enumerate(outputs)]
    return FakeStore({example.user_id: [(f"i{i}", t) for i, t in enumerate(texts)]})


def test_unsupported_records_are_left_out_and_counted(examples, tokenizer):
    (n, example), gold = examples[0], examples[0][1].reference.output
    other = "fantasy" if gold != "fantasy" else "romance"
    context = Context(top_k=3, max_searches=1, max_new_tokens=64)
    cases = {
        "gold not supported": [other, other, other],
        "gold not leading": [other, other, gold],
    }
    for reason, outputs in cases.items():
        store = _one_user_store(example, outputs)
        data = build_rows([(n, example)], store=store, tokenizer=tokenizer, context=context, min_support="leading")
        assert data.rows == [] and data.left_out == {reason: [example.id]}
    store = _one_user_store(example, [other, other, gold])
    (row,) = build_rows([(n, example)], store=store, tokenizer=tokenizer, context=context).rows
    assert row["support"] == "minority" and row["answer"] == gold
    # It says only what the block shows: [3] carries the gold, [1] and [2] the other tag.
    assert re.search(rf'\[3\][^.]*"{re.escape(gold)}"', row["reasoning"]), row["reasoning"]
    assert f'[1] and [2] carry "{other}"' in row["reasoning"]


class OneFormStore:
    """Shows the gold-tagged item only to queries of one form ("movies like ..."), another tag to all others."""

    def __init__(self, user_id: str, gold: str, other: str) -> None:
        self.user_id, self.gold, self.other = user_id, gold, other
        self.queries: list[str] = []

    def search(self, user_id: str, query: str, k: int) -> list[FakeHit]:
        assert user_id == self.user_id
        self.queries.append(query)
        tag = self.gold if query.startswith("movies like ") else self.other
        return [FakeHit("i0", f'the tag for the movie: "A film." is "{tag}"', 0.9)]


def test_probing_picks_a_query_form_whose_results_carry_the_gold(examples, tokenizer):
    (n, example), gold = examples[0], examples[0][1].reference.output
    other = "fantasy" if gold != "fantasy" else "romance"
    context = Context(top_k=1, max_searches=1, max_new_tokens=64)
    store = OneFormStore(example.user_id, gold, other)
    (row,) = build_rows([(n, example)], store=store, tokenizer=tokenizer, context=context, probe_queries=True).rows
    assert row["searches"][0].startswith("movies like ") and row["answer"] == gold
    assert gold not in row["searches"][0]  # the gold picks the form, it never enters the query
    # Without probing the record's seeded first form is used, and it gives no row unless it is that form.
    plain = build_rows([(n, example)], store=store, tokenizer=tokenizer, context=context)
    first = plan_turn(WARMUP_TASKS[n], example.question, random.Random(f"{example.id}:0"))[1]
    assert (plain.rows != []) == first.startswith("movies like ")


def test_turns_over_the_rollout_budget_are_left_out(examples, store, tokenizer):
    data = build_rows(examples[:2], store=store, tokenizer=tokenizer, context=Context(top_k=3, max_new_tokens=12))
    assert data.rows == [] and data.left_out == {"turn > max_new_tokens": [e.id for _, e in examples[:2]]}
    data = build_rows(examples[:2], store=store, tokenizer=tokenizer, context=CONTEXT, max_completion_length=50)
    assert data.left_out == {"completion > max_completion_length": [e.id for _, e in examples[:2]]}


def test_the_prompt_is_the_one_the_served_pr2_graph_feeds_the_policy(data, examples, store, tiny_dir):
    """Serve a record with the PR2 graph on a real (tiny) local policy: same prompt ids, same first query's items."""
    from pr2_agent.policy.local import LocalPolicy

    row = data.rows[0]
    example = next(e for _, e in examples if e.id == row["record_id"])
    graph = get_method("pr2").build_graph(model=LocalPolicy(tiny_dir, seed=0), store=store)
    served = graph.invoke(
        {"question": example.question},
        context=run_context(Context(top_k=3, max_new_tokens=2, temperature=0.0), example),
    )
    assert served["prompt_ids"] == row["prompt_ids"]


def test_main_writes_rows_and_a_summary(tiny_dir, tmp_path, capsys):
    out = tmp_path / "warmup.jsonl"
    argv = ["--tasks", "3", "--limit", "3", "--tokenizer", str(tiny_dir), "--embedding", "hash",
            "--store", str(tmp_path / "store"), "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["lamp_task"] for r in written] == [3, 3, 3] and all(r["source"] == "pr2-lamp-warmup" for r in written)
    printed = capsys.readouterr().out
    assert "rows: 3 {3: 3}" in printed and "turn tokens:" in printed and "support:" in printed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tasks", "1"], "--tasks takes the LaMP classification tasks [2, 3]"),
        (["--tasks", "4"], "--tasks takes the LaMP classification tasks [2, 3]"),
        (["--top-k", "0"], "--top-k must be >= 1"),
        (["--max-new-tokens", "0"], "--max-new-tokens must be >= 1"),
        (["--limit", "-1"], "--limit must be >= 1"),
    ],
)
def test_bad_arguments_are_one_line(argv, message, tmp_path, capsys):
    assert main([*argv, "--out", str(tmp_path / "x.jsonl")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_bad_out_suffix_and_an_unknown_tokenizer_are_one_line(tmp_path, capsys):
    assert main(["--out", str(tmp_path / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert "must end in .jsonl, .json or .parquet" in err and err.count("\n") == 1
    argv = ["--tasks", "2", "--limit", "1", "--tokenizer", str(tmp_path / "nope"), "--embedding", "hash",
            "--store", str(tmp_path / "store"), "--out", str(tmp_path / "x.jsonl")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("pr2_lamp_warmup: error: ") and err.count("\n") == 1


CONFIGS = Path(__file__).resolve().parents[2] / "trainers" / "configs"


def test_the_configs_chain_warmup_rows_to_sft_to_grpo():
    """pr2_lamp_sft_cpu.yaml trains the shipped policy on the rows; grpo_lamp2_warm_cpu.yaml starts GRPO from its
    checkpoint and is otherwise grpo_lamp2_cpu.yaml, whose rollout context the warm-up's defaults reproduce."""
    from trl import GRPOConfig, ModelConfig, SFTConfig, TrlParser

    from trainers.grpo_train import PR2ScriptArguments
    from trainers.pr2_lamp_warmup import build_parser
    from trainers.sft_train import SFTScriptArguments

    sft_path, warm_path = CONFIGS / "pr2_lamp_sft_cpu.yaml", CONFIGS / "grpo_lamp2_warm_cpu.yaml"
    sft_script, sft, sft_model = TrlParser((SFTScriptArguments, SFTConfig, ModelConfig)).parse_args_and_config(
        args=["--config", str(sft_path)]
    )
    grpo_script, grpo, grpo_model = TrlParser((PR2ScriptArguments, GRPOConfig, ModelConfig)).parse_args_and_config(
        args=["--config", str(warm_path)]
    )
    assert sft.completion_only_loss and sft_model.use_peft and sft_model.model_name_or_path == "embedded"
    assert grpo_model.model_name_or_path == sft.output_dir
    assert grpo_script.method == "pr2" and grpo_script.task == "lamp2"

    cold, warm = (yaml.safe_load((CONFIGS / name).read_text()) for name in ("grpo_lamp2_cpu.yaml", warm_path.name))
    assert {k for k in cold if cold[k] != warm[k]} == {"model_name_or_path", "output_dir"}

    defaults = build_parser().parse_args(["--out", sft_script.dataset_path])
    rollout = grpo_script.run_context()
    assert (defaults.store, defaults.embedding, defaults.retriever) == (
        rollout.store_path,
        rollout.embedding,
        rollout.retriever,
    )
    assert (defaults.top_k, defaults.max_new_tokens) == (rollout.top_k, rollout.max_new_tokens)
    assert rollout.max_searches == 1 and defaults.max_completion_length == grpo.max_completion_length
    assert defaults.tokenizer == sft_model.model_name_or_path
    # Every row fits SFT's max_length: prompt (~375 SmolLM2 tokens) + completion (<= max_completion_length).
    assert sft.max_length >= 400 + grpo.max_completion_length
