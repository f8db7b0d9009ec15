"""`pr2 ask` prints the model's tokens as they come (tiny local model); --no-stream prints whole turns."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pr2_agent import cli
from tests.tiny_model import build_tiny_model


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny")


class Writes(io.StringIO):
    """stdout that remembers each write, to tell streamed tokens from whole lines."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, s: str) -> int:
        self.writes.append(s)
        return super().write(s)


def _ask(tiny_dir: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> Writes:
    out = Writes()
    monkeypatch.setattr("sys.stdout", out)
    argv = ["ask", "--no-personalize", "--model", str(tiny_dir), "--temperature", "0", "--max-new-tokens", "10",
            "--max-searches", "1", *extra, "What food do I like ?"]
    assert cli.main(argv) == 0
    return out


def test_ask_prints_tokens_as_they_come(tiny_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _ask(tiny_dir, monkeypatch)
    text = out.getvalue()
    header = text.index("[reason] model:\n")
    # Between the turn header and the end of the turn, the text arrived in several writes (one per piece).
    pieces = []
    seen = 0
    for w in out.writes:
        if seen > header + len("[reason] model:"):
            if w == "\n":
                break
            pieces.append(w)
        seen += len(w)
    assert len([p for p in pieces if p.strip()]) > 1
    assert "answer (" in text


def test_no_stream_and_json_print_whole_turns(tiny_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _ask(tiny_dir, monkeypatch, "--no-stream")
    streamed = _ask(tiny_dir, monkeypatch)
    # Same run (greedy), same turn text; only the delivery differs.
    assert "[reason] model:" in whole.getvalue()
    assert len(whole.writes) < len(streamed.writes)
    as_json = _ask(tiny_dir, monkeypatch, "--json")
    assert json.loads(as_json.getvalue())["trajectory"]
