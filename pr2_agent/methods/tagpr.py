"""TagPR: reason over the user's recalled history in tagged steps, then answer.

"Tagging the Thought" (arXiv 2509.23140): SFT on tagged reasoning chains, then multi-stage RL whose
guided stage adds a tag-constraint reward and a user-embedding reward model (PRMU) to the task
metric. The graph is :mod:`pr2_agent.methods.tagpr_graph`; the tags are :mod:`pr2_agent.tags`.
"""

from __future__ import annotations

from pr2_agent.methods.base import Method
from pr2_agent.methods.tagpr_graph import build_tagpr_graph
from pr2_agent.rewards import LAMP_METRIC_REWARD, TAG_REWARD
from pr2_agent.tags import render_tagpr_prompt

TAGPR = Method(
    name="tagpr",
    description="TagPR: recall the user's history, reason in tagged steps, answer for that user.",
    build_graph=build_tagpr_graph,
    user_prompt=render_tagpr_prompt,
    reward_terms=(LAMP_METRIC_REWARD, TAG_REWARD),
    advantage="grpo",
)
