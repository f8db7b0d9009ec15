"""A local instruct LLM as a yes/no log-probability judge on the specifics labels, through llama.cpp (issue 11.3).

Per (answer, aspect) the model reads the question, the answer and the user's fact behind the aspect
and is asked whether the answer uses that fact; the signal is ``P(Yes) / (P(Yes) + P(No))`` of the
next token (no sampling). Prompts put the answer before the aspect, so the KV cache of an answer is
reused across its aspects (only the aspect's tokens are evaluated again).

The labelled set is bench/data/specifics_labels.json; ``--questions N`` takes the first N questions
of each half (calibration / held-out), all five kinds of answer for each (a stratified subset). The
thresholds are fitted on the calibration questions and reported on the held-out ones; Spearman needs
no thresholds. The specifics judge is scored on exactly the same subset for comparison.

    flock /tmp/pr2-heavy.lock python bench/llm_judge_agreement.py --gguf /path/qwen2.5-coder-1.5b.gguf \\
        --questions 6 --out bench/results/llm_judge_qwen1.5b.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.specifics_agreement import calibrate, load_labelled, metrics, scores_from, timed_signals  # noqa: E402
from pr2_agent.judges import RubricAspect, SpecificsJudge  # noqa: E402
from pr2_agent.run.environment import offline_defaults  # noqa: E402

SYSTEM = "You are a strict grader. Answer with Yes or No only."
ANSWER_PART = 'A user asked: {question}\n\nAn assistant answered:\n"""\n{answer}\n"""\n\n'
ASPECT_PART = (
    "Fact about this user: {fact} ({aspect}).\n"
    "Does the answer use this exact fact about the user (not just the general topic, and not a different "
    "value or preference)? Answer Yes or No."
)


class LlamaYesNo:
    """P(Yes) of the next token after a chat-templated prompt, with the prompt prefix cached between calls."""

    def __init__(self, gguf: Path, threads: int, n_ctx: int) -> None:
        from llama_cpp import Llama

        self.llm = Llama(str(gguf), n_ctx=n_ctx, n_threads=threads, n_batch=512, logits_all=False, verbose=False)
        vocab = {}
        for word in ("Yes", " Yes", "yes", "No", " No", "no"):
            ids = self.llm.tokenize(word.encode(), add_bos=False, special=False)
            vocab[word] = ids[0]
        self.yes = sorted({vocab[w] for w in ("Yes", " Yes", "yes")})
        self.no = sorted({vocab[w] for w in ("No", " No", "no")})

    def prompt(self, user: str) -> list[int]:
        text = f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        return list(self.llm.tokenize(text.encode(), add_bos=False, special=True))

    def p_yes(self, tokens: list[int]) -> float:
        cached = self.llm.n_tokens
        ids = list(self.llm.input_ids[:cached])
        common = 0
        while common < min(len(ids), len(tokens) - 1) and ids[common] == tokens[common]:
            common += 1
        self.llm.n_tokens = common
        self.llm.eval(tokens[common:])
        logits = np.ctypeslib.as_array(self.llm._ctx.get_logits(), shape=(self.llm.n_vocab(),)).astype(np.float64)
        probs = np.exp(logits - logits.max())
        yes, no = probs[self.yes].sum(), probs[self.no].sum()
        return float(yes / max(yes + no, 1e-12))


def aspect_fact(aspect: RubricAspect) -> str:
    return "; ".join(aspect.facts) or aspect.evidence or aspect.aspect


def subset(rows: list[dict[str, Any]], per_half: int) -> list[int]:
    """Indices of every answer of the first ``per_half`` questions of each half."""
    chosen: dict[str, list[str]] = {"calibration": [], "held_out": []}
    for row in rows:
        qids = chosen[row["half"]]
        if row["qid"] not in qids and len(qids) < per_half:
            qids.append(row["qid"])
    keep = {q for qids in chosen.values() for q in qids}
    return [i for i, r in enumerate(rows) if r["qid"] in keep]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gguf", type=Path, required=True, help="the judge model's GGUF file")
    parser.add_argument("--questions", type=int, default=6, help="questions per half (x5 answers each)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    offline_defaults()
    all_rows, all_items = load_labelled()
    # The specifics judge with its thresholds fitted on the whole calibration half (as in
    # bench/specifics_agreement.py --calibrate), scored on the same subset as the LLM.
    specifics = SpecificsJudge()
    all_signals, spec_ms = timed_signals(specifics, all_items, 32)
    spec_thresholds = calibrate(all_rows, all_signals)
    picked = subset(all_rows, args.questions)
    rows = [all_rows[i] for i in picked]
    items = [all_items[i] for i in picked]
    spec_scores = scores_from([all_signals[i] for i in picked], spec_thresholds)

    began = time.perf_counter()
    judge = LlamaYesNo(args.gguf, args.threads, args.n_ctx)
    load_seconds = time.perf_counter() - began
    signals: list[list[float | None]] = []
    began = time.perf_counter()
    for n, item in enumerate(items, start=1):
        head = ANSWER_PART.format(question=item.question, answer=item.response.strip())
        signals.append(
            [
                judge.p_yes(judge.prompt(head + ASPECT_PART.format(fact=aspect_fact(a), aspect=a.aspect)))
                for a in item.aspects
            ]
        )
        if n % 10 == 0:
            print(f"  {n}/{len(items)} answers, {(time.perf_counter() - began) / n:.1f} s/answer", flush=True)
    seconds = (time.perf_counter() - began) / len(items)
    thresholds = calibrate(rows, signals)
    scores = scores_from(signals, thresholds)

    result: dict[str, Any] = {
        "gguf": args.gguf.name,
        "subset": {"questions_per_half": args.questions, "answers": len(items)},
        "prompt": {"system": SYSTEM, "answer": ANSWER_PART, "aspect": ASPECT_PART},
        "llm": {
            "thresholds": list(thresholds),
            "seconds_per_answer": round(seconds, 2),
            "load_seconds": round(load_seconds, 1),
            **{h: metrics(rows, scores, h) for h in ("calibration", "held_out", "all")},
        },
        "specifics": {
            "thresholds": list(spec_thresholds),
            "ms_per_answer": round(spec_ms, 1),
            **{h: metrics(rows, spec_scores, h) for h in ("calibration", "held_out", "all")},
        },
    }
    for name in ("llm", "specifics"):
        entry = result[name]
        for half in ("held_out", "all"):
            m = entry[half]
            print(
                f"{name:9s} {half:8s} exact {m['exact']:.3f} within-one {m['within_one']:.3f} "
                f"spearman {m['spearman']:.3f} generic {m['generic_mean']:.3f}"
            )
    print(f"llm: {seconds:.2f} s/answer, thresholds {thresholds}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
