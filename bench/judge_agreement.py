"""Agreement between the offline proxy judge and the LaMP-QA protocol judge; calibration of the proxy.

What it measures, per response (question + rubric + answer):

* the proxy judge (:class:`~pr2_agent.judges.EmbeddingProxyJudge`, MiniLM similarity, no LLM), and
* the LaMP-QA protocol judge (:class:`~pr2_agent.judges.LaMPQAJudge`) served by llama.cpp with a
  local GGUF (``--model-key``, default Qwen2.5-Coder-0.5B) or by any endpoint (``--base-url``),

then reports exact and within-one agreement of the per-aspect 0/1/2 scores, the confusion matrix,
Spearman's rho between per-response scores, and each judge's mean score per kind of answer. With
labelled data it also scores both judges against the labels (by hand for the hand-written cases,
by construction for synthesised answers).

Data (say which in any number you quote):

* ``--hand-labelled held-out`` (default) / ``calibration``: small hand-written LaMP-QA-style cases
  in this file, each answer labelled 0/1/2 per aspect by hand. The calibration set chose the proxy's
  thresholds and scoring variant; the held-out set was written separately and never tuned on.
* ``--data FILE`` (LaMP-QA JSON, e.g. the bundled synthetic devset ``pr2_agent/data/devset/test.json``)
  with ``--responses FILE`` (``{qid: [{"output": ...}]}``), or without it: answers synthesised from
  each record's rubric (see :func:`synthesise_answers`), which is a sanity check, not a benchmark.

Run::

    .venv/bin/python bench/judge_agreement.py --calibrate            # proxy only, ~10 s
    .venv/bin/python bench/judge_agreement.py --hand-labelled held-out --model-key qwen2.5-coder-0.5b
    .venv/bin/python bench/judge_agreement.py --data pr2_agent/data/devset/test.json --limit 12 \\
        --base-url http://127.0.0.1:8011/v1 --out bench/results/judge_agreement_devset.json
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pr2_agent.run.environment import offline_defaults  # noqa: E402

offline_defaults()

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # for tests.servers (the llama.cpp launcher the tests use too)

from pr2_agent.judges import (  # noqa: E402
    DEFAULT_THRESHOLDS,
    DEFAULT_YES_NO_THRESHOLDS,
    EmbeddingProxyJudge,
    JudgeItem,
    JudgeResult,
    LaMPQAJudge,
    ProxyJudge,
    YesNoProxyJudge,
)
from pr2_agent.judges.base import threshold_score  # noqa: E402

logger = logging.getLogger("judge_agreement")


@dataclass(frozen=True)
class LabelledAnswer:
    """A hand-written answer with a hand label (0/1/2) per aspect of its case."""

    kind: str
    """covering (all aspects), partial (some), generic (on topic, no aspect), off_topic, vague (hints)."""
    text: str
    labels: tuple[int, ...]


@dataclass(frozen=True)
class HandCase:
    """A LaMP-QA-style question with its rubric and hand-labelled answers."""

    question: str
    narrative: str
    aspects: list[dict[str, str]]
    answers: list[LabelledAnswer]


CALIBRATION_SET: list[HandCase] = [
    HandCase(
        question="How do I keep my sourdough starter alive while I travel?",
        narrative=(
            "I'm leaving for a three-week trip this summer and nobody can feed my starter while I'm "
            "away. My apartment has no air conditioning and gets very hot. I bake mostly rye bread "
            "and the starter is two years old; I really don't want to lose the flavour it has "
            "developed."
        ),
        aspects=[
            {
                "aspect": "Surviving a long period without feeding",
                "reason": "The user will be away for three weeks with no one to feed the starter.",
                "evidence": "three-week trip this summer and nobody can feed my starter",
            },
            {
                "aspect": "High temperature in the apartment",
                "reason": "Without air conditioning the starter would ferment too fast and starve.",
                "evidence": "My apartment has no air conditioning and gets very hot",
            },
            {
                "aspect": "Preserving the starter's developed flavour",
                "reason": "The user values the flavour of a two-year-old rye starter.",
                "evidence": "I really don't want to lose the flavour it has developed",
            },
        ],
        answers=[
            LabelledAnswer(
                "covering",
                (
                    "Give it a stiff feed with rye flour the day before you leave and put the jar "
                    "straight in the fridge: at fridge temperature a starter easily survives three weeks "
                    "without any feeding. Do not leave it on the counter, because a hot apartment without "
                    "air conditioning would make it ferment out in a day and starve. As insurance for the "
                    "flavour you have built over two years, smear a thin layer on baking paper, let it "
                    "dry and keep the flakes; rehydrated, they bring back the same culture and taste."
                ),
                (2, 2, 2),
            ),
            LabelledAnswer(
                "partial",
                (
                    "Feed it once before you go and keep it in the refrigerator; a well-fed starter can "
                    "go three or four weeks unfed in the cold. When you come back, discard most of it and "
                    "feed it twice a day for a couple of days."
                ),
                (2, 1, 0),
            ),
            LabelledAnswer(
                "generic",
                (
                    "A sourdough starter is a mix of flour and water colonised by wild yeast and lactic "
                    "acid bacteria. Most bakers feed it equal weights of flour and water once or twice a "
                    "day, and use it when it has doubled and smells pleasantly sour."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "off_topic",
                (
                    "For a long bike ride, check your tyre pressure, bring a spare tube and a multitool, "
                    "and eat something every hour so you don't run out of energy."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "vague",
                ("Keep it somewhere cool while you are gone, and maybe make a backup of it just in case."),
                (1, 1, 1),
            ),
        ],
    ),
    HandCase(
        question="Which laptop should I buy for university?",
        narrative=(
            "I'm starting a computer science degree in the autumn. My budget is tight, around 700 "
            "euros at most. I will carry it across campus all day, so battery life and weight matter, "
            "and I'd like to run Linux on it."
        ),
        aspects=[
            {
                "aspect": "Budget limit",
                "reason": "The user can spend about 700 euros at most.",
                "evidence": "My budget is tight, around 700 euros at most",
            },
            {
                "aspect": "Portability and battery life",
                "reason": "The laptop will be carried around campus all day.",
                "evidence": "I will carry it across campus all day, so battery life and weight matter",
            },
            {
                "aspect": "Linux compatibility",
                "reason": "The user wants to run Linux.",
                "evidence": "I'd like to run Linux on it",
            },
        ],
        answers=[
            LabelledAnswer(
                "covering",
                (
                    "With about 700 euros you can get a refurbished business ultrabook such as a ThinkPad "
                    "T14 or X13: they weigh around 1.3 kg and last eight to ten hours on a charge, which "
                    "covers a full day on campus. ThinkPads are also among the best-supported machines "
                    "for Linux; Fedora and Ubuntu run on them out of the box, including Wi-Fi and "
                    "suspend."
                ),
                (2, 2, 2),
            ),
            LabelledAnswer(
                "partial",
                (
                    "Stay under 700 euros by looking at last year's models or refurbished units; new "
                    "flagship laptops are not worth the price for a student. A mid-range model with 16 GB "
                    "of RAM will be plenty for programming courses."
                ),
                (2, 0, 0),
            ),
            LabelledAnswer(
                "generic",
                (
                    "For a computer science degree any modern laptop with a decent processor and at least "
                    "8 GB of RAM will do. Many students like MacBooks, while others prefer gaming laptops "
                    "for their powerful graphics cards."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "off_topic",
                (
                    "To make a good risotto, toast the rice in butter before adding hot stock one ladle "
                    "at a time, and stir constantly until it is creamy."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "vague",
                ("Don't overspend, and pick something light that works with the software you want to use."),
                (1, 1, 1),
            ),
        ],
    ),
    HandCase(
        question="How can I get my toddler to sleep through the night?",
        narrative=(
            "My daughter is two and still wakes up three or four times every night. We live in a "
            "small flat and she shares our bedroom, so any noise wakes her. I've read about "
            "cry-it-out but I'm not comfortable letting her cry for long."
        ),
        aspects=[
            {
                "aspect": "Frequent night wakings",
                "reason": "The two-year-old wakes several times a night.",
                "evidence": "still wakes up three or four times every night",
            },
            {
                "aspect": "Sharing a bedroom in a small flat",
                "reason": "Noise from the parents wakes the child.",
                "evidence": "she shares our bedroom, so any noise wakes her",
            },
            {
                "aspect": "Gentle methods without prolonged crying",
                "reason": "The parent is uncomfortable with cry-it-out.",
                "evidence": "I'm not comfortable letting her cry for long",
            },
        ],
        answers=[
            LabelledAnswer(
                "covering",
                (
                    "Several wakings a night at two are usually a habit of needing help to fall back "
                    "asleep, so work on a calm bedtime routine and let her fall asleep on her own at the "
                    "start of the night. Since she shares your room, put up a curtain or a screen between "
                    "the beds and run a white-noise machine so your movements don't wake her. Instead of "
                    "cry-it-out, try a gradual 'chair method': sit beside her cot and move the chair a "
                    "little further away every few nights, comforting her briefly when she calls."
                ),
                (2, 2, 2),
            ),
            LabelledAnswer(
                "partial",
                (
                    "Try a white-noise machine and a room divider: when a child shares the parents' "
                    "bedroom, small noises often cause the wake-ups."
                ),
                (1, 2, 0),
            ),
            LabelledAnswer(
                "generic",
                (
                    "Toddlers need between eleven and fourteen hours of sleep a day, including naps. "
                    "Sleep needs vary a lot between children."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "off_topic",
                (
                    "To repot a houseplant, choose a pot one size bigger, loosen the roots gently and "
                    "water well after moving it."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "vague",
                (
                    "Keep things quiet at night and be patient with her; gentle approaches take longer "
                    "but they work."
                ),
                (1, 1, 1),
            ),
        ],
    ),
    HandCase(
        question="What's a good way to start learning guitar as an adult?",
        narrative=(
            "I'm 45 and have never played an instrument. I work long hours so I only have about "
            "twenty minutes a day. I mostly listen to blues and would love to play some simple blues "
            "songs. Lessons with a teacher are too expensive for me right now."
        ),
        aspects=[
            {
                "aspect": "Limited practice time",
                "reason": "The user has only about twenty minutes a day.",
                "evidence": "I only have about twenty minutes a day",
            },
            {
                "aspect": "Interest in blues",
                "reason": "The user wants to play simple blues songs.",
                "evidence": "would love to play some simple blues songs",
            },
            {
                "aspect": "Learning without a paid teacher",
                "reason": "Lessons are too expensive for the user.",
                "evidence": "Lessons with a teacher are too expensive for me right now",
            },
        ],
        answers=[
            LabelledAnswer(
                "covering",
                (
                    "Twenty focused minutes a day is enough if you split it: five minutes of finger "
                    "exercises, ten on one new chord change, five playing something you enjoy. Aim "
                    "straight at the blues: learn the E, A and B7 chords and the 12-bar blues pattern, "
                    "then a shuffle rhythm and the minor pentatonic scale. You don't need a paid teacher: "
                    "free video courses such as Justin Guitar have a complete beginner blues module, and "
                    "backing tracks on YouTube let you play along."
                ),
                (2, 2, 2),
            ),
            LabelledAnswer(
                "partial",
                (
                    "Learn the 12-bar blues in E with the E, A and B7 chords, then add the minor "
                    "pentatonic scale to improvise simple blues licks."
                ),
                (0, 2, 0),
            ),
            LabelledAnswer(
                "generic",
                (
                    "The guitar is a stringed instrument that usually has six strings. Acoustic and "
                    "electric guitars differ in how the sound is produced and amplified."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "off_topic",
                (
                    "Compound interest means you earn interest on your interest, so starting to save "
                    "early makes a big difference over decades."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "vague",
                (
                    "Practise a little every day, pick songs in the style you like, and use free "
                    "resources online."
                ),
                (1, 1, 1),
            ),
        ],
    ),
    HandCase(
        question="How should I prepare for my first marathon?",
        narrative=(
            "I've run a few half marathons but never a full one. The race is in sixteen weeks. I had "
            "a knee injury last year so I'm worried about overuse. I'm also vegetarian and not sure "
            "how to fuel on long runs."
        ),
        aspects=[
            {
                "aspect": "Sixteen-week training timeline",
                "reason": "The race is sixteen weeks away.",
                "evidence": "The race is in sixteen weeks",
            },
            {
                "aspect": "Avoiding re-injury of the knee",
                "reason": "The user had a knee injury last year.",
                "evidence": "I had a knee injury last year so I'm worried about overuse",
            },
            {
                "aspect": "Vegetarian fuelling",
                "reason": "The user is vegetarian and unsure about fuelling.",
                "evidence": "I'm also vegetarian and not sure how to fuel on long runs",
            },
        ],
        answers=[
            LabelledAnswer(
                "covering",
                (
                    "Sixteen weeks is a comfortable block for someone who already runs half marathons: "
                    "build your long run by about 10% a week to 32 km, with a cut-back week every fourth "
                    "week and a three-week taper. Protect the knee with two short strength sessions a "
                    "week (squats, lunges, hip work), keep most runs easy and stop at the first sign of "
                    "knee pain. Fuelling works the same for vegetarians: carbohydrate gels or dates every "
                    "30-40 minutes on long runs, and lentils, tofu, eggs or dairy for protein in "
                    "recovery."
                ),
                (2, 2, 2),
            ),
            LabelledAnswer(
                "partial",
                (
                    "Add strength training for your legs and hips and don't increase mileage too quickly; "
                    "after a knee injury, overuse is the main risk, so listen to pain and rest when "
                    "needed."
                ),
                (0, 2, 0),
            ),
            LabelledAnswer(
                "generic",
                (
                    "A marathon is 42.195 km long. The distance comes from the legend of a Greek "
                    "messenger who ran from Marathon to Athens."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "off_topic",
                (
                    "Renew your passport at least three months before travelling, as many countries "
                    "require six months of validity on entry."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "vague",
                (
                    "Give yourself enough weeks, be careful with old injuries, and eat well around your "
                    "long runs."
                ),
                (1, 1, 1),
            ),
        ],
    ),
    HandCase(
        question="How do I ask my manager for a raise?",
        narrative=(
            "I've been at my company for three years without a salary increase, even though I took "
            "over a colleague's projects last year. My manager is quite conflict-averse. I found out "
            "that new hires in my role earn more than me."
        ),
        aspects=[
            {
                "aspect": "Demonstrating increased responsibilities",
                "reason": "The user took over extra projects.",
                "evidence": "I took over a colleague's projects last year",
            },
            {
                "aspect": "Dealing with a conflict-averse manager",
                "reason": "The manager avoids confrontation.",
                "evidence": "My manager is quite conflict-averse",
            },
            {
                "aspect": "Pay gap with new hires",
                "reason": "New hires earn more than the user.",
                "evidence": "new hires in my role earn more than me",
            },
        ],
        answers=[
            LabelledAnswer(
                "covering",
                (
                    "Build the case around the projects you inherited last year: list what you took over "
                    "and the results, so the request is about your larger role rather than a complaint. "
                    "Because your manager avoids conflict, send a short note ahead of the meeting so they "
                    "are not surprised, and frame it as a joint problem to solve. Mention market data "
                    "rather than gossip: say that the current salary range for your role, including "
                    "recent hires, is above what you earn, and ask for an adjustment to that level."
                ),
                (2, 2, 2),
            ),
            LabelledAnswer(
                "partial",
                (
                    "Point out that new hires in your role are paid more than you, and ask for your "
                    "salary to be brought in line with the market."
                ),
                (0, 0, 2),
            ),
            LabelledAnswer(
                "generic",
                (
                    "Salaries are usually reviewed once a year, and raises are often between two and five "
                    "percent depending on the company."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "off_topic",
                (
                    "To descale a kettle, fill it with equal parts water and vinegar, boil, leave for an "
                    "hour and rinse thoroughly."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "vague",
                (
                    "Mention what you have achieved, choose a calm moment to talk, and know what others "
                    "are paid."
                ),
                (1, 1, 1),
            ),
        ],
    ),
]

HELD_OUT_SET: list[HandCase] = [
    HandCase(
        question="What houseplants should I get for my apartment?",
        narrative=(
            "My apartment faces north and gets very little direct sunlight. I travel for work about "
            "one week a month, so the plants will go unwatered for a while. I also have a cat who "
            "chews on leaves."
        ),
        aspects=[
            {
                "aspect": "Low light conditions",
                "reason": "The apartment faces north with little direct sun.",
                "evidence": "My apartment faces north and gets very little direct sunlight",
            },
            {
                "aspect": "Tolerating missed waterings",
                "reason": "The user is away one week a month.",
                "evidence": "I travel for work about one week a month",
            },
            {
                "aspect": "Safe for cats",
                "reason": "The user's cat chews on leaves.",
                "evidence": "I also have a cat who chews on leaves",
            },
        ],
        answers=[
            LabelledAnswer(
                "covering",
                (
                    "For a north-facing flat, pick plants that cope with shade, like a cast-iron plant, a "
                    "parlor palm or a calathea. All three forgive a week without water if you soak them "
                    "well before a trip, and a self-watering pot helps on longer absences. They are also "
                    "non-toxic to cats, so a chewed leaf is not dangerous; avoid pothos, lilies and peace "
                    "lilies, which are poisonous to cats."
                ),
                (2, 2, 2),
            ),
            LabelledAnswer(
                "partial",
                (
                    "Choose plants that are safe for pets, like spider plants or parlor palms, and keep "
                    "lilies out of the house because they are toxic to cats."
                ),
                (0, 0, 2),
            ),
            LabelledAnswer(
                "generic",
                (
                    "Houseplants improve the look of a room and some people find caring for them "
                    "relaxing. Garden centres usually have a wide selection."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "off_topic",
                (
                    "When you negotiate a car price, research the market value first and be ready to walk "
                    "away."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "vague",
                (
                    "Go for hardy plants that don't need much from you, and check they are fine around "
                    "animals."
                ),
                (1, 1, 1),
            ),
        ],
    ),
    HandCase(
        question="How can I improve my English pronunciation?",
        narrative=(
            "I'm a native Spanish speaker working in a call centre, so people mostly hear my voice "
            "over the phone. I struggle especially with the short and long vowels, like ship and "
            "sheep. I can only practise during my commute on the train."
        ),
        aspects=[
            {
                "aspect": "Being understood over the phone",
                "reason": "The user's job is phone-based, without visual cues.",
                "evidence": "working in a call centre, so people mostly hear my voice over the phone",
            },
            {
                "aspect": "Vowel length contrasts",
                "reason": "The user confuses short and long vowels.",
                "evidence": "I struggle especially with the short and long vowels, like ship and sheep",
            },
            {
                "aspect": "Practising during a commute",
                "reason": "The only practice time is on the train.",
                "evidence": "I can only practise during my commute on the train",
            },
        ],
        answers=[
            LabelledAnswer(
                "covering",
                (
                    "Since callers only hear your voice, slow down slightly and stress key words; clarity "
                    "matters more than accent on the phone. Spanish has five vowels, so drill minimal "
                    "pairs such as ship/sheep, bit/beat and full/fool: exaggerate the long vowel at "
                    "first. On the train, use headphones with a shadowing app or podcast: listen to a "
                    "sentence and repeat it under your breath, and record yourself to compare."
                ),
                (2, 2, 2),
            ),
            LabelledAnswer(
                "partial",
                (
                    "Practise minimal pairs like ship and sheep or live and leave; the long vowel is "
                    "tenser and longer than the short one."
                ),
                (0, 2, 0),
            ),
            LabelledAnswer(
                "generic",
                (
                    "English has many dialects, and pronunciation differs a lot between the UK, the US "
                    "and Australia."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "off_topic",
                ("Mulch your vegetable beds in spring to keep moisture in and weeds down."),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "vague",
                (
                    "Work on the sounds that give you trouble and practise whenever you have a few spare "
                    "minutes."
                ),
                (0, 1, 1),
            ),
        ],
    ),
    HandCase(
        question="What should I cook for a dinner party?",
        narrative=(
            "I'm hosting eight people next Saturday. Two of my guests are vegan and one has a nut "
            "allergy. My kitchen is tiny with only two burners, so I want to prepare most things in "
            "advance."
        ),
        aspects=[
            {
                "aspect": "Vegan guests",
                "reason": "Two guests eat no animal products.",
                "evidence": "Two of my guests are vegan",
            },
            {
                "aspect": "Nut allergy",
                "reason": "One guest is allergic to nuts.",
                "evidence": "one has a nut allergy",
            },
            {
                "aspect": "Make-ahead dishes for a small kitchen",
                "reason": "Only two burners; food must be prepared in advance.",
                "evidence": (
                    "My kitchen is tiny with only two burners, so I want to prepare most things in advance"
                ),
            },
        ],
        answers=[
            LabelledAnswer(
                "covering",
                (
                    "Make the whole menu vegan so nobody needs a separate plate: a chickpea and squash "
                    "tagine with couscous, a big roasted vegetable salad, and a chocolate olive-oil cake. "
                    "Keep every dish nut-free: skip almonds and pine nuts, check labels on chocolate and "
                    "pesto, and use toasted seeds for crunch instead. The tagine tastes better made a day "
                    "ahead and the cake keeps for days, so on Saturday your two burners only reheat the "
                    "tagine and cook the couscous."
                ),
                (2, 2, 2),
            ),
            LabelledAnswer(
                "partial",
                (
                    "A stew or a curry can be cooked the day before and just reheated, which is ideal "
                    "when you have little space and only a couple of burners."
                ),
                (0, 0, 2),
            ),
            LabelledAnswer(
                "generic",
                (
                    "Dinner parties are a great way to bring friends together. Set the table early and "
                    "put on some music."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "off_topic",
                (
                    "To learn to touch-type, practise daily with an online trainer and don't look at the "
                    "keyboard."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "vague",
                (
                    "Choose dishes everyone can eat, be careful about allergies, and keep the cooking "
                    "simple on the day."
                ),
                (1, 1, 1),
            ),
        ],
    ),
    HandCase(
        question="Which camera should I buy to get into photography?",
        narrative=(
            "I mostly want to photograph birds and wildlife on weekend hikes. I already carry a heavy "
            "backpack, so the camera can't add much weight. I've saved about 1,000 dollars for "
            "everything, including the lens."
        ),
        aspects=[
            {
                "aspect": "Wildlife and bird photography",
                "reason": "Birds need reach and fast autofocus.",
                "evidence": "I mostly want to photograph birds and wildlife",
            },
            {
                "aspect": "Light weight for hiking",
                "reason": "The camera is carried on long hikes.",
                "evidence": "I already carry a heavy backpack, so the camera can't add much weight",
            },
            {
                "aspect": "Total budget of 1,000 dollars",
                "reason": "Body and lens must fit in 1,000 dollars.",
                "evidence": "I've saved about 1,000 dollars for everything, including the lens",
            },
        ],
        answers=[
            LabelledAnswer(
                "covering",
                (
                    "For birds you need reach, so a bridge camera like the Sony RX10 or a used micro "
                    "four-thirds body with a 100-300 mm lens works well; both focus fast enough for birds "
                    "in flight. Micro four-thirds gear is small and light, around a kilo for body and "
                    "lens together, which matters when you are already carrying a heavy pack. A used "
                    "Olympus E-M10 with the Panasonic 100-300 comes in just under 1,000 dollars for "
                    "everything."
                ),
                (2, 2, 2),
            ),
            LabelledAnswer(
                "partial",
                (
                    "Look at mirrorless cameras rather than DSLRs; they are smaller and lighter, which "
                    "makes a difference on a long hike."
                ),
                (0, 2, 0),
            ),
            LabelledAnswer(
                "generic",
                (
                    "Photography is about light and composition. The rule of thirds is a good starting "
                    "point for framing your shots."
                ),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "off_topic",
                ("Ask your landlord in writing before painting the walls of a rented flat."),
                (0, 0, 0),
            ),
            LabelledAnswer(
                "vague",
                (
                    "Get something that can zoom a long way, doesn't weigh much, and leaves room in your "
                    "savings for a lens."
                ),
                (1, 1, 1),
            ),
        ],
    ),
]


@dataclass(frozen=True)
class Sample:
    """One response to judge, with where it came from."""

    key: str
    """Question id (record id, or ``<set>-<case index>`` for hand-written cases)."""
    kind: str
    item: JudgeItem
    labels: tuple[int, ...] | None = None
    """Hand labels per aspect, when known."""


def hand_samples(cases: Sequence[HandCase], name: str) -> list[Sample]:
    """Every hand-labelled answer of ``cases`` as a sample."""
    return [
        Sample(
            f"{name}-{i}",
            answer.kind,
            JudgeItem(case.question, case.narrative, case.aspects, answer.text),
            answer.labels,
        )
        for i, case in enumerate(cases)
        for answer in case.answers
    ]


def synthesise_answers(records: Sequence[Any]) -> list[Sample]:
    """Four answers per record built from its rubric, no model involved.

    * ``covering``: one sentence per aspect. For the bundled devset the sentence states the hidden
      fact behind the aspect (``pr2_meta``), worded differently from the rubric; for other data it
      restates the aspect title and reason, which makes it easy for any judge.
    * ``partial``: the covering answer's first half of the aspects.
    * ``off_topic``: the covering answer of the record half the list away (another domain, as a rule).
    * ``question_echo``: the question restated with a non-committal sentence (a reward hack check).

    Each answer is labelled by construction: 2 for an aspect its sentences state, else 0.
    """
    covering: list[list[str]] = []
    for record in records:
        meta = getattr(record, "extra", {}).get("pr2_meta", {}) if hasattr(record, "extra") else {}
        facts = {a.get("aspect"): a.get("fact") for a in meta.get("aspects", []) if isinstance(a, dict)}
        sentences = []
        for aspect in record.rubric_aspects:
            fact = facts.get(aspect.aspect)
            if fact:
                sentences.append(f"This suggestion keeps in mind that for you: {fact}.")
            else:
                sentences.append(f"On {aspect.aspect.lower()}: {aspect.reason}")
        covering.append(sentences)
    samples = []
    opener = "Here is what I would suggest."
    for i, record in enumerate(records):
        sentences = covering[i]
        half = max(1, math.ceil(len(sentences) / 2))
        other = covering[(i + len(records) // 2) % len(records)]
        texts = {
            "covering": " ".join([opener, *sentences]),
            "partial": " ".join([opener, *sentences[:half]]),
            "off_topic": " ".join([opener, *other]),
            "question_echo": f"You asked: {record.question} It depends; there are many options.",
        }
        n = len(sentences)
        labels = {
            "covering": (2,) * n,
            "partial": (2,) * half + (0,) * (n - half),
            "off_topic": (0,) * n,
            "question_echo": (0,) * n,
        }
        for kind, text in texts.items():
            item = JudgeItem.from_record(record, f"<answer>{text}</answer>")
            samples.append(Sample(record.id, kind, item, labels[kind]))
    return samples


def response_samples(records: Sequence[Any], responses: dict[str, str]) -> list[Sample]:
    """One sample per record that has a response in the file."""
    missing = [r.id for r in records if r.id not in responses]
    if missing:
        logger.warning(
            "%d of %d records have no response and are skipped (e.g. %s)",
            len(missing),
            len(records),
            missing[:3],
        )
    return [
        Sample(r.id, "response", JudgeItem.from_record(r, responses[r.id]))
        for r in records
        if r.id in responses
    ]


# -- metrics ------------------------------------------------------------------------------------


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho (Pearson on average ranks); NaN when either side is constant."""
    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / math.sqrt(vx * vy) if vx and vy else float("nan")


