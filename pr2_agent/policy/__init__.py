"""Model backends behind one interface (see ``base.Policy``)."""

from pr2_agent.policy.base import FinishReason, Generation, GenerationRequest, Policy

__all__ = ["FinishReason", "Generation", "GenerationRequest", "Policy"]
