"""Teacher turns for cold-start SFT, written so that the PR2 graph itself produces the trajectories.

A small policy emits ``<search>`` in almost no samples, and GRPO cannot reinforce an action the
policy never takes. So before GRPO the policy is taught the protocol from demonstrations, and the
demonstrations are made by *running the graph* with a policy that writes the teacher's turns: the
graph inserts the real ``<information>`` blocks from the user's store, routes, budgets and records
the trajectory exactly as it does for any model, so the SFT data has the serving format by
construction.

Two teachers drive the graph:

* :class:`DemonstrationPolicy` writes turns from the data (``pr2_meta`` of the bundled development
  set): think about what the answer depends on, search with facet-level queries (never the hidden
  fact), read the results the graph actually inserted, quote the sentence of each useful result that
  carries its fact, answer with those quotes. Wording is drawn from several templates with an RNG
  seeded per record and turn.

  Quoting, not paraphrasing: with the catalog's fact phrase ("returning player after a twenty-year
  break") the student learned to write a fluent fact-shaped phrase whatever the results said, and
  invented facts at serving time ("a friend who has a cookbook"). A quote is in its context, so
  copying it is what the student learns.
* any other :class:`~pr2_agent.policy.base.Policy` (a teacher model behind an OpenAI-compatible
  endpoint); :mod:`trainers.export` keeps only its trajectories the judge scores high enough.

Either is wrapped in :class:`TokenizedPolicy`, which gives each turn the token ids of the student's
tokenizer, so :class:`~pr2_agent.trajectory.Trajectory` can build ``input_ids`` and the loss mask.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pr2_agent import prompts
from pr2_agent.data.lampqa import LaMPQARecord
from pr2_agent.judges.embedding import split_sentences
from pr2_agent.judges.specifics import content_words
from pr2_agent.parsing import parse_action
from pr2_agent.policy.base import Generation, GenerationRequest, Policy
from pr2_agent.policy.encoding import EncodesRequests, RequestEncoder
from pr2_agent.trajectory import Segment

META_KEY = "pr2_meta"

Probe = Callable[[str], Sequence[str]]
"""Runs a search for this record's user and returns the retrieved item ids (best first)."""

# How many searches a demonstration aims for (it stops earlier when nothing is left to find and
# never exceeds the budget): mostly one or two, so the student learns to stop as well as to search.
SEARCH_TARGET_WEIGHTS: dict[int, float] = {1: 0.4, 2: 0.4, 3: 0.2}


@dataclass(frozen=True)
class EvidenceAspect:
    """One rubric aspect with what a demonstration needs to find and use its evidence."""

    aspect: str
    """The rubric aspect title."""
    query: str
    """A facet-level search query an agent could write without knowing the fact."""
    fact: str
    """The short phrase an ideal answer builds on (only written once its evidence was retrieved)."""
    item_ids: tuple[str, ...]
    """Profile items that carry the evidence."""


def read_evidence(record: LaMPQARecord) -> tuple[EvidenceAspect, ...]:
    """Read the per-aspect evidence plan the development-set generator stores in ``pr2_meta``.

    Raises:
        ValueError: The record has no ``pr2_meta.aspects`` or an entry misses a field.
    """
    meta = record.extra.get(META_KEY)
    entries = meta.get("aspects") if isinstance(meta, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(
            f"record {record.id!r} has no {META_KEY}.aspects: data-driven demonstrations need the evidence "
            "plan the bundled development set carries (pr2_agent/data/devset/*.json). For plain LaMP-QA "
            "records use a teacher model instead (export.py --source teacher)."
        )
    out = []
    for i, entry in enumerate(entries):
        where = f"record {record.id!r} {META_KEY}.aspects[{i}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} is a {type(entry).__name__}, expected an object.")
        missing = [k for k in ("aspect", "query", "fact", "evidence_ids") if k not in entry]
        if missing:
            raise ValueError(f"{where} lacks {missing}; regenerate the development set (tools/devset/make_devset.py).")
        out.append(
            EvidenceAspect(
                aspect=str(entry["aspect"]),
                query=str(entry["query"]),
                fact=str(entry["fact"]),
                item_ids=tuple(str(i) for i in entry["evidence_ids"]),
            )
        )
    return tuple(out)