def discrete(score: float) -> int:
    """Round a 0..2 score half up (continuous proxies compare on the protocol's grid)."""
    return int(min(max(math.floor(score + 0.5), 0), 2))


def score_agreement(a: Sequence[int], b: Sequence[int]) -> dict[str, Any]:
    """Exact and within-one agreement and the 3x3 confusion matrix (rows: a, columns: b)."""
    confusion = [[0, 0, 0] for _ in range(3)]
    for x, y in zip(a, b, strict=True):
        confusion[x][y] += 1
    n = len(a)
    return {
        "n_aspects": n,
        "exact": sum(x == y for x, y in zip(a, b, strict=True)) / n,
        "within_one": sum(abs(x - y) <= 1 for x, y in zip(a, b, strict=True)) / n,
        "mean_abs_diff": sum(abs(x - y) for x, y in zip(a, b, strict=True)) / n,
        "confusion": confusion,
    }


def pairwise_concordance(keys: Sequence[str], truth: Sequence[float], pred: Sequence[float]) -> float:
    """Among pairs of answers to the same question that ``truth`` orders, how often ``pred`` agrees.

    A tie in ``pred`` counts one half. This is what GRPO uses a reward for: ranking the group of
    completions of one prompt.
    """
    agree, total = 0.0, 0
    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            if keys[i] != keys[j] or truth[i] == truth[j]:
                continue
            total += 1
            d = (truth[i] - truth[j]) * (pred[i] - pred[j])
            agree += 1.0 if d > 0 else 0.5 if d == 0 else 0.0
    return agree / total if total else float("nan")


