"""Social life domain (Society_and_Culture): friendships and getting together."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "social_life",
    LAMPQA_CATEGORIES[2],
    (
        need(
            "How can I make new friends as an adult?",
            "Making friends was easy at school; as an adult I have no idea how.",
            "I feel lonely lately and want to build some new friendships.",
        ),
        need(
            "How do I plan a small get-together for friends?",
            "I'd like to host a small get-together, something I've never really done.",
        ),
        need(
            "How can I be more social without burning out?",
            "I want more of a social life, but I also need it to be sustainable.",
        ),
    ),
    (
        facet(
            "personality",
            "health",
            "my social energy: introvert, big groups, social anxiety",
            fact(
                "introvert",
                "Small groups for an introvert (big groups drain)",
                "The user is an introvert who is drained by big groups.",
                "introvert: big groups are draining",
                (
                    "I'm an introvert; big groups drain me fast.",
                    "Large crowds exhaust me, I'm very introverted.",
                ),
                (
                    "Is it normal for an introvert to need a whole day to recover after a party? Big groups "
                    "drain me.",
                    "Jobs for introverts? Big meetings and crowds wear me out.",
                    "How do introverts make friends? Big groups drain me completely.",
                ),
            ),
            fact(
                "anxiety",
                "Coping with social anxiety",
                "The user has social anxiety, so meeting new people is stressful.",
                "social anxiety",
                (
                    "I have social anxiety, so meeting new people is hard.",
                    "Social anxiety makes first meetings really stressful for me.",
                ),
                (
                    "Does CBT help with social anxiety? I avoid parties and phone calls.",
                    "How do I stop overthinking conversations afterwards? My social anxiety replays "
                    "everything.",
                    "How do I handle social anxiety at parties? I freeze when meeting people.",
                ),
            ),
        ),
        facet(
            "situation",
            "location",
            "where I am in life: new city, moved, work from home, remote",
            fact(
                "new_city",
                "Just moved to a new city",
                "The user just moved to a new city and knows almost nobody.",
                "just moved to a new city, knows nobody",
                (
                    "I moved to a new city {months} months ago and know almost nobody.",
                    "I'm new in town; I moved here {recently|this spring}.",
                ),
                (
                    "How do I find a good doctor in a new city? I moved here {months} months ago.",
                    "Is it normal to feel homesick months after moving to a new city?",
                    "How do people make friends after moving to a new city? I just moved and know nobody.",
                ),
                slots={"months": ("two", "three", "four")},
            ),
            fact(
                "remote_worker",
                "Working from home full-time",
                "The user works from home full-time and has no colleagues around.",
                "works from home full-time",
                (
                    "I work from home full-time, so I don't see colleagues.",
                    "My job is fully remote; I'm home all day.",
                ),
                (
                    "How do I separate work and home when working from home full-time? The days blur "
                    "together.",
                    "Is a coworking space worth it? I work from home full-time and go days without talking.",
                    "How do people who work from home full-time stay sane? I barely leave the house.",
                ),
                tags="employed",
                conflicts="retired student",
            ),
        ),
        facet(
            "family",
            "family",
            "family commitments: toddler, kids, free evenings",
            fact(
                "toddler",
                "Limited evenings with a toddler at home",
                "The user has a toddler, so evenings out are rare and daytime plans work better.",
                "has a toddler: few free evenings",
                (
                    "I have a toddler, so free evenings are rare.",
                    "With a two-year-old at home, evenings out almost never happen.",
                ),
                (
                    "When does a toddler start sleeping through the night? Our two-year-old still wakes up "
                    "at 3am.",
                    "How do parents of a toddler keep friendships? I never have a free evening at home.",
                    "How do parents of a toddler find time for friends? With a toddler at home, my evenings "
                    "are gone.",
                ),
                tags="kids",
                conflicts="lives_alone",
            ),
        ),
        facet(
            "hobby",
            "taste",
            "hobbies I could share with people: hiking, board games, sports",
            fact(
                "hiking",
                "Meeting people through hiking",
                "The user loves hiking, which could be a way to meet people.",
                "loves hiking",
                (
                    "My favorite thing is hiking.",
                    "Hiking is my hobby.",
                ),
                (
                    "Best hiking trails near big cities? Hiking is what I do on every day off.",
                    "How do I choose hiking poles? I've been hiking more and my knees complain downhill.",
                    "Hiking clubs for beginners? I love hiking but always go alone.",
                ),
            ),
            fact(
                "board_games",
                "Meeting people over board games",
                "The user loves board games, which could be a way to meet people.",
                "loves board games",
                (
                    "I love board games.",
                    "Board games are my thing.",
                ),
                (
                    "Are board game cafés worth it? I love board games but nobody around me plays.",
                    "Best solo board games? I love board games and have no group.",
                    "Where do adults play board games? I love board games and want a regular group.",
                ),
            ),
        ),
        facet(
            "limits",
            "limits",
            "things I avoid socially: alcohol, drinking, expensive plans, budget",
            fact(
                "no_alcohol",
                "Alcohol-free plans",
                "The user doesn't drink alcohol, so bar-centered plans are uncomfortable.",
                "doesn't drink alcohol",
                (
                    "I don't drink alcohol, so bars aren't my scene.",
                    "I'm sober, so I'd rather avoid plans that revolve around alcohol.",
                ),
                (
                    "How do I explain that I don't drink alcohol without making it awkward? People keep "
                    "offering "
                    "me drinks.",
                    "Good alcohol-free drinks for parties? I don't drink alcohol.",
                    "Alcohol-free bars: are they any good? I don't drink alcohol.",
                ),
            ),
            fact(
                "budget",
                "Cheap plans (tight budget)",
                "The user's budget is tight, so expensive outings are out.",
                "tight budget for going out",
                (
                    "Money is tight, so expensive outings are out.",
                    "My budget for going out is really small.",
                ),
                (
                    "How do I say no to expensive plans with friends? My budget is tight this year.",
                    "Cheap date ideas? Our budget is tight.",
                    "How do I keep friends when my budget is tight? I can't afford going out much.",
                ),
            ),
        ),
        facet(
            "schedule",
            "schedule",
            "when I'm free: weekends, weekdays, shifts, retail",
            fact(
                "weekend_shifts",
                "Weekday plans (works every weekend in retail)",
                "The user works weekends in retail, so social plans must be on weekdays.",
                "works weekends; free on weekdays",
                (
                    "I work weekends in retail, so weekdays are my free time.",
                    "My days off are weekdays because I work every weekend.",
                ),
                (
                    "How do retail workers get weekends off? I work every weekend and miss everything.",
                    "Is it worth asking my manager for one weekend off a month? I work retail every weekend.",
                    "How do I see friends when I work every weekend? My retail job takes all my weekends.",
                ),
                tags="employed works_weekends",
                conflicts="retired free_weekends",
            ),
        ),
    ),
    fillers(
        "How do I politely leave a conversation that's going on too long?",
        "Is it rude to arrive exactly on time to a house party?",
        "How do I remember people's names after meeting them?",
        "What's a good small-talk question that isn't 'what do you do'?",
        "How do I respond to a group chat I ignored for a week?",
        "Is it okay to bring a friend to someone else's party?",
        "How do you split the bill fairly at a group dinner?",
        "How do I write a thoughtful birthday message?",
        "How do I apologize to a friend after a misunderstanding?",
        "Is it weird to invite someone to coffee after meeting them once?",
        "How do I host people without stressing out?",
        "How often should you text a friend to keep in touch?",
    ),
)
