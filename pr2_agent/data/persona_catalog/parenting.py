"""Parenting domain (Lifestyle_and_Personal_Development): family life with children."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "parenting",
    LAMPQA_CATEGORIES[1],
    (
        need(
            "How can I make our evenings with the kids less stressful?",
            "Evenings at our place are chaos and I'd like them to be calmer.",
            "From dinner to bedtime everything feels like a battle at home.",
        ),
        need(
            "What activities can I do with my kids on weekends?",
            "I want to plan better weekends with my kids instead of defaulting to screens.",
        ),
        need(
            "How should I handle screen time at home?",
            "Screen time has become a constant fight in our house.",
        ),
    ),
    (
        facet(
            "ages",
            "family",
            "my children's ages: kids, toddler, teenager",
            fact(
                "two_kids",
                "Activities for kids aged {a} and {b}",
                "The user's kids are {a} and {b}, so ideas must work for both ages at once.",
                "two kids aged {a} and {b}",
                (
                    "My kids are {a} and {b}, so it's hard to find things that suit both.",
                    "I have two kids, {a} and {b} years old.",
                ),
                (
                    "How do I stop sibling fights between a {a}-year-old and a {b}-year-old? My kids argue "
                    "about everything.",
                    "Is it normal for a {a}-year-old to copy everything a {b}-year-old sibling does? My kids "
                    "are {a} and {b}.",
                    "Rooms for siblings aged {a} and {b}: share or separate? My kids are {a} and {b}.",
                ),
                slots={"a": ("three", "four"), "b": ("seven", "eight", "nine")},
            ),
            fact(
                "teen",
                "Parenting a {age}-year-old teenager",
                "The user's child is a {age}-year-old teenager who wants independence.",
                "one {age}-year-old teenager",
                (
                    "My only child is {age} and very much a teenager.",
                    "I'm parenting a {age}-year-old teenager.",
                ),
                (
                    "How much privacy should a {age}-year-old get? My teenager locks the door and barely "
                    "talks "
                    "to me.",
                    "Should a {age}-year-old have a part-time job? My teenager wants one.",
                    "How do I talk to a {age}-year-old teenager about social media? My teen is online all "
                    "the time.",
                ),
                slots={"age": ("thirteen", "fourteen", "fifteen")},
            ),
        ),
        facet(
            "needs",
            "health",
            "my child's health or needs: ADHD, allergy, peanut, autism",
            fact(
                "adhd",
                "A child with ADHD",
                "The user's child has ADHD, so routines must account for attention and impulsivity.",
                "child has ADHD",
                (
                    "My {son|daughter} has ADHD.",
                    "My child was diagnosed with ADHD {last year|recently}.",
                ),
                (
                    "How do I explain an ADHD diagnosis to my child? We just got the diagnosis and my kid is "
                    "confused.",
                    "Do fidget toys help with ADHD in class? My kid's teacher suggested them.",
                    "Homework strategies for a child with ADHD? My kid can't sit still for more than ten "
                    "minutes.",
                ),
            ),
            fact(
                "peanut",
                "Severe peanut allergy",
                "The user's child has a severe peanut allergy, so food and outings need care.",
                "child has a severe peanut allergy",
                (
                    "My {son|daughter} has a severe peanut allergy.",
                    "We live with a severe peanut allergy in the family.",
                ),
                (
                    "How do I teach my kid to use an EpiPen? My kid has a severe peanut allergy and is "
                    "starting "
                    "a new school.",
                    "Are 'may contain peanuts' labels serious? My child's peanut allergy is severe.",
                    "How do I handle birthday parties with a peanut allergy? My child's allergy is severe.",
                ),
            ),
        ),
        facet(
            "situation",
            "family",
            "our family situation: single parent, partner, help",
            fact(
                "single",
                "Single parent with no backup",
                "The user is a single parent with no one to take turns with.",
                "single parent, no partner to share the load",
                (
                    "I'm a single parent, so there's no one to hand over to.",
                    "It's just me; I'm parenting solo.",
                ),
                (
                    "How do single parents get any time for themselves? I'm a single parent and haven't had "
                    "a "
                    "free evening in months.",
                    "Is it normal to feel lonely as a single parent? I handle everything alone.",
                    "Babysitting swaps for single parents? As a single parent I have no one to cover me.",
                ),
                conflicts="partner",
            ),
        ),
        facet(
            "budget",
            "budget",
            "money for family activities: tight budget, free",
            fact(
                "free",
                "Free activities on a tight budget",
                "Money is tight, so activities must be free or almost free.",
                "tight budget: free activities only",
                (
                    "Money is tight, so anything that costs much is out.",
                    "We're on a really tight budget right now.",
                ),
                (
                    "How do families save money on groceries? We're on a tight budget since {my hours were "
                    "cut|"
                    "the rent went up}.",
                    "Free things to do in the city? Our budget is very tight this year.",
                    "Free museums and parks for families? We're on a tight budget and can't pay for "
                    "activities.",
                ),
            ),
        ),
        facet(
            "home",
            "home",
            "where we live: apartment, yard, rural, countryside, town",
            fact(
                "small_flat",
                "Small apartment without a yard",
                "The family lives in a small apartment with no outdoor space.",
                "small apartment, no yard",
                (
                    "We live in a small apartment with no yard.",
                    "Our place is a small apartment; there's no outdoor space.",
                ),
                (
                    "How do I keep a small apartment tidy with kids? Toys take over our whole living room.",
                    "Noise complaints from downstairs neighbors? My kids run around our small apartment.",
                    "How do kids burn energy in a small apartment? We have no yard and it's raining again.",
                ),
                tags="renter",
                conflicts="homeowner",
            ),
            fact(
                "rural",
                "Rural home far from town",
                "The family lives in the countryside, {minutes} minutes from the nearest town.",
                "lives rurally, {minutes} minutes from town",
                (
                    "We live out in the countryside, {minutes} minutes from the nearest town.",
                    "Our house is rural; town is a {minutes}-minute drive.",
                ),
                (
                    "How do rural families manage school runs? The nearest town is {minutes} minutes away.",
                    "Is rural internet getting better? We live {minutes} minutes from town and it's "
                    "terrible.",
                    "Activities for kids in the countryside? We live {minutes} minutes from the nearest "
                    "town.",
                ),
                slots={"minutes": ("30", "40", "45")},
                tags="car homeowner",
                conflicts="no_car renter",
            ),
        ),
        facet(
            "values",
            "values",
            "family languages and values: bilingual, Spanish, screens",
            fact(
                "bilingual",
                "Keeping the kids bilingual (Spanish at home)",
                "The family speaks Spanish at home and wants the kids to stay bilingual.",
                "bilingual household: Spanish at home",
                (
                    "We speak Spanish at home and want the kids to stay bilingual.",
                    "Our home is bilingual; Spanish is what we speak at home.",
                ),
                (
                    "How do we keep kids bilingual when school is in English? We speak Spanish at home but "
                    "they "
                    "answer in English.",
                    "Spanish children's books for bilingual kids? We speak Spanish at home.",
                    "Is it confusing for kids to grow up bilingual? We only speak Spanish at home.",
                ),
            ),
        ),
    ),
    fillers(
        "How do I get my kid to brush their teeth without a fight?",
        "Is it okay to bribe kids with dessert? Dinner is a negotiation every night.",
        "What's a good age for a first phone? All the kids in {class|school} seem to have one.",
        "How do I talk to my kid's teacher about a problem without sounding pushy?",
        "How do you handle tantrums in public? I had a {meltdown|screaming fit} at the supermarket today.",
        "How much pocket money is normal? My kid asked for an allowance.",
        "Best ways to encourage reading at home? My kid says books are boring.",
        "How do I organize kids' clothes that they outgrow so fast?",
        "How do you handle 'why' questions all day long?",
        "Is it normal for kids to have imaginary friends?",
        "How do I make school mornings less rushed? We're always late.",
        "What's a good first chore for a kid?",
    ),
    tags="kids",
    reveals="family",
)