def per_aspect(results: Sequence[JudgeResult]) -> list[int]:
    return [discrete(float(s.match_score)) for r in results for s in r.scores]


def compare(
    samples: Sequence[Sample], name_a: str, a: Sequence[float], name_b: str, b: Sequence[float]
) -> dict[str, Any]:
    keys = [s.key for s in samples]
    return {
        "a": name_a,
        "b": name_b,
        "spearman_response_scores": spearman(a, b),
        "pairwise_concordance_within_question": pairwise_concordance(keys, a, b),
    }


def mean_by_kind(samples: Sequence[Sample], scores: Sequence[float]) -> dict[str, float]:
    out: dict[str, list[float]] = {}
    for sample, score in zip(samples, scores, strict=True):
        out.setdefault(sample.kind, []).append(score)
    return {kind: sum(v) / len(v) for kind, v in out.items()}


# -- calibration ----------------------------------------------------------------------------------


def make_proxy(args: argparse.Namespace, thresholds: tuple[float, float] | None = None) -> ProxyJudge:
    """The proxy judge chosen by ``--proxy`` (its default thresholds unless given)."""
    if args.proxy == "yes-no":
        return YesNoProxyJudge(
            args.proxy_model, thresholds=thresholds or DEFAULT_YES_NO_THRESHOLDS, continuous=args.continuous
        )
    return EmbeddingProxyJudge(thresholds=thresholds or DEFAULT_THRESHOLDS, continuous=args.continuous)


