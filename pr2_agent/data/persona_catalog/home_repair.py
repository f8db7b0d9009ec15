"""Home repair domain (Lifestyle_and_Personal_Development): DIY around the home."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "home_repair",
    LAMPQA_CATEGORIES[1],
    (
        need(
            "How do I get started with small repairs around my home?",
            "I'm tired of calling someone for every little repair at home.",
            "I want to learn to handle small repairs myself.",
        ),
        need(
            "What home improvement project should I tackle {this weekend|this month}?",
            "I have some free time coming up and want to improve my place a bit.",
        ),
        need(
            "What tools should I buy for basic repairs?",
            "I own almost no tools and want a sensible starter set for repairs.",
        ),
    ),
    (
        facet(
            "tenure",
            "home",
            "do I rent or own my home: renter, landlord, house age",
            fact(
                "renter",
                "Renter-friendly changes (landlord rules)",
                "The user rents, so nothing permanent: no drilling big holes, no changing fixtures without "
                "permission.",
                "rents: only reversible changes",
                (
                    "I rent, so I can't make permanent changes.",
                    "It's a rental, and my landlord is strict about changes.",
                ),
                (
                    "Can my landlord keep my deposit for nail holes? I rent and my lease is strict about "
                    "changes to the walls.",
                    "How do I ask a landlord for repairs? I rent this flat and the tap has leaked for weeks.",
                    "What changes can a renter make without asking the landlord? I rent and want my place "
                    "to feel less bland.",
                ),
                tags="renter",
                conflicts="homeowner",
            ),
            fact(
                "old_house",
                "An old house from the {decade}",
                "The user owns a house from the {decade}, with old wiring and materials to be careful with.",
                "owns a house built in the {decade}",
                (
                    "We own a house built in the {decade}.",
                    "Our house is from the {decade} and shows its age.",
                ),
                (
                    "Should I worry about old wiring? Our house was built in the {decade} and some outlets "
                    "still have two prongs.",
                    "Is it worth getting a home inspection after buying? Our house is from the {decade}.",
                    "Is asbestos common in houses from the {decade}? Ours was built in the {decade}.",
                ),
                slots={"decade": ("1950s", "1960s", "1970s")},
                tags="homeowner",
                conflicts="renter",
            ),
        ),
        facet(
            "skill",
            "skill",
            "my DIY experience: power tools, beginner",
            fact(
                "never",
                "Never used power tools",
                "The user has never used power tools and needs safe, beginner steps.",
                "has never used power tools",
                (
                    "I've never used a power tool in my life.",
                    "Power tools are totally new to me.",
                ),
                (
                    "Are power tools dangerous for beginners? I've never used one and a drill scares me a "
                    "little.",
                    "Where can I take a beginner DIY class? I've never used power tools.",
                    "Which power tools should a complete beginner learn first? I've never used power tools.",
                ),
            ),
        ),
        facet(
            "budget",
            "budget",
            "budget for repairs and tools",
            fact(
                "budget",
                "Budget around ${amount}",
                "The user wants to spend at most about ${amount}.",
                "budget of about ${amount}",
                (
                    "I'd like to keep it to about ${amount}.",
                    "My budget is around ${amount} for this.",
                ),
                (
                    "Are cheap tool sets worth it? I can only spend about ${amount} on tools right now.",
                    "Where do people buy used tools? My budget is ${amount}.",
                    "How do people renovate on a budget? I have about ${amount} for repairs this year.",
                ),
                slots={"amount": ("100", "150", "250")},
            ),
        ),
        facet(
            "safety",
            "health",
            "health and safety limits for repairs: heights, ladder, asthma, dust, fumes",
            fact(
                "heights",
                "No ladder work (fear of heights)",
                "The user is afraid of heights and won't do jobs on tall ladders.",
                "afraid of heights: no ladder work",
                (
                    "I'm afraid of heights, so anything up a ladder is out.",
                    "Ladders terrify me; I have a fear of heights.",
                ),
                (
                    "Is fear of heights something you can get over? I froze on a ladder changing a light "
                    "bulb.",
                    "How do people with a fear of heights clean gutters? I can't climb a ladder.",
                    "How do I change a ceiling light with a fear of heights? I panic above the second step "
                    "of a ladder.",
                ),
            ),
            fact(
                "asthma",
                "Low-dust, low-fume work (asthma)",
                "The user has asthma, so sanding dust and strong fumes are risky.",
                "asthma: avoid dust and strong fumes",
                (
                    "I have asthma, so dust and paint fumes are a problem.",
                    "Dust and strong fumes set off my asthma.",
                ),
                (
                    "Which air purifier helps with asthma? Dust at home sets me off.",
                    "Are low-VOC paints safe with asthma? Paint fumes make me cough for days.",
                    "Dust-free sanding: is it possible? I have asthma and dust and fumes set it off.",
                ),
            ),
        ),
        facet(
            "space",
            "workspace",
            "where I can work on repairs: garage, workshop, noise rules",
            fact(
                "no_workshop",
                "No garage or workshop space",
                "The user has no garage or workshop, so work happens in the living space.",
                "no garage or workshop",
                (
                    "There's no garage or workshop, so I'd be working in the living room.",
                    "I don't have a garage or any workshop space.",
                ),
                (
                    "Where do people without a garage store tools? I have no workshop and tools clutter the "
                    "hallway.",
                    "Can I fix my bike without a garage? I have no workshop space.",
                    "Folding workbenches for small spaces? I have no garage or workshop.",
                ),
            ),
            fact(
                "noise_rules",
                "Quiet work (noise rules after {hour} pm)",
                "The building has noise rules after {hour} pm, and the user can only work in the evenings.",
                "building noise rules after {hour} pm",
                (
                    "Our building has noise rules after {hour} pm, which is when I have time.",
                    "No noise after {hour} pm in our building, and I work during the day.",
                ),
                (
                    "Can neighbors complain about noise before {hour} pm? Our building rules say quiet hours "
                    "start at {hour}.",
                    "How do I talk to a neighbor about noise? Our building has quiet hours after {hour} pm.",
                    "Which repairs are quiet enough for evenings? Our building has noise rules after {hour} "
                    "pm.",
                ),
                slots={"hour": ("8", "9")},
            ),
        ),
        facet(
            "problem",
            "problem",
            "problems in my home: drafts, windows, damp, mold, leaks",
            fact(
                "drafts",
                "Drafty windows and doors",
                "The home is drafty and cold, and the user wants to fix drafts first.",
                "drafty windows and doors",
                (
                    "The place is drafty; cold air comes in around the windows and doors.",
                    "Drafts from the windows and doors are my biggest problem.",
                ),
                (
                    "Why are my heating bills so high? Cold air comes in around every window and the doors "
                    "are "
                    "drafty.",
                    "Do thermal curtains help with drafty windows? My living room is always cold.",
                    "How do I find where drafts are coming from? Cold air leaks in around the windows and "
                    "doors.",
                ),
            ),
            fact(
                "damp",
                "Damp and mold in the bathroom",
                "The bathroom gets damp and moldy, which the user wants to fix.",
                "damp, moldy bathroom",
                (
                    "The bathroom gets damp and there's mold on the ceiling.",
                    "Mold keeps coming back in the bathroom.",
                ),
                (
                    "Is black mold in the bathroom dangerous? It keeps coming back on the ceiling no matter "
                    "how "
                    "often I clean.",
                    "How do I stop my bathroom from getting damp? The mirror drips and there's mold.",
                    "Does a dehumidifier stop mold in a bathroom? Our bathroom is always damp.",
                ),
            ),
        ),
    ),
    fillers(
        "What's the difference between a screw and a bolt? I always mix them up at the hardware store.",
        "How do I find a reliable plumber? The last one {overcharged|never showed up}.",
        "Why does my door squeak? I tried soap and it came back.",
        "How do I read a tape measure properly? The small marks confuse me.",
        "What are wall anchors and when do I need them?",
        "How do I unclog a sink without chemicals? It drains {slowly|really slowly}.",
        "What does 'load-bearing wall' mean? A friend mentioned it.",
        "How do I reset a tripped circuit breaker?",
        "How do I fix a running toilet? It hisses {all night|every few minutes}.",
        "What paint finish is best for a hallway?",
        "How do I patch a small hole in drywall?",
        "Why do my light bulbs burn out so fast?",
    ),
)