# ------------------------------------------------------------------------------------------------
# Wording. Several templates per move, so the student learns the protocol, not one sentence.

PLAN_THOUGHTS = (
    "The user asks about {topic}. A good answer depends on their situation: {needs}. I do not know these "
    "yet, so I will search their history first.",
    "To make this personal I need to know {needs}. Their past posts may tell me, so let me search.",
    "This is a {topic} question. What should shape my answer: {needs}. I will look through what the user "
    "shared before.",
    "Before answering I want to check the user's past posts for {needs}.",
    "I should not give generic advice. I need details such as {needs}. I will start with {first}.",
    "What matters here is {needs}. Let me search the user's history for {first}.",
)
QUERY_FORMS = ("{q}", "{q} {topic}", "{topic} {q}", "{q}?", "posts about {q}", "{topic}: {q}")
HIT_FORMS = (
    '[{r}] says: "{fact}".',
    'From [{r}]: "{fact}".',
    'Result [{r}] is useful: "{fact}".',
    '[{r}] shows "{fact}".',
    'Item [{r}] matters: "{fact}".',
)
NOTHING_FORMS = (
    "These results say nothing about {q}.",
    "Nothing here about {q}.",
    "None of these items is about {q}.",
)
IRRELEVANT_FORMS = ("{ranks}: not relevant.", "The rest ({ranks}) does not help.", "{ranks}: unrelated.", "")
CONTINUE_FORMS = (
    "I still need to know {q}.",
    "Next I want to check {q}.",
    "Still missing: {q}. I will search again.",
    "Let me also look for {q}.",
)
READY_FORMS = ("That is enough to answer.", "Now I can answer.", "I have what I need.", "Time to answer.", "")
INTROS = (
    "Here is what I would suggest for you.",
    "Based on what you have shared before, here are my suggestions.",
    "Taking your situation into account:",
    "Some ideas that fit you:",
    "Here is advice that fits your situation.",
)
FACT_FORMS = (
    'Keep in mind what you told me: "{fact}".',
    'Since you wrote "{fact}", I would plan around that.',
    'You mentioned "{fact}", so that shapes my suggestion.',
    'Given what you said before ("{fact}"), this matters most.',
)
BULLET_FORM = '- You said: "{fact}".'
NO_FACT_ANSWERS = (
    "I could not find anything in your history that changes the answer, so here is general advice on "
    "{topic}: start simple, set one clear goal, and adjust as you learn what works for you.",
    "Your past posts do not say much about this, so a general answer: pick one small step in {topic}, try "
    "it for a week, and build from there.",
)
CLOSINGS = ("Good luck!", "Hope this helps.", "Enjoy!", "")


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _head(query: str) -> str:
    """The topic part of a facet query ("dietary restrictions: vegan, ..." -> "dietary restrictions")."""
    return query.split(":", 1)[0].strip()


def _phrasings(query: str, rng: random.Random) -> list[str]:
    """Short forms of a facet query: its topic, and its topic with at most two of its example words.

    Long comma lists are where a small model's greedy decoding falls into repetition, so the
    demonstrations never show more than two examples.
    """
    head, _, rest = query.partition(":")
    examples = [w.strip() for w in rest.split(",") if w.strip()]
    forms = [head.strip()]
    if examples:
        forms.append(f"{head.strip()}: {', '.join(rng.sample(examples, min(2, len(examples))))}")
    rng.shuffle(forms)
    return forms


