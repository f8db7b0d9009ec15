"""LaMP tasks 1-7: LaMP's prompts, output parsing, metrics, real-format files in and out."""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from typing import Any

import pytest

from pr2_agent.data.lamp import LaMPProfileItem
from pr2_agent.data.lamp_metrics import evaluate_lamp
from pr2_agent.run.data import load_examples, resolve_data_path
from pr2_agent.tasks import get_task, lamp, task_names
from pr2_agent.tasks.lamp import parse_prediction, rag_prompt, render_item


def test_doctests() -> None:
    result = doctest.testmod(lamp, raise_on_error=False)
    assert result.attempted > 0 and result.failed == 0


def test_seven_tasks_are_registered_and_metric_scored() -> None:
    assert [n for n in task_names() if n.startswith("lamp") and n != "lampqa"] == [f"lamp{i}" for i in range(1, 8)]
    assert all(not get_task(f"lamp{i}").judged for i in range(1, 8))


# ------------------------------------------------------------------------------ LaMP's own prompts
def _lamp_prompt(task: int, inp: str, profile: list[dict[str, str]]) -> str:
    """A port of LaMP's create_*_prompt (prompts.py) without its token truncation."""
    if task == 1:
        joined = ", and ".join(f'"{p["title"]}"' for p in profile)
        at = inp.find("title")
        return inp[: at + 5] + ", and " + joined + inp[at + 5 :]
    fragment = {
        2: lambda p: f'the tag for the movie: "{p["description"]}" is "{p["tag"]}" ',
        3: lambda p: f'{p["score"]} is the score for "{p["text"]}" ',
        4: lambda p: f'"{p["title"]}" is the title for "{p["text"]}" ',
        5: lambda p: f'"{p["title"]}" is a title for "{p["abstract"]}" ',
        6: lambda p: f'"{p["title"]}" is the title for "{p["text"]}" ',
        7: lambda p: f'"{p["text"]}" ',
    }[task]
    prompts = ", and ".join(fragment(p) for p in profile)
    if task == 5:
        return f"{prompts}. Following the given patterns {inp}"
    if task == 7:
        return f"{prompts} are written by a person. Following the given patterns {inp}"
    return f"{prompts}. {inp}"


@pytest.mark.parametrize("task", range(1, 8))
def test_rag_prompt_is_lamps_prompt(task: int) -> None:
    examples = get_task(f"lamp{task}").load(get_task(f"lamp{task}").bundled("dev"))
    example = examples[0]
    raw = [dict(item.fields) for item in example.reference.profile[:3]]
    messages = get_task(f"lamp{task}").baseline_messages(example, [p.text for p in example.profile[:3]])
    assert messages == [{"role": "user", "content": _lamp_prompt(task, example.question, raw)}]
    assert get_task(f"lamp{task}").baseline_messages(example, None) == [{"role": "user", "content": example.question}]


def test_long_profile_fields_are_cut() -> None:
    item = LaMPProfileItem("p", {"title": "T", "text": "word " * 500})
    assert len(render_item(4, item)) < lamp.MAX_FIELD_CHARS + 40
    assert rag_prompt(2, "q", []) == "q"


# ------------------------------------------------------------------------------------- parsing
@pytest.mark.parametrize(
    ("task", "text", "parsed"),
    [
        (1, "[1]", "[1]"),
        (1, "Answer: 2", "[2]"),
        (1, "neither", "neither"),
        (2, "dark comedy", "dark comedy"),
        (2, "I think it is a Dark Comedy, maybe comedy", "dark comedy"),
        (2, "thought-provoking sci-fi", "thought-provoking"),
        (2, "horror", "horror"),
        (3, "5", "5"),
        (3, "Score: 3/5", "3"),
        (3, "10 out of 10", "10 out of 10"),  # no rating 1-5: left for the farther-extreme rule
        (4, '"Rain floods Riverside"\nMore text', "Rain floods Riverside"),
        (6, "Subject: Budget review", "Budget review"),
        (7, "\n\n  lol the train  \n", "lol the train"),
    ],
)
def test_parse_prediction(task: int, text: str, parsed: str) -> None:
    assert parse_prediction(task, text) == parsed


def test_parse_reply_flags_replies_that_were_not_just_the_output() -> None:
    task = get_task("lamp3")
    assert task.parse_reply(" 4 ") == ("4", True)
    assert task.parse_reply("I give it 4.") == ("4", False)


