"""TagPR's tag schema, and the parser and validator of tagged reasoning chains.

A chain is a sequence of steps, each wrapped in one of nine thought tags, then the final output in
``<answer>``. The tags' names, definitions and examples live in :mod:`pr2_agent.prompts`
(``TAGPR_TAGS``); this module adds what a valid chain is:

* every step is tagged: between ``<tag>...</tag>`` steps there is only whitespace;
* every tag is one of the schema's nine, and no step is empty or holds another tag;
* the required tags are present (``examine_history``, ``infer_preference``, ``relate_to_input``: look at the
  history, say what it shows about the user, apply it to the input);
* order rules hold: a tag's first step comes after the first step of each tag it depends on (a pattern is
  found in examined history, a draft is checked after it is written, ...);
* the chain ends with a non-empty, closed ``<answer>``, and nothing follows it.

The paper publishes no tag names and no rules; both are this project's design (README, TagPR section).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pr2_agent import prompts
from pr2_agent.parsing import answer_span, neutralize


@dataclass(frozen=True)
class TagSpec:
    """One primary thought tag."""

    name: str
    definition: str
    example: str
    after: tuple[str, ...] = ()
    """Tags whose first step must come before this tag's first step (and so must be present)."""


REQUIRED_TAGS: tuple[str, ...] = ("examine_history", "infer_preference", "relate_to_input")
"""Every valid chain has these: look at the history, infer the user's preference, apply it to the input."""

ORDER_RULES: dict[str, tuple[str, ...]] = {
    "identify_pattern": ("examine_history",),
    "weigh_evidence": ("examine_history",),
    "infer_preference": ("examine_history",),
    "relate_to_input": ("infer_preference",),
    "consider_alternatives": ("infer_preference",),
    "draft": ("infer_preference",),
    "check_draft": ("draft",),
}
MAX_STEPS = 12
"""More steps than this is a loop, not reasoning (the canonical chain has at most nine)."""

SCHEMA: tuple[TagSpec, ...] = tuple(
    TagSpec(name, definition, example, ORDER_RULES.get(name, ())) for name, definition, example in prompts.TAGPR_TAGS
)
TAG_NAMES: tuple[str, ...] = tuple(spec.name for spec in SCHEMA)
SPECS: dict[str, TagSpec] = {spec.name: spec for spec in SCHEMA}

_STEP = re.compile(r"<([A-Za-z_][\w-]*)>(.*?)</\1>", re.DOTALL)
_ANY_OPEN_OR_CLOSE = re.compile(r"</?[A-Za-z_][\w-]*>")
_OUTSIDE_TAG = re.compile(rf"<\s*(/?)\s*({'|'.join(TAG_NAMES)})\b([^<>]*)>", re.IGNORECASE)


@dataclass(frozen=True)
class Step:
    """One tagged step of a chain."""

    tag: str
    text: str


@dataclass(frozen=True)
class ChainCheck:
    """A parsed chain and what is wrong with it (nothing, when valid)."""

    steps: tuple[Step, ...]
    answer: str | None
    """The ``<answer>`` span (None when the chain has no answer)."""
    problems: tuple[str, ...] = field(default=())

    @property
    def valid(self) -> bool:
        """Whether the chain follows every rule of the schema."""
        return not self.problems

    @property
    def tags(self) -> tuple[str, ...]:
        """The tag of each step, in order."""
        return tuple(step.tag for step in self.steps)


def parse_chain(text: str) -> tuple[list[Step], list[str], str | None, bool]:
    """Split ``text`` into tagged steps before ``<answer>``; also return untagged pieces and the answer.

    Returns:
        ``(steps, untagged, answer, answer_closed)``: the steps in order (any tag name), the
        non-whitespace text found outside tags before the answer, the answer span (None if absent)
        and whether its closing tag came.

    Example:
        >>> steps, loose, answer, closed = parse_chain("<draft>Hi</draft> oops <answer>Hi</answer>")
        >>> [(s.tag, s.text) for s in steps], loose, answer, closed
        ([('draft', 'Hi')], ['oops'], 'Hi', True)
    """
    span = answer_span(text)
    pieces = split_steps(text)
    steps = [p for p in pieces if p.tag]
    untagged = [p.text for p in pieces if not p.tag]
    return steps, untagged, (None if span is None else span[0]), bool(span and span[1])


def split_steps(text: str) -> list[Step]:
    """The pieces of ``text`` before ``<answer>`` in order: tagged steps, and untagged text as tag ``""``.

    Example:
        >>> split_steps("So. <draft>Hi</draft> then <answer>Hi</answer>")
        [Step(tag='', text='So.'), Step(tag='draft', text='Hi'), Step(tag='', text='then')]
    """
    cut = text.find(prompts.open_tag(prompts.ANSWER_TAG))
    body = text if cut < 0 else text[:cut]
    pieces: list[Step] = []
    at = 0
    for match in _STEP.finditer(body):
        gap = body[at : match.start()].strip()
        if gap:
            pieces.append(Step("", gap))
        pieces.append(Step(match.group(1), match.group(2).strip()))
        at = match.end()
    rest = body[at:].strip()
    if rest:
        pieces.append(Step("", rest))
    return pieces


