"""PR2: think, search the user's own history, answer; trained against a non-personalized baseline."""

from __future__ import annotations

from pr2_agent.graph import build_graph
from pr2_agent.methods.base import Method
from pr2_agent.parsing import render_user_prompt
from pr2_agent.rewards import SCORE_REWARD

PR2 = Method(
    name="pr2",
    description="PR2: reason, search the user's own history, answer for that user.",
    build_graph=build_graph,
    user_prompt=render_user_prompt,
    reward_terms=(SCORE_REWARD, "structure"),
    advantage="pr2",
    baseline_rollouts=1,
)