def calibrate(proxy: ProxyJudge, samples: Sequence[Sample]) -> dict[str, Any]:
    """Pick the (somewhat, well) thresholds minimising mean absolute error against hand labels.

    Thresholds are searched on a 0.01 grid over the signal's plausible range; ties go to higher
    exact agreement, then to the smaller thresholds (a deterministic choice).
    """
    signals = proxy.signals([s.item for s in samples])
    floor = 0.0 if isinstance(proxy, YesNoProxyJudge) else -0.2
    pairs = [
        (value if value is not None else floor - 1.0, label)
        for s, row in zip(samples, signals, strict=True)
        for value, label in zip(row, s.labels or (), strict=True)
    ]
    grid = [round(floor + 0.01 * i, 2) for i in range(101)]
    best: tuple[float, float, float, float] | None = None
    for low in grid:
        for high in grid:
            if high <= low:
                continue
            predicted = [threshold_score(value, (low, high), continuous=False) for value, _ in pairs]
            mae = sum(abs(p - y) for p, (_, y) in zip(predicted, pairs, strict=True)) / len(pairs)
            exact = sum(p == y for p, (_, y) in zip(predicted, pairs, strict=True)) / len(pairs)
            if best is None or (mae, -exact) < (best[2], -best[3]):
                best = (low, high, mae, exact)
    assert best is not None
    by_label: dict[int, list[float]] = {}
    for value, label in pairs:
        by_label.setdefault(label, []).append(value)
    return {
        "thresholds": [best[0], best[1]],
        "mae": best[2],
        "exact": best[3],
        "n_aspects": len(pairs),
        "signal_by_label": {
            str(k): {"n": len(v), "min": min(v), "mean": sum(v) / len(v), "max": max(v)}
            for k, v in sorted(by_label.items())
        },
    }