# ------------------------------------------------------------------------------------- scoring
def test_scores_and_official_metrics() -> None:
    task3 = get_task("lamp3")
    examples = task3.load(task3.bundled("test"))[:3]
    golds = [task3.gold(e) for e in examples]  # type: ignore[attr-defined]
    outputs = [golds[0], "no idea", "1"]
    scores = task3.score(examples, outputs, None)
    assert scores[0].score == 1.0 and scores[0].details["abs_error"] == 0
    far = 1.0 if abs(1 - float(golds[1])) > abs(5 - float(golds[1])) else 5.0
    assert scores[1].details["abs_error"] == abs(far - float(golds[1]))  # LaMP's farther extreme
    rows = [{"qid": e.id, **s.details} for e, s in zip(examples, scores, strict=True)]
    official = task3.corpus_metrics(rows)  # type: ignore[attr-defined]
    ids = [e.id for e in examples]
    expected = evaluate_lamp(3, dict(zip(ids, outputs, strict=True)), dict(zip(ids, golds, strict=True)))
    assert official == pytest.approx(expected)

    task4 = get_task("lamp4")
    example = task4.load(task4.bundled("test"))[0]
    [score] = task4.score([example], [f"Headline: {task4.gold(example)}"], None)  # type: ignore[attr-defined]
    assert score.score == 1.0 and score.details["rouge-L"] == 1.0 and not score.is_proxy


def test_missing_gold_is_one_clear_error(tmp_path: Path) -> None:
    source = get_task("lamp2").bundled("dev")
    target = tmp_path / "LaMP_2" / "dev_questions.json"
    target.parent.mkdir()
    target.write_text(source.read_text())  # no outputs file next to it
    task = get_task("lamp2")
    [example, *_] = task.load(target)
    with pytest.raises(ValueError, match="has no gold output: put the outputs file next to"):
        task.score([example], ["comedy"], None)


def test_reward_columns() -> None:
    task = get_task("lamp2")
    example = task.load(task.bundled("train"))[0]
    assert task.reward_columns(example) == {"lamp_task": 2, "gold": example.reference.output}


# ----------------------------------------------------------------------------- real files in/out
def _lamp_evaluator_inputs(golds_json: Path, preds_json: Path, task_name: str) -> tuple[list[str], list[str]]:
    """A port of LaMP's eval/evaluation.py reading logic (LaMPEvaluation.evaluate_task/_evaluate_task)."""
    with open(golds_json) as file:
        task = json.load(file)
        tasks_golds = {task["task"]: task["golds"]}
    with open(preds_json) as file:
        preds = json.load(file)
    assert preds["task"] == task_name, "The provided task_name and the results do not match."
    assert preds["task"] in tasks_golds.keys(), "The provided golds cannot be used to evaluate this task."
    predictions = preds["golds"]
    golds_dict = {y["id"]: y["output"] for y in tasks_golds[task_name]}
    preds_dict = {x["id"]: x["output"] for x in predictions}
    gold_ids = {sample["id"] for sample in tasks_golds[task_name]}
    pred_ids = {sample["id"] for sample in predictions}
    assert gold_ids == pred_ids, "Predictions ids and gold ids do not match."
    ids = list(gold_ids)
    return [preds_dict[i] for i in ids], [golds_dict[i] for i in ids]


@pytest.mark.parametrize("number", range(1, 8))
def test_predictions_are_read_by_lamps_evaluator(number: int, tmp_path: Path) -> None:
    task = get_task(f"lamp{number}")
    questions = task.bundled("dev")
    examples = task.load(questions)
    outputs = {e.id: f"  {e.reference.output}\n" for e in examples}  # raw replies, parsed on the way out
    path = task.write_predictions(tmp_path / "preds.json", outputs)
    preds, golds = _lamp_evaluator_inputs(lamp.outputs_path(questions), path, f"LaMP_{number}")
    assert preds == golds
    metrics = evaluate_lamp(number, {str(i): p for i, p in enumerate(preds)}, {str(i): g for i, g in enumerate(golds)})
    perfect = {"accuracy": 1.0} if number < 3 else {"MAE": 0.0} if number == 3 else {"rouge-1": 1.0, "rouge-L": 1.0}
    assert {k: metrics[k] for k in perfect} == pytest.approx(perfect)


def test_real_format_files_user_and_time_based(tmp_path: Path) -> None:
    """LaMP's files as distributed: numbers as scores, a date on time-based profile items, golds next to them."""
    folder = tmp_path / "time"
    folder.mkdir()
    questions = [
        {
            "id": "310",
            "input": "What is the score of the following review on a scale of 1 to 5? just answer with 1, 2, 3, "
            "4, or 5 without further explanation. review: Fine.",
            "profile": [{"id": "3100", "text": "Great!", "score": 5, "date": "2014-03-01"}],
        },
        {"id": "311", "input": "... review: Bad.", "profile": [{"id": "3110", "text": "Meh", "score": "2"}]},
    ]
    (folder / "dev_questions.json").write_text(json.dumps(questions))
    (folder / "dev_outputs.json").write_text(json.dumps({"task": "LaMP_3", "golds": [
        {"id": "310", "output": "4"}, {"id": "311", "output": "2"}]}))  # fmt: skip
    task = get_task("lamp3")
    examples = load_examples([str(folder / "dev_questions.json")], task)
    assert [e.id for e in examples] == ["310", "311"] and examples[0].user_id == "310"
    assert examples[0].profile[0].text == '5 is the score for "Great!"'
    assert examples[0].reference.profile[0].extra == {"date": "2014-03-01"}
    with pytest.raises(ValueError, match="LaMP_3 outputs but task=2"):
        get_task("lamp2").load(folder / "dev_questions.json")


