"""PRMU: pairs from the bundled LaMP sets, the head, training, saving, and the reward function."""

from __future__ import annotations

import pickle
from dataclasses import replace
from types import SimpleNamespace

import pytest
import torch

from pr2_agent.reward_models.prmu import (
    Encoder,
    Pair,
    PRMUConfig,
    PRMUReward,
    PRMUScorer,
    build_head,
    load_prmu,
    output_text,
    pair_tensors,
    pairwise_accuracy,
    save_prmu,
    score_stats,
    train_head,
)
from pr2_agent.rewards import build_reward_functions
from pr2_agent.tasks import get_task
from trainers.prmu_train import instances, lamp_pairs, load_pairs, main


def records(n):
    task = get_task(f"lamp{n}")
    return [e.reference for e in task.load(task.bundled("train"))]


@pytest.mark.parametrize("n", range(1, 8))
def test_pairs_prefer_the_users_own_output_over_another_users_for_the_same_input(n):
    pairs = lamp_pairs(n, records(n)[:8])
    assert pairs
    for pair in pairs:
        assert pair.preferred != pair.rejected and pair.profile and pair.input
    first = records(n)[0]
    own = [p for p in pairs if p.user_id == first.id and p.input == first.input]
    assert own and own[0].preferred == output_text(n, first.input, first.output)


@pytest.mark.parametrize("n", [4, 5, 6, 7])
def test_generation_tasks_also_reject_the_users_own_words_for_another_input(n):
    """Hard negatives for "right person, wrong content": the user's own past output, offered for this input."""
    pairs = lamp_pairs(n, records(n)[:8])
    own_style = [p for p in pairs if p.kind == f"lamp{n}:own_style_other_input"]
    assert own_style and all(p.rejected != p.preferred for p in own_style)
    first = records(n)[0]
    own_outputs = {output_text(n, first.input, item.fields[p]) for item in first.profile for p in item.fields}
    mine = [p for p in own_style if p.user_id == first.id and p.input == first.input]
    assert len(mine) == 1 and mine[0].rejected in own_outputs


def test_left_out_items_never_see_their_own_output_in_the_user_embedding():
    record = records(4)[0]
    for question, gold, profile in instances(4, record)[1:]:
        assert not any(gold in text for text in profile)
        assert question.startswith("Generate a headline for the following article:")


def test_head_shapes_and_the_ablation_ignores_the_user():
    head = build_head(PRMUConfig(embed_dim=8, user_rank=4, hidden=6))
    blind = build_head(PRMUConfig(embed_dim=8, user_rank=4, hidden=6, use_user=False))
    x = torch.randn(5, 8)
    assert head(x, x, x).shape == (5,)
    assert torch.equal(blind(torch.zeros(5, 8), x, x), blind(torch.randn(5, 8), x, x))
    with pytest.raises(ValueError, match="user_rank"):
        PRMUConfig(user_rank=0)


def test_training_learns_a_user_dependent_preference():
    # Synthetic: two users whose preferred output is their own direction; only the user term can tell.
    torch.manual_seed(0)
    a, b = torch.eye(16)[0], torch.eye(16)[1]
    n = 128
    users = torch.stack([a if i % 2 else b for i in range(n)])
    tensors = {"user": users, "input": torch.randn(n, 16) * 0.01, "preferred": users.clone(),
               "rejected": torch.stack([b if i % 2 else a for i in range(n)])}
    config = PRMUConfig(embed_dim=16, user_rank=4, hidden=8)
    full = train_head(config, tensors, epochs=40, lr=1e-2)
    blind = train_head(PRMUConfig(embed_dim=16, user_rank=4, hidden=8, use_user=False), tensors, epochs=40, lr=1e-2)
    assert full.losses[-1] < full.losses[0]
    assert pairwise_accuracy(full.head, tensors) == 1.0
    assert pairwise_accuracy(blind.head, tensors) <= 0.6


def test_save_load_and_the_reward_function(tmp_path):
    config = PRMUConfig(embed_dim=256, embedding="hash")
    head = build_head(config)
    save_prmu(tmp_path / "m", config, head, {"metrics": {}})
    loaded_config, loaded = load_prmu(tmp_path / "m")
    assert loaded_config == config
    reward = build_reward_functions(["lamp_metric", "prmu"], None, reward_model_path=str(tmp_path / "m"))[1]
    assert isinstance(reward, PRMUReward)
    reward = pickle.loads(pickle.dumps(reward))
    scores = reward([None, None], [None, None], question=["q", 'x [1]: "A" [2]: "B"'],
                    profile_texts=[["a b"], ["c"]], answer=["Title", ""], lamp_task=[4, 1])
    assert 0 < scores[0] < 1 and scores[1] == 0.0


def test_prmu_needs_its_directory(tmp_path):
    with pytest.raises(ValueError, match="reward_model_path"):
        build_reward_functions(["lamp_metric", "prmu"], None)
    with pytest.raises(FileNotFoundError, match="prmu_train.py"):
        build_reward_functions(["prmu"], None, reward_model_path=str(tmp_path))


def test_prmu_train_end_to_end_with_a_hash_encoder(tmp_path, capsys):
    assert main(["--tasks", "2,3", "--out", str(tmp_path / "prmu"), "--epochs", "5", "--embedding", "hash"]) == 0
    out = capsys.readouterr().out
    assert '"with_user_embedding"' in out and '"without_user_embedding"' in out
    config, _ = load_prmu(tmp_path / "prmu")
    assert config.embedding == "hash" and config.score_std > 0


def test_the_reward_is_standardised_so_the_sigmoid_does_not_saturate():
    """A head whose raw scores sit near -40 (what Bradley-Terry drifts to) still gives a spread reward."""
    torch.manual_seed(0)
    n = 64
    tensors = {"user": torch.randn(n, 16), "input": torch.randn(n, 16), "preferred": torch.randn(n, 16),
               "rejected": torch.randn(n, 16)}
    config = PRMUConfig(embed_dim=16, user_rank=4, hidden=8, embedding="hash")
    head = build_head(config)
    with torch.no_grad():
        for module in head.modules():
            if isinstance(module, torch.nn.Linear) and module.out_features == 1:
                module.bias.fill_(-40.0)
    mean, std = score_stats(head, tensors)
    assert mean < -30
    scorer = PRMUScorer.__new__(PRMUScorer)
    scorer.config, scorer.head = replace(config, score_mean=mean, score_std=std), head
    scorer.encoder = SimpleNamespace(
        user=lambda profile: tensors["user"][0].numpy(), texts=lambda texts: tensors["input"][: len(texts)].numpy()
    )
    scores = scorer.score([["x"]] * 8, ["in"] * 8, ["out"] * 8)
    assert all(0.01 < s < 0.99 for s in scores)
    with pytest.raises(ValueError, match="score_std must be > 0"):
        PRMUConfig(score_std=0.0)


def test_encoder_pools_the_profile():
    encoder = Encoder("hash")
    pair = Pair("u", ("a b", "c d"), "in", "yes", "no")
    tensors = pair_tensors(encoder, [pair])
    expected = torch.from_numpy(encoder.texts(["a b", "c d"]).mean(axis=0))
    assert torch.allclose(tensors["user"][0], expected)
    assert load_pairs([3], "dev")
