"""tagpr_stats: schema validity read back from pr2 eval's scores files."""

from __future__ import annotations

import json

from pr2_agent.tags import Step, render_chain
from trainers.tagpr_stats import collect, main

VALID = render_chain(
    [Step("examine_history", "[1]"), Step("infer_preference", "p"), Step("relate_to_input", "r")], "a"
)


def test_shares_per_label_and_pooled(tmp_path, capsys):
    for name in ("lamp2", "lamp4"):
        d = tmp_path / name
        d.mkdir()
        rows = [{"raw": VALID, "finish": "answer", "score": 1.0}, {"raw": "a</answer>", "finish": "forced", "score": 0}]
        (d / "scores_tagpr@sft.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    stats = collect([tmp_path / "lamp2", tmp_path / "lamp4"])
    assert stats["lamp2/tagpr@sft"]["valid_share"] == 0.5
    assert stats["all/tagpr@sft"]["questions"] == 4 and stats["all/tagpr@sft"]["answered_share"] == 0.5
    assert main([str(tmp_path / "lamp2")]) == 0 and "tagpr@sft" in capsys.readouterr().out
    assert main([str(tmp_path)]) == 2 and "no scores_tagpr" in capsys.readouterr().err


def test_score_table_with_gain_over_a_base(tmp_path, capsys):
    for name, scores in (("lamp2", {"rag@base": 0.5, "tagpr@sft": 0.75}), ("lamp4", {"rag@base": 0.2})):
        d = tmp_path / name
        d.mkdir()
        for system, score in scores.items():
            rows = [{"qid": "q1", "score": score}] + ([{"qid": "q2", "score": 0.0}] if system == "rag@base" else [])
            (d / f"scores_{system}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main([str(tmp_path / "lamp2"), str(tmp_path / "lamp4"), "--table", "rag@base"]) == 0
    table = capsys.readouterr().out
    assert "| tagpr@sft | 0.750 | - | 0.750 | +50.0% |" in table
    assert "| rag@base | 0.500 | 0.100 | 0.300 | +0.0% |" in table
