"""The part of a completion a judge reads: the final ``<answer>`` span.

PR2 scores only the answer, never the reasoning or the retrieved ``<information>`` around it, so a
policy cannot earn reward by quoting the rubric-relevant profile in its thinking.
"""

from __future__ import annotations

from pr2_agent.prompts import ANSWER_TAG, close_tag, open_tag

_OPEN = open_tag(ANSWER_TAG)
_CLOSE = close_tag(ANSWER_TAG)


def extract_answer_span(text: str) -> str:
    """Return the text of the last ``<answer>`` in ``text``, stripped.

    Rules, in order:

    * The last ``<answer>`` opener wins (a model that rewrites its answer is judged on the rewrite).
      Its span ends at the next ``</answer>``.
    * If that opener is never closed (generation ended inside it, or the environment forced the
      answer by opening the tag), the span runs to the end of the text.
    * With no opener at all, the whole text is the answer (plain responses, e.g. LaMP-QA baselines).

    A present but empty answer yields ``""``: the judges score it 0 instead of falling back to
    the reasoning.

    Example:
        >>> extract_answer_span("<think>plan</think><answer> Use a fridge. </answer>")
        'Use a fridge.'
        >>> extract_answer_span("<answer>draft</answer> ... <answer>final, cut off")
        'final, cut off'
        >>> extract_answer_span("no tags at all")
        'no tags at all'
    """
    start = text.rfind(_OPEN)
    if start < 0:
        return text.strip()
    body_start = start + len(_OPEN)
    end = text.find(_CLOSE, body_start)
    return (text[body_start:] if end < 0 else text[body_start:end]).strip()