def quote(item_text: str, fact: str) -> str:
    """The sentence of a profile item that carries ``fact`` (most shared content words), unpunctuated.

    Statements win ties over questions: "My first open mic is in eight weeks" over "What should I say
    at an open mic?".

    Example:
        >>> quote("Best earplugs? I've had tinnitus since a festival. Thanks!", "tinnitus: practice quietly")
        "I've had tinnitus since a festival"
    """
    wanted = content_words(fact)
    sentences = split_sentences(item_text) or [item_text]
    best = max(
        sentences,
        key=lambda t: (len(content_words(t) & wanted), not t.rstrip().endswith("?"), -len(t)),
    )
    return best.strip().rstrip(".!?").strip()



def _topic(record: LaMPQARecord) -> str:
    meta = record.extra.get(META_KEY)
    domain = meta.get("domain") if isinstance(meta, dict) else None
    return str(domain) if domain else "this"


# ------------------------------------------------------------------------------------------------
# Reading the trajectory so far: the graph records which items each <information> block showed.


@dataclass(frozen=True)
class SeenItem:
    """One item of an inserted ``<information>`` block."""

    rank: int
    item_id: str


def information_items(segment: Segment) -> list[SeenItem]:
    """The items an inserted ``<information>`` block showed, best first (empty for other segments)."""
    return [SeenItem(rank, item_id) for rank, item_id in enumerate(segment.get("item_ids") or [], start=1)]


def _queries(segments: Sequence[Segment]) -> list[str]:
    """The search queries the model issued so far, in order."""
    actions = (parse_action(s["text"]) for s in segments if s["kind"] == "model")
    return [a.payload for a in actions if a.kind == "search"]


# ------------------------------------------------------------------------------------------------


