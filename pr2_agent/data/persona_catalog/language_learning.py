"""Language learning domain (Society_and_Culture): learning a new language as an adult."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "language_learning",
    LAMPQA_CATEGORIES[2],
    (
        need(
            "What's the best way for me to learn a new language?",
            "I've decided to seriously learn a new language.",
            "I've tried to learn a language before and given up, and I want to do it right this time.",
        ),
        need(
            "How should I structure my language learning?",
            "I'd like a clear structure for my language learning.",
        ),
        need(
            "How can I make faster progress in the language I'm learning?",
            "My progress in the language I'm learning feels painfully slow.",
        ),
    ),
    (
        facet(
            "target",
            "target",
            "which language I'm learning: Japanese, Spanish, French",
            fact(
                "japanese",
                "Learning Japanese (new writing system)",
                "The user is learning Japanese, which means learning kana and kanji.",
                "learning Japanese",
                (
                    "The language is Japanese, so there's a whole new writing system.",
                    "I'm learning Japanese.",
                ),
                (
                    "How long does it take to learn hiragana? I just started learning Japanese.",
                    "Are Japanese anime subtitles useful for learning? I'm studying Japanese.",
                    "Is kanji or grammar harder in Japanese? I'm learning Japanese and kanji scares me.",
                ),
            ),
            fact(
                "spanish",
                "Learning Spanish",
                "The user is learning Spanish.",
                "learning Spanish",
                (
                    "The language I'm learning is Spanish.",
                    "I'm working on my Spanish.",
                ),
                (
                    "Is Latin American or Spain Spanish easier to learn? I'm learning Spanish and confused "
                    "by "
                    "the differences.",
                    "Good Spanish podcasts for learners? My Spanish is still basic.",
                    "Why are Spanish verb conjugations so hard? I'm learning Spanish and the past tenses "
                    "confuse me.",
                ),
            ),
        ),
        facet(
            "goal",
            "goal",
            "why I'm learning the language: moving abroad, in-laws, travel",
            fact(
                "move",
                "Moving abroad in {months} months",
                "The user is moving to a country where the language is spoken in {months} months.",
                "moving abroad in {months} months",
                (
                    "We're moving abroad in {months} months.",
                    "I'm relocating for work in {months} months.",
                ),
                (
                    "How do I find an apartment abroad before moving? We're moving in {months} months.",
                    "What should I do before moving abroad? The move is {months} months away.",
                    "How do I open a bank account abroad? I'm moving abroad in {months} months.",
                ),
                slots={"months": ("six", "eight", "nine")},
            ),
            fact(
                "in_laws",
                "Talking with the in-laws",
                "The user wants to talk with their partner's family, who don't speak English.",
                "wants to talk with in-laws who don't speak English",
                (
                    "My partner's family doesn't speak English and I want to talk with my in-laws.",
                    "The main reason is my in-laws; I want to actually talk with them.",
                ),
                (
                    "How do I bond with in-laws when we don't share a language? My partner's parents don't "
                    "speak "
                    "English.",
                    "Gift ideas for in-laws I can barely talk to?",
                    "How do I make a good impression on in-laws who don't speak English? I want to talk "
                    "with them.",
                ),
                tags="partner",
                conflicts="lives_alone",
            ),
        ),
        facet(
            "time",
            "time",
            "how much time a day I have to learn: minutes, bus, commute",
            fact(
                "commute",
                "{minutes} minutes a day on the bus",
                "The user can study about {minutes} minutes a day on the bus, with only a phone.",
                "{minutes} minutes a day on the bus, phone only",
                (
                    "My only study time is {minutes} minutes a day on the bus.",
                    "I have about {minutes} minutes daily on the bus with my phone.",
                ),
                (
                    "How do I use a {minutes}-minute bus ride productively? I only have my phone.",
                    "Why is my bus always late? My ride is supposed to be {minutes} minutes.",
                    "Podcasts that fit a {minutes}-minute bus ride? I spend {minutes} minutes a day on the "
                    "bus.",
                ),
                slots={"minutes": ("20", "30")},
                tags="no_car",
                conflicts="car",
            ),
        ),
        facet(
            "level",
            "skill",
            "my current level: beginner, intermediate, speaking, reading",
            fact(
                "stuck_intermediate",
                "Intermediate but can't speak",
                "The user understands a lot but freezes when speaking.",
                "intermediate reader who can't speak yet",
                (
                    "I can read quite a lot, but I freeze when I try to speak.",
                    "I'm intermediate on paper, but speaking is a disaster.",
                ),
                (
                    "Why can I understand a language but not speak it? I freeze when I try to speak even "
                    "though I read well.",
                    "How do I stop freezing when speaking? My reading is good but speaking is not.",
                    "How do I practice speaking when I'm intermediate but can't speak fluently? I "
                    "understand far more than I can say.",
                ),
            ),
        ),
        facet(
            "style",
            "taste",
            "how I like to learn: apps, gamified, TV series, books",
            fact(
                "no_apps",
                "No gamified apps",
                "The user hates gamified apps and streaks.",
                "dislikes gamified apps",
                (
                    "I can't stand gamified apps with streaks and badges.",
                    "Gamified apps annoy me.",
                ),
                (
                    "Why do gamified apps feel so manipulative? Streaks and badges stress me out.",
                    "How do I quit apps that guilt-trip me? Gamified apps with streaks make me anxious.",
                    "How do I learn without gamified apps? Streaks and points make me anxious.",
                ),
            ),
            fact(
                "tv",
                "Learning through TV series",
                "The user loves TV series and would happily learn through them.",
                "loves watching TV series",
                (
                    "I watch a lot of TV series and would love to learn that way.",
                    "TV series are my favorite way to relax.",
                ),
                (
                    "How do people binge TV series without losing sleep? I watch series every night.",
                    "Best TV series of the last few years? I watch a lot of series.",
                    "Which TV series are worth binge-watching? I watch series every evening.",
                ),
            ),
        ),
        facet(
            "personality",
            "health",
            "what makes practice hard for me: social anxiety, talking to strangers, shy",
            fact(
                "shy",
                "Low-pressure speaking practice (social anxiety)",
                "The user has social anxiety, so speaking with strangers is very stressful.",
                "social anxiety: speaking with strangers is hard",
                (
                    "I have social anxiety, so talking to strangers is hard.",
                    "Speaking with strangers is tough for me because of social anxiety.",
                ),
                (
                    "How do I manage social anxiety at work? Talking to strangers makes my heart race.",
                    "Is online therapy good for social anxiety? I avoid talking to people I don't know.",
                    "How do people with social anxiety practice talking? Talking to strangers is really "
                    "hard for me.",
                ),
            ),
        ),
        facet(
            "budget",
            "budget",
            "money for courses or tutors: free resources",
            fact(
                "free",
                "Free resources only (no tutors)",
                "The user can't pay for tutors or courses.",
                "no money for tutors or paid courses",
                (
                    "I can't afford tutors or paid courses right now.",
                    "Paid courses and tutors are out of my budget.",
                ),
                (
                    "Are free online courses any good? I can't afford paid courses or tutors right now.",
                    "How do I learn a skill with no money? Tutors and paid courses are out of my budget.",
                    "Best free resources for learning a skill? I can't pay for tutors or courses.",
                ),
            ),
        ),
    ),
    fillers(
        "Is it true that children learn languages faster than adults?",
        "How many words do you need to hold a conversation?",
        "What's the difference between a dialect and a language?",
        "How do people become interpreters?",
        "Why do languages have grammatical gender?",
        "Is it better to learn grammar first or vocabulary first?",
        "How do I type special characters on my keyboard?",
        "Do bilingual people think in two languages?",
        "Why do some accents sound faster than others?",
        "How do I remember vocabulary longer than a week?",
        "Is it rude to switch to English when someone speaks slowly?",
        "What's the hardest language for English speakers?",
    ),
)