# -- judges ---------------------------------------------------------------------------------------


@contextmanager
def protocol_endpoint(args: argparse.Namespace, log_dir: Path) -> Iterator[tuple[str, str]]:
    """Yield (base_url, description) of the endpoint serving the protocol judge."""
    if args.base_url:
        yield args.base_url, f"endpoint {args.base_url}"
        return
    from pr2_agent.weights import ensure_gguf
    from tests.servers import missing_server_modules, running_llama_server

    missing = missing_server_modules()
    if missing:
        raise SystemExit(
            f"llama-cpp-python[server] is missing ({', '.join(missing)}): pip install "
            "'llama-cpp-python[server]==0.3.36', or pass --base-url of a running OpenAI-compatible server."
        )
    gguf = ensure_gguf(args.model_key)
    log = log_dir / f"llama_server_{args.model_key}.log"
    logger.info("starting llama.cpp with %s (log: %s)", gguf, log)
    with running_llama_server(
        gguf, alias=args.model_key, log_path=log, n_threads=args.threads, n_ctx=4096
    ) as url:
        yield url, f"llama.cpp {args.model_key} ({gguf.name}), n_threads={args.threads}"


def run_protocol(
    judge: LaMPQAJudge, samples: Sequence[Sample], chunk: int = 8
) -> tuple[list[JudgeResult], float]:
    results: list[JudgeResult] = []
    start = time.perf_counter()
    for i in range(0, len(samples), chunk):
        results.extend(judge.judge_batch([s.item for s in samples[i : i + chunk]]))
        done = len(results)
        elapsed = time.perf_counter() - start
        logger.info("protocol judge: %d/%d responses, %.0f s", done, len(samples), elapsed)
    return results, time.perf_counter() - start


