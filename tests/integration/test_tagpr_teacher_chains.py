"""Tagged chains from a teacher behind an OpenAI-compatible endpoint (the llama.cpp server, SmolLM2).

The teacher writes chains through the TagPR graph and labels untagged steps; a 135M teacher rarely
writes a chain worth keeping, so the test checks the pipeline, not the teacher: every record is
generated, labelling asked the server, and whatever is kept is a valid row with the loss mask.
"""

from __future__ import annotations

import pytest

from tests.servers import llama_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


def test_teacher_chains_through_the_llama_cpp_server(llama_server, tmp_path, capsys):  # noqa: F811
    from pr2_agent.tags import check_chain
    from trainers.tagpr_chains import main
    from trainers.trajectories import load_rows

    out = tmp_path / "teacher.jsonl"
    argv = ["--source", "teacher", "--labeller", "teacher", "--teacher-model", "smollm2-135m",
            "--base-url", llama_server, "--tasks", "2", "--limit", "2", "--min-score", "0",
            "--max-new-tokens", "64", "--workers", "2", "--out", str(out),
            "--store", str(tmp_path / "store"), "--embedding", "hash"]  # fmt: skip
    code = main(argv)
    printed = capsys.readouterr()
    assert "lamp2: 2 chains" in printed.out
    if code == 0:
        for row in load_rows(out):
            assert row["source"] == "teacher:smollm2-135m" and check_chain(row["text"]).valid
            assert sum(row["completion_mask"]) > 0 and row["completion_mask"][0] == 0
    else:
        assert code == 1 and "no chain was kept" in printed.err