def check_chain(text: str) -> ChainCheck:
    """Parse a tagged chain and list every rule it breaks.

    Example:
        >>> ok = check_chain(
        ...     "<examine_history>[1] is a comedy.</examine_history>"
        ...     "<infer_preference>Likes comedy.</infer_preference>"
        ...     "<relate_to_input>This movie is one.</relate_to_input><answer>comedy</answer>")
        >>> ok.valid, ok.tags, ok.answer
        (True, ('examine_history', 'infer_preference', 'relate_to_input'), 'comedy')
        >>> check_chain("<draft>x</draft><answer>x</answer>").problems[0]
        'missing required tag <examine_history>'
    """
    steps, untagged, answer, closed = parse_chain(text)
    problems: list[str] = [f"untagged text {piece[:40]!r}" for piece in untagged]
    for step in steps:
        if step.tag not in SPECS:
            problems.append(f"unknown tag <{step.tag}>")
        elif not step.text:
            problems.append(f"empty step <{step.tag}>")
        elif _ANY_OPEN_OR_CLOSE.search(step.text):
            problems.append(f"step <{step.tag}> holds another tag")
    known = [s.tag for s in steps if s.tag in SPECS]
    problems += [f"missing required tag <{tag}>" for tag in REQUIRED_TAGS if tag not in known]
    first = {tag: known.index(tag) for tag in dict.fromkeys(known)}
    for tag, position in first.items():
        for before in SPECS[tag].after:
            if before in first and first[before] > position:
                problems.append(f"<{tag}> comes before <{before}>")
            elif before not in first and before not in REQUIRED_TAGS:
                problems.append(f"<{tag}> needs a <{before}> step before it")
    if len(steps) > MAX_STEPS:
        problems.append(f"{len(steps)} steps (at most {MAX_STEPS})")
    if answer is None or not answer:
        problems.append("no answer" if answer is None else "empty answer")
    elif not closed:
        problems.append("answer not closed")
    else:
        close = prompts.close_tag(prompts.ANSWER_TAG)
        if text[text.find(close) + len(close) :].strip():
            problems.append("text after the answer")
    return ChainCheck(tuple(steps), answer, tuple(problems))


def render_chain(steps: Sequence[Step], answer: str) -> str:
    """Write steps and an answer as a chain (one step per line), the inverse of :func:`parse_chain`.

    Example:
        >>> render_chain([Step("draft", "Hi")], "Hi")
        '<draft>Hi</draft>\\n<answer>Hi</answer>'
    """
    lines = [f"{prompts.open_tag(s.tag)}{s.text}{prompts.close_tag(s.tag)}" for s in steps]
    lines.append(f"{prompts.open_tag(prompts.ANSWER_TAG)}{answer}{prompts.close_tag(prompts.ANSWER_TAG)}")
    return "\n".join(lines)


def neutralize_tags(text: str) -> str:
    """Defuse protocol and thought tags in outside text (profile items, the input).

    Example:
        >>> neutralize_tags("<draft>x</draft> <answer>y</answer>")
        '‹draft›x‹/draft› ‹answer›y‹/answer›'
    """
    return neutralize(_OUTSIDE_TAG.sub(lambda m: f"‹{m.group(1)}{m.group(2)}{m.group(3)}›", text))


def tag_list(*, with_examples: bool = False) -> str:
    """The schema as prompt lines: ``<tag>: definition`` (teachers also get an example per tag)."""
    if with_examples:
        return "\n".join(
            prompts.TAGPR_TEACHER_TAG_LINE.format(tag=s.name, definition=s.definition, example=s.example)
            for s in SCHEMA
        )
    return "\n".join(f"<{s.name}>: {s.definition}" for s in SCHEMA)


def render_history(texts: Sequence[str]) -> str:
    """The user's history as numbered lines, each item on one line with its tags defused."""
    if not texts:
        return prompts.TAGPR_EMPTY_HISTORY_TEXT
    return "\n".join(
        prompts.TAGPR_HISTORY_ITEM_TEMPLATE.format(rank=i, text=neutralize_tags(" ".join(t.split())))
        for i, t in enumerate(texts, start=1)
    )


def render_tagpr_prompt(question: str, history: Sequence[str] | None = None) -> str:
    """TagPR's user turn: the instruction with the tag list, the user's history, the input."""
    return prompts.TAGPR_USER_TEMPLATE.format(
        instruction=prompts.TAGPR_INSTRUCTION.format(tags=tag_list()),
        history=render_history(history or ()),
        question=neutralize_tags(question.strip()),
    )


def teacher_system_prompt() -> str:
    """The system prompt a teacher model writes tagged chains under (every tag with an example)."""
    return prompts.TAGPR_TEACHER_SYSTEM_PROMPT.format(tags=tag_list(with_examples=True))


# Built from the template: the text between the instruction and {history}, and between {history} and the input.
_BEFORE, _AFTER = prompts.TAGPR_USER_TEMPLATE.split("{history}")
_HISTORY_BLOCK = re.compile(
    re.escape(_BEFORE.rsplit("}", 1)[-1]) + "(.*?)" + re.escape(_AFTER.split("{", 1)[0]), re.DOTALL
)
_HISTORY_LINE = re.compile(r"^\[(\d+)\] (.*)$")


def parse_history(user_turn: str) -> list[str]:
    """The history items a TagPR user turn shows, in order (the inverse of :func:`render_history`).

    Items come back as rendered: whitespace collapsed and tags defused. A turn without items gives [].

    Example:
        >>> parse_history(render_tagpr_prompt("q", ["first item", "second  item"]))
        ['first item', 'second item']
    """
    block = _HISTORY_BLOCK.search(user_turn)
    if block is None:
        return []
    lines = (_HISTORY_LINE.match(line) for line in block.group(1).splitlines())
    return [m.group(2) for m in lines if m is not None]