def test_lamp_data_spec() -> None:
    task = get_task("lamp5")
    assert resolve_data_path("lamp:5:test", task) == task.bundled("test")
    assert resolve_data_path("devset:dev", task) == task.bundled("dev")
    with pytest.raises(ValueError, match="pass --task lamp4"):
        resolve_data_path("lamp:4:test", task)
    with pytest.raises(FileNotFoundError, match="no split 'val'"):
        resolve_data_path("lamp:5:val", task)


def test_ingest_lamp_stores_each_profile_under_its_record_id(tmp_path: Path, capsys: Any) -> None:
    from pr2_agent.cli import main
    from pr2_agent.store import open_profile_store

    task = get_task("lamp7")
    questions = task.bundled("dev")
    store_dir = tmp_path / "store"
    assert main(["ingest", "--lamp", str(questions), "--store", str(store_dir), "--embedding", "hash"]) == 0
    assert "ingested" in capsys.readouterr().out
    store = open_profile_store(store_dir, embedding="hash")
    example = task.load(questions)[0]
    assert store.count(example.id) == len(example.profile)


class MajorityTagPolicy:
    """Answers LaMP-2 with the tag the prompt's profile items use most (a perfect profile reader), else "comedy"."""

    name = "majority-tag"

    def encode(self, text: str) -> None:
        return None

    def generate(self, request):  # type: ignore[no-untyped-def]
        return self.generate_batch([request])[0]

    def generate_batch(self, requests):  # type: ignore[no-untyped-def]
        import re
        from collections import Counter

        from pr2_agent.policy.base import Generation

        out = []
        for request in requests:
            text = "\n".join(m["content"] for m in request.messages) + "".join(
                s["text"] for s in getattr(request, "segments", ()) or ()
            )
            tags = re.findall(r'is "([^"]+)"', text)
            reply = f"The tag is {Counter(tags).most_common(1)[0][0]}." if tags else "comedy"
            out.append(Generation(reply, None, None, "eos"))
        return out


def test_pr2_eval_on_a_lamp_task_end_to_end(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    """The CLI path on the bundled LaMP-2 test split: scores, LaMP's metrics in the summary, LaMP-format predictions."""
    from pr2_agent import cli as pr2_cli
    from pr2_agent.evaluation import cli as eval_cli

    monkeypatch.setattr(eval_cli, "load_policy", lambda args: MajorityTagPolicy())
    out_dir = tmp_path / "out"
    argv = ["eval", "--task", "lamp2", "--data", "lamp:2:test", "--systems", "nopers,rag,rag_random,pr2"]
    argv += ["--out", str(out_dir), "--embedding", "hash", "--limit", "8", "--rag-k", "6", "--no-progress"]
    assert pr2_cli.main(argv) == 0, capsys.readouterr().err
    summary = json.loads((out_dir / "summary.json").read_text())
    by = {s["system"]: s for s in summary["systems"]}
    assert set(by["rag"]["official"]) == {"accuracy", "f1"}
    # Reading every profile item recovers the favourite tag; another user's profile or none does not.
    assert by["rag"]["official"]["accuracy"] >= 0.75 > by["rag_random"]["official"]["accuracy"]
    assert by["rag"]["scores"]["macro"] == by["rag"]["official"]["accuracy"]
    assert "Benchmark metrics over the whole run" in (out_dir / "summary.md").read_text()
    task = get_task("lamp2")
    questions = task.bundled("test")
    predictions = json.loads((out_dir / "responses_rag.json").read_text())
    assert predictions["task"] == "LaMP_2" and len(predictions["golds"]) == 8
    assert all(p["output"] in lamp.LAMP2_MOVIE_TAGS for p in predictions["golds"])
    # LaMP's evaluator reads it once its golds are narrowed to the evaluated ids (it requires equal id sets).
    golds = json.loads(lamp.outputs_path(questions).read_text())
    ids = {p["id"] for p in predictions["golds"]}
    golds["golds"] = [g for g in golds["golds"] if g["id"] in ids]
    (tmp_path / "golds.json").write_text(json.dumps(golds))
    preds, refs = _lamp_evaluator_inputs(tmp_path / "golds.json", out_dir / "responses_rag.json", "LaMP_2")
    assert sum(p == r for p, r in zip(preds, refs, strict=True)) / len(refs) == by["rag"]["official"]["accuracy"]