# -- main -----------------------------------------------------------------------------------------


def load_samples(args: argparse.Namespace) -> tuple[list[Sample], str]:
    if args.data:
        from pr2_agent.data.lampqa import load_lampqa, load_responses

        records = load_lampqa(args.data)
        if args.limit:
            records = records[: args.limit]
        if args.responses:
            samples = response_samples(records, load_responses(args.responses))
            return samples, f"{args.data} ({len(records)} records) with responses from {args.responses}"
        description = (
            f"{args.data} ({len(records)} records), answers synthesised from rubrics, labels by construction"
        )
        return synthesise_answers(records), description
    cases = CALIBRATION_SET if args.hand_labelled == "calibration" else HELD_OUT_SET
    if args.limit:
        cases = cases[: args.limit]
    name = "calibration" if args.hand_labelled == "calibration" else "held-out"
    description = f"hand-labelled {name} set ({len(cases)} questions written for this bench), labels by hand"
    return hand_samples(cases, name), description


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--calibrate", action="store_true", help="fit the proxy thresholds on the calibration set"
    )
    parser.add_argument("--hand-labelled", choices=("held-out", "calibration"), default="held-out")
    parser.add_argument("--data", type=Path, help="LaMP-QA JSON file (instead of the hand-labelled cases)")
    parser.add_argument("--responses", type=Path, help="responses {qid: [{'output': ...}]} for --data")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N questions")
    parser.add_argument("--no-protocol", action="store_true", help="run the proxy judge only")
    parser.add_argument(
        "--base-url", help="OpenAI-compatible endpoint for the protocol judge (else start llama.cpp)"
    )
    parser.add_argument("--model", help="model name at --base-url (default: the first the server lists)")
    parser.add_argument(
        "--model-key", default="qwen2.5-coder-0.5b", help="embedded GGUF to serve with llama.cpp"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--json-mode", action="store_true", help='send response_format={"type": "json_object"}'
    )
    parser.add_argument("--max-tokens", type=int, default=64, help="judge reply cap (protocol: 4096)")
    parser.add_argument("--max-retries", type=int, default=10)
    parser.add_argument("--continuous", action="store_true", help="continuous proxy scores")
    parser.add_argument("--proxy", choices=("embedding", "yes-no"), default="embedding", help="proxy judge")
    parser.add_argument("--proxy-model", default="qwen2.5-coder-0.5b", help="model of the yes-no proxy")
    parser.add_argument("--out", type=Path, help="write the full report (and per-response rows) as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("httpx", "httpx2", "sentence_transformers", "pr2_agent.judges.lampqa"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    proxy = make_proxy(args)
    report: dict[str, Any] = {"proxy_judge": proxy.name, "proxy_thresholds": list(proxy.thresholds)}

    if args.calibrate:
        fit = calibrate(proxy, hand_samples(CALIBRATION_SET, "calibration"))
        report["calibration"] = fit
        held = hand_samples(HELD_OUT_SET, "held-out")
        labels = [y for s in held for y in (s.labels or ())]
        signals = [v for row in proxy.signals([s.item for s in held]) for v in row]
        for name, (low, high) in (("default", proxy.thresholds), ("fitted", fit["thresholds"])):
            predicted = [
                0 if v is None else int(threshold_score(v, (low, high), continuous=False)) for v in signals
            ]
            report[f"held_out_{name}_thresholds"] = {
                "thresholds": [low, high],
                **score_agreement(labels, predicted),
            }
        print(json.dumps(report, indent=2))
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(report, indent=1))
        return 0

    samples, data_description = load_samples(args)
    report["data"] = data_description
    report["n_responses"] = len(samples)
    logger.info("%d responses from %s", len(samples), data_description)

    proxy.judge_batch([samples[0].item])  # load the encoder outside the timing
    start = time.perf_counter()
    proxy_results = proxy.judge_batch([s.item for s in samples])
    report["proxy_seconds"] = time.perf_counter() - start
    proxy_scores = [r.score for r in proxy_results]
    report["mean_score_by_kind"] = {"proxy": mean_by_kind(samples, proxy_scores)}

    label_scores: list[float] | None = None
    if all(s.labels is not None for s in samples):
        label_scores = [sum(s.labels or ()) / (2 * len(s.labels or ())) for s in samples]
        label_aspects = [y for s in samples for y in (s.labels or ())]
        report["mean_score_by_kind"]["labels"] = mean_by_kind(samples, label_scores)
        report["proxy_vs_labels"] = {
            **score_agreement(label_aspects, per_aspect(proxy_results)),
            **compare(samples, "labels", label_scores, "proxy", proxy_scores),
        }

    protocol_results: list[JudgeResult] | None = None
    if not args.no_protocol:
        log_dir = Path(tempfile.gettempdir()) / "pr2_judge_agreement"
        log_dir.mkdir(parents=True, exist_ok=True)
        with protocol_endpoint(args, log_dir) as (base_url, served):
            protocol = LaMPQAJudge(
                base_url,
                model=args.model,
                max_tokens=args.max_tokens,
                max_retries=args.max_retries,
                json_mode=args.json_mode,
                concurrency=1,  # one llama.cpp slot; sequential calls also reuse its prompt cache
                timeout=600,
            )
            protocol_results, seconds = run_protocol(protocol, samples)
        protocol_scores = [r.score for r in protocol_results]
        n_calls = sum(len(s.item.aspects) for s in samples)
        unparsed = sum(not v.parsed for r in protocol_results for v in r.scores)
        report["protocol_judge"] = {
            "served_by": served,
            "name": protocol.name,
            "json_mode": args.json_mode,
            "max_tokens": args.max_tokens,
            "max_retries": args.max_retries,
            "seconds": seconds,
            "seconds_per_aspect": seconds / n_calls,
            "aspects_unparsed_after_retries": unparsed,
            "aspect_score_histogram": [per_aspect(protocol_results).count(k) for k in range(3)],
        }
        report["mean_score_by_kind"]["protocol"] = mean_by_kind(samples, protocol_scores)
        report["proxy_vs_protocol"] = {
            **score_agreement(per_aspect(protocol_results), per_aspect(proxy_results)),
            **compare(samples, "protocol", protocol_scores, "proxy", proxy_scores),
        }
        if label_scores is not None:
            label_aspects = [y for s in samples for y in (s.labels or ())]
            report["protocol_vs_labels"] = {
                **score_agreement(label_aspects, per_aspect(protocol_results)),
                **compare(samples, "labels", label_scores, "protocol", protocol_scores),
            }
    report["proxy_aspect_score_histogram"] = [per_aspect(proxy_results).count(k) for k in range(3)]

    print(json.dumps(report, indent=2))
    if args.out:
        rows = []
        for i, sample in enumerate(samples):
            row: dict[str, Any] = {
                "key": sample.key,
                "kind": sample.kind,
                "labels": list(sample.labels) if sample.labels else None,
                "proxy": [s.match_score for s in proxy_results[i].scores],
                "proxy_raw": [s.raw for s in proxy_results[i].scores],
            }
            if protocol_results is not None:
                row["protocol"] = [s.match_score for s in protocol_results[i].scores]
                row["protocol_raw"] = [s.raw for s in protocol_results[i].scores]
            rows.append(row)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({**report, "rows": rows}, indent=1))
        logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
