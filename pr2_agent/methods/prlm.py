"""PrLM: explicit reasoning over retrieved profiles, trained against a contrastive personalization reward model.

The graph (:mod:`pr2_agent.methods.prlm_graph`) retrieves k items with the input as the query and lets
the policy think then answer once. Training (``trainers/grpo_train.py`` with ``method: prlm``) is plain
GRPO (PrLM has no non-personalized baseline) on 1.0 x ROUGE-1+2+L of the answer against the gold,
0.1 x the think-then-answer format and 0.1 x sigmoid of the pairwise reward model
(:mod:`pr2_agent.reward_models.pairwise`, trained by ``trainers/prlm_rm_train.py``).
"""

from __future__ import annotations

from pr2_agent.methods.base import Method
from pr2_agent.methods.prlm_graph import DEFAULT_TOP_K, build_prlm_graph, render_prlm_user_prompt
from pr2_agent.rewards import PERSONALIZATION_RM_REWARD, PRLM_ROUGE_REWARD, THINK_ANSWER_FORMAT_REWARD


def prlm_user_prompt(question: str) -> str:
    """The user turn training rows log: the input alone (the graph inserts the retrieved items at run time)."""
    return render_prlm_user_prompt(question, None)


PRLM = Method(
    name="prlm",
    description="PrLM: retrieve k profile items, think over them, answer (GRPO with a personalization RM).",
    build_graph=build_prlm_graph,
    user_prompt=prlm_user_prompt,
    reward_terms=(PRLM_ROUGE_REWARD, THINK_ANSWER_FORMAT_REWARD, PERSONALIZATION_RM_REWARD),
    advantage="grpo",
    baseline_rollouts=0,
    default_top_k=DEFAULT_TOP_K,
)
