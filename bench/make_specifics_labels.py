"""Write the labelled answers the specifics judge is calibrated and checked on (bench/data/specifics_labels.json).

For every question of the bundled dev split (the eval table uses the test split), five answers of
the kinds issue 11 asks for, written from sentence templates in this file (mine, not a model's):

* ``specific_right``: generic framing around one sentence per aspect built from the aspect *title*
  (which states the user's specifics: "Budget under $40"), so the text shares the specifics but not
  the wording of the fact phrases the judge reads. The last aspect of a 4-5 aspect question is left
  out and the one before it is only named in passing, so the set holds partial answers too.
* ``specific_wrong``: the same shape, each aspect stated with *another* fact of the same facet from
  the persona catalog (its title: "Budget under $25", "Strategy games"), never the judge's contrast
  phrase; an aspect whose facet has no other fact is left out.
* ``long_generic``: 8-10 sentences of general advice that also name each aspect's topic (the facet:
  "the budget side") without any of the user's specifics: the failure case of the old proxy.
* ``short_vague``: one or two noncommittal sentences.
* ``off_topic``: the ``specific_right`` answer of a question from another domain (specific, wrong user).

Labels are my judgement of what each kind of answer deserves per aspect on LaMP-QA's scale, applied
by rule to every answer of the kind (they are never the judge's output):
2 = the user's specifics used; 1 = the user's specifics named in passing, nothing built on them;
0 = left out, generic topic, wrong specifics, vague or another user's. I read answers of each kind
for several questions to check that the rule fits the text.

    python bench/make_specifics_labels.py        # rewrites bench/data/specifics_labels.json
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pr2_agent.data.devset import load_devset  # noqa: E402
from pr2_agent.data.lampqa import LaMPQARecord  # noqa: E402
from tools.devset.catalog import load_catalog  # noqa: E402
from tools.devset.schema import Catalog, Fact, render  # noqa: E402

OUT = ROOT / "bench" / "data" / "specifics_labels.json"
SPLIT = "dev"
KINDS = ("specific_right", "specific_wrong", "long_generic", "short_vague", "off_topic")

INTROS = (
    "Good question, and there are plenty of ways to go about it.",
    "Here is how I would approach this.",
    "Happy to help with this.",
    "This is very doable with a bit of planning.",
)
SPECIFIC = (
    "Since it's {title}, I'd only pick options that fit that and drop the rest.",
    "Keeping {title} in mind, I'd filter every suggestion by that first.",
    "Because of {title}, plan around it from the start instead of adjusting later.",
    "With {title} in the picture, choose the options built for exactly that.",
)
PASSING = ("Also, {title}.", "And {title}, of course.")
CLOSERS = (
    "Start small, see what works for you, and adjust from there.",
    "Try one idea this week and keep what works.",
    "Good luck, and enjoy it!",
)
GENERIC = (
    "There are a lot of options out there, so it helps to narrow things down first.",
    "Reading a few reviews and recommendations from people you trust is a good start.",
    "It is worth taking a little time to think about what you really want out of this.",
    "Many people find that starting with something simple works best.",
    "Don't be afraid to experiment and try different things until one sticks.",
    "Online forums and communities are full of useful advice and experiences.",
    "Make a short list, compare the options, and pick the one that feels right.",
    "Consistency matters more than perfection, so pick something you can keep up.",
    "Ask friends what worked for them; personal recommendations are often the best.",
    "Remember that what works for someone else may not work for you.",
    "Keep an open mind and be willing to change course if something doesn't work.",
    "Planning ahead a little saves a lot of stress later on.",
)
TOPIC = (
    "Think about the {facet} side of things too.",
    "Your {facet} situation matters as well, so factor it in.",
    "Consider {facet} when you compare the options.",
)
VAGUE = (
    "It really depends on your situation.",
    "Just go with whatever feels right for you.",
    "There's no single right answer here; pick something you like.",
    "Try a few things and see.",
)


def lower_first(text: str) -> str:
    """Lower-case a title's first letter unless it starts an acronym ("Budget under $40" -> "budget under $40")."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def fact_pattern(template: str) -> re.Pattern[str]:
    """A regex matching every rendering of a catalog template (slots and ``{a|b}`` alternatives)."""
    parts: list[str] = []
    for piece in re.split(r"(\{[^{}]*\})", template):
        if piece.startswith("{") and piece.endswith("}"):
            body = piece[1:-1]
            parts.append("(?:" + "|".join(re.escape(a) for a in body.split("|")) + ")" if "|" in body else ".+?")
        else:
            parts.append(re.escape(piece))
    return re.compile("^" + r"\s*".join(p for p in parts if p) + "$")