class DemonstrationPolicy:
    """Write teacher turns for one record from its evidence plan; drive the PR2 graph with it.

    The policy reads the completion so far from each request: the ``<information>`` blocks the
    graph inserted tell it which items were really retrieved, so its thoughts and answer name only
    facts whose evidence items are among them. It issues at most ``max_searches`` searches (the
    run's budget), so it never triggers the forced answer.

    Args:
        record: The question, its profile and ``pr2_meta`` (see :func:`read_evidence`).
        seed: Varies the plan (search order and count) and every wording choice.
        max_searches: The graph run's ``Context.max_searches``.
        probe: Optional search of this user's store; when given, each query is the first of several
            phrasings whose results contain the targeted evidence (still falling back to the first
            phrasing when none does), so fewer demonstrations miss their evidence.
    """

    name = "demonstration"

    def __init__(
        self, record: LaMPQARecord, *, seed: int = 0, max_searches: int = 3, probe: Probe | None = None
    ) -> None:
        """Prepare the plan for ``record``."""
        if max_searches < 0:
            raise ValueError(f"max_searches must be >= 0, got {max_searches}.")
        self.record = record
        self.seed = seed
        self.max_searches = max_searches
        self.probe = probe
        self.evidence = read_evidence(record)
        self.topic = _topic(record)
        self.texts = {p.id: p.text for p in record.profile}
        self._seen: list[str] = []
        plan_rng = random.Random(f"{seed}:{record.id}:plan")
        self.order = list(self.evidence)
        plan_rng.shuffle(self.order)
        targets, weights = zip(*SEARCH_TARGET_WEIGHTS.items(), strict=True)
        self.target_searches = min(plan_rng.choices(targets, weights)[0], max_searches)

    # -- Policy interface --------------------------------------------------------------------------

    def encode(self, text: str) -> None:
        """No tokenizer of its own: wrap it in :class:`TokenizedPolicy` for token ids."""
        return None

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Answer each request in order."""
        return [self.generate(r) for r in requests]

    def generate(self, request: GenerationRequest) -> Generation:
        """Write the next turn for the trajectory in ``request``."""
        segments = request.segments
        rng = random.Random(f"{self.seed}:{self.record.id}:{len(segments)}")
        retrievals = [information_items(s) for s in segments if s["kind"] == "env" and "item_ids" in s]
        seen_ids = [i.item_id for block in retrievals for i in block]
        covered = self._discovery_order(seen_ids)
        self._seen = seen_ids
        if segments and segments[-1]["text"] == prompts.FORCED_ANSWER_OBSERVATION:
            # The graph already opened <answer>: continue inside it.
            text = self._answer_body(covered, rng) + prompts.close_tag(prompts.ANSWER_TAG)
        elif not segments:
            text = self._first_turn(rng)
        else:
            text = self._after_retrieval(retrievals, covered, _queries(segments), rng)
        return Generation(text=text, token_ids=None, prompt_ids=None, finish_reason="stop")

    # -- turns -------------------------------------------------------------------------------------

    def _first_turn(self, rng: random.Random) -> str:
        if self.max_searches == 0:
            return self._wrap_answer("I cannot search the history this time, so I will answer directly.", [], rng)
        needs = [_head(a.query) for a in self.order[: rng.randint(2, 3)]]
        thought = rng.choice(PLAN_THOUGHTS).format(
            topic=self.topic, needs=_join(needs), first=_head(self.order[0].query)
        )
        return self._think(thought) + "\n" + self._search(self.order[0], [], rng)

    def _after_retrieval(
        self,
        retrievals: list[list[SeenItem]],
        covered: list[EvidenceAspect],
        queries: list[str],
        rng: random.Random,
    ) -> str:
        searches = len(retrievals)
        latest = retrievals[-1] if retrievals else []
        before = {s.item_id for block in retrievals[:-1] for s in block}
        thought = self._read_results(latest, before, queries[-1] if queries else "", rng)
        missing = [a for a in self.order if a not in covered]
        found_nothing = not covered
        want_more = searches < self.target_searches or (found_nothing and rng.random() < 0.8)
        if missing and want_more and searches < self.max_searches:
            # Move on to an aspect not searched for yet; rephrase a missed one only when none is left.
            untried = [a for a in missing if not any(_head(a.query) in q for q in queries)]
            nxt = (untried or missing)[0]
            thought = f"{thought} {rng.choice(CONTINUE_FORMS).format(q=_head(nxt.query))}".strip()
            return self._think(thought) + "\n" + self._search(nxt, queries, rng)
        thought = f"{thought} {rng.choice(READY_FORMS)}".strip()
        return self._wrap_answer(thought, covered, rng)

    def _read_results(self, latest: list[SeenItem], before: set[str], query: str, rng: random.Random) -> str:
        by_item = {i: a for a in self.evidence for i in a.item_ids}
        parts: list[str] = []
        useless: list[str] = []
        for item in latest:
            aspect = by_item.get(item.item_id)
            if aspect is not None and item.item_id not in before:
                parts.append(rng.choice(HIT_FORMS).format(r=item.rank, fact=self.quote_of(aspect, item.item_id)))
            else:
                useless.append(f"[{item.rank}]")
        if not parts:
            # Name what the search was after: the facet query it was phrased from.
            aimed = next((_head(a.query) for a in self.evidence if _head(a.query) in query), query)
            parts.append(rng.choice(NOTHING_FORMS).format(q=aimed))
        elif useless and rng.random() < 0.5:
            parts.append(rng.choice(IRRELEVANT_FORMS).format(ranks=", ".join(useless)))
        return " ".join(p for p in parts if p)

    def _search(self, target: EvidenceAspect, previous: list[str], rng: random.Random) -> str:
        forms = list(QUERY_FORMS)
        rng.shuffle(forms)
        candidates = [f.format(q=q, topic=self.topic) for f in forms for q in _phrasings(target.query, rng)]
        candidates = [c for c in candidates if c not in previous] or candidates
        query = candidates[0]
        if self.probe is not None:
            hit = next((c for c in candidates if set(self.probe(c)) & set(target.item_ids)), None)
            query = hit or query
        return f"{prompts.open_tag(prompts.SEARCH_TAG)}{query}{prompts.close_tag(prompts.SEARCH_TAG)}"

    def _answer_body(self, covered: list[EvidenceAspect], rng: random.Random) -> str:
        if not covered:
            return rng.choice(NO_FACT_ANSWERS).format(topic=self.topic)
        bullets = rng.random() < 0.4
        sentences = [rng.choice(INTROS)]
        for a in covered:
            form = BULLET_FORM if bullets else rng.choice(FACT_FORMS)
            sentences.append(form.format(fact=self.quote_of(a)))
        sentences.append(rng.choice(CLOSINGS))
        return ("\n" if bullets else " ").join(s for s in sentences if s)

    def _wrap_answer(self, thought: str, covered: list[EvidenceAspect], rng: random.Random) -> str:
        answer = self._answer_body(covered, rng)
        tag = prompts.ANSWER_TAG
        return f"{self._think(thought)}\n{prompts.open_tag(tag)}{answer}{prompts.close_tag(tag)}"

    # -- helpers -----------------------------------------------------------------------------------

    def quote_of(self, aspect: EvidenceAspect, item_id: str | None = None) -> str:
        """The quote an aspect is named by: from ``item_id``, else its first evidence item retrieved so far."""
        if item_id is None:
            item_id = next((i for i in self._seen if i in aspect.item_ids), aspect.item_ids[0])
        text = self.texts.get(item_id)
        return quote(text, aspect.fact) if text else aspect.fact

    @staticmethod
    def _think(text: str) -> str:
        return f"{prompts.open_tag(prompts.THINK_TAG)}{text}{prompts.close_tag(prompts.THINK_TAG)}"

    def _discovery_order(self, seen_ids: list[str]) -> list[EvidenceAspect]:
        """Aspects whose evidence was retrieved, in the order their first evidence item appeared."""
        first_seen: dict[str, int] = {}
        for pos, item_id in enumerate(seen_ids):
            first_seen.setdefault(item_id, pos)
        found = [
            (min(first_seen[i] for i in a.item_ids if i in first_seen), n)
            for n, a in enumerate(self.evidence)
            if any(i in first_seen for i in a.item_ids)
        ]
        return [self.evidence[n] for _, n in sorted(found)]


class TokenizedPolicy(EncodesRequests):
    """Give a text-only policy's turns the token ids of a student tokenizer.

    Prompt ids and encodings come from the same :class:`~pr2_agent.policy.encoding.RequestEncoder`
    that :class:`pr2_agent.policy.local.LocalPolicy` uses, so a trajectory recorded through this
    wrapper is exactly what the student would be fed.

    Args:
        inner: The policy that writes the turns (a :class:`DemonstrationPolicy`, a teacher model).
        tokenizer: The student's Hugging Face tokenizer (with a chat template).
    """

    def __init__(self, inner: Policy, tokenizer: Any) -> None:
        """Wrap ``inner``."""
        if getattr(tokenizer, "chat_template", None) is None:
            raise ValueError(
                "the tokenizer has no chat template, so prompt ids cannot be built; pass the student "
                "model's tokenizer (an instruct/chat checkpoint)."
            )
        self.inner = inner
        self.tokenizer = tokenizer
        self.name = inner.name
        self._encoder = RequestEncoder(tokenizer)

    def generate(self, request: GenerationRequest) -> Generation:
        """Let the inner policy write the turn, then attach token ids."""
        return self._tokenized(request, self.inner.generate(request))

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Let the inner policy write the turns, then attach token ids."""
        gens = self.inner.generate_batch(requests)
        return [self._tokenized(r, g) for r, g in zip(requests, gens, strict=True)]

    def _tokenized(self, request: GenerationRequest, gen: Generation) -> Generation:
        return Generation(
            text=gen.text,
            token_ids=self.encode(gen.text),
            prompt_ids=self.prompt_ids(request.messages),
            finish_reason=gen.finish_reason,
        )