def own_fact(catalog: Catalog, domain: str, facet: str, phrase: str) -> tuple[list[Fact], Fact]:
    """The facet's facts and the one this user has (matched on its rendered fact phrase)."""
    facts = next(f.facts for d in catalog.domains if d.name == domain for f in d.facets if f.name == facet)
    norm = " ".join(phrase.split())
    for fact in facts:
        if fact_pattern(" ".join(fact.fact.split())).match(norm):
            return list(facts), fact
    raise LookupError(f"no fact of {domain}/{facet} renders as {phrase!r}")


def wrong_title(catalog: Catalog, domain: str, facet: str, phrase: str, rng: random.Random) -> str | None:
    """Another fact's aspect title from the same facet, or the user's with other slot values; None if neither."""
    facts, mine = own_fact(catalog, domain, facet, phrase)
    others = [f for f in facts if f.key != mine.key]
    if others:
        other = rng.choice(others)
        return render(other.aspect, {n: rng.choice(v) for n, v in other.slots}, rng)
    return None


def specific_right(record: LaMPQARecord, rng: random.Random) -> tuple[str, list[int]]:
    n = len(record.rubric_aspects)
    sentences, labels = [rng.choice(INTROS)], []
    for i, aspect in enumerate(record.rubric_aspects):
        title = lower_first(aspect.aspect)
        if n >= 4 and i == n - 1:
            labels.append(0)  # left out
        elif n >= 4 and i == n - 2:
            sentences.append(rng.choice(PASSING).format(title=title))
            labels.append(1)
        else:
            sentences.append(rng.choice(SPECIFIC).format(title=title))
            labels.append(2)
    sentences.append(rng.choice(CLOSERS))
    return " ".join(sentences), labels


def specific_wrong(record: LaMPQARecord, catalog: Catalog, rng: random.Random) -> tuple[str, list[int]]:
    meta = record.extra["pr2_meta"]
    sentences = [rng.choice(INTROS)]
    for plan in meta["aspects"]:
        title = wrong_title(catalog, meta["domain"], plan["facet"], plan["fact"], rng)
        if title is not None:
            sentences.append(rng.choice(SPECIFIC).format(title=lower_first(title)))
    sentences.append(rng.choice(CLOSERS))
    return " ".join(sentences), [0] * len(record.rubric_aspects)


def long_generic(record: LaMPQARecord, rng: random.Random) -> tuple[str, list[int]]:
    facets = [a["facet"] for a in record.extra["pr2_meta"]["aspects"]]
    body = rng.sample(GENERIC, k=rng.randint(6, 8))
    for facet in facets:
        body.insert(rng.randint(1, len(body)), rng.choice(TOPIC).format(facet=facet))
    return " ".join([rng.choice(INTROS), *body]), [0] * len(record.rubric_aspects)


def short_vague(record: LaMPQARecord, rng: random.Random) -> tuple[str, list[int]]:
    return " ".join(rng.sample(VAGUE, k=rng.randint(1, 2))), [0] * len(record.rubric_aspects)


def build() -> list[dict[str, Any]]:
    """Every labelled answer, in question order then kind order."""
    catalog = load_catalog()
    records = load_devset(SPLIT)
    rights = {r.id: specific_right(r, random.Random(f"right:{r.id}"))[0] for r in records}
    rows: list[dict[str, Any]] = []
    for position, record in enumerate(records):
        rng = random.Random(f"labels:{record.id}")
        domain = record.extra["pr2_meta"]["domain"]
        donor = next(r for r in records[position + 1 :] + records[:position] if r.extra["pr2_meta"]["domain"] != domain)
        answers = {
            "specific_right": specific_right(record, random.Random(f"right:{record.id}")),
            "specific_wrong": specific_wrong(record, catalog, rng),
            "long_generic": long_generic(record, rng),
            "short_vague": short_vague(record, rng),
            "off_topic": (rights[donor.id], [0] * len(record.rubric_aspects)),
        }
        for kind in KINDS:
            text, labels = answers[kind]
            rows.append(
                {
                    "qid": record.id,
                    "half": "calibration" if position % 2 == 0 else "held_out",
                    "kind": kind,
                    "answer": text,
                    "labels": labels,
                    "aspects": [a.aspect for a in record.rubric_aspects],
                }
            )
    return rows


def main() -> int:
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "about": (
            "Hand-labelled answers for the specifics judge (bench/make_specifics_labels.py writes them; its "
            "docstring says how the answers were written and labelled). Questions: the bundled dev split. "
            "labels: one LaMP-QA match score 0/1/2 per rubric aspect, in the record's aspect order."
        ),
        "split": SPLIT,
        "answers": rows,
    }
    OUT.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    n_labels = sum(len(r["labels"]) for r in rows)
    print(f"wrote {len(rows)} answers, {n_labels} aspect labels -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
