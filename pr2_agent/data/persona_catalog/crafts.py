"""Crafts domain (Art_and_Entertainment): choosing handmade projects."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "crafts",
    LAMPQA_CATEGORIES[0],
    (
        need(
            "What craft project should I start next?",
            "I just finished a project and I'm itching to start something new.",
            "I'm looking for my next craft project.",
        ),
        need(
            "Can you suggest a handmade project for the {winter|holidays}?",
            "I'd like a cozy project to keep my hands busy over the coming weeks.",
        ),
        need(
            "What should I make as a handmade gift?",
            "I want to make a gift by hand this year instead of buying one.",
        ),
    ),
    (
        facet(
            "craft",
            "skill",
            "which crafts I do and my level: knitting, sewing, woodworking",
            fact(
                "knitting",
                "Knitting projects at an intermediate level",
                "The user knits at an intermediate level (cables are fine, colorwork is new), so the project "
                "should be knitting.",
                "intermediate knitter",
                (
                    "Knitting is my craft; I'm comfortable with cables but haven't tried colorwork.",
                    "I've been knitting for {years} years and I'm solidly intermediate.",
                ),
                (
                    "How do I fix a dropped stitch in a cable? I've been knitting for {years} years and "
                    "cables "
                    "still scare me a little.",
                    "Why does my knitting tension change when I'm stressed? I knit every evening.",
                    "How do I read a knitting chart? I'm an intermediate knitter, {years} years in, and "
                    "charts still confuse me.",
                ),
                slots={"years": ("three", "four", "five")},
            ),
            fact(
                "sewing",
                "Sewing with a basic machine",
                "The user sews on a basic machine, so projects should use straight seams and simple fabrics.",
                "sews on a basic sewing machine",
                (
                    "I sew on a basic machine my {relative} gave me.",
                    "My craft is sewing, on a simple machine.",
                ),
                (
                    "Why does my sewing machine keep skipping stitches? It's a basic machine and I mostly "
                    "sew "
                    "{cotton|linen}.",
                    "How do I oil an old sewing machine? My {relative} gave me hers.",
                    "How do I sew a straight seam on a basic sewing machine? Mine drifts to the left.",
                ),
                slots={"relative": ("aunt", "mother", "grandmother")},
            ),
        ),
        facet(
            "hands",
            "health",
            "physical limits or allergies for crafting: arthritis, hands, wool allergy",
            fact(
                "arthritis",
                "Gentle on hands with arthritis",
                "The user has arthritis in their hands, so fine, repetitive gripping hurts.",
                "arthritis in the hands",
                (
                    "Arthritis in my hands makes long sessions painful.",
                    "My hands have arthritis, so small fiddly work hurts after a while.",
                ),
                (
                    "Do compression gloves help with arthritis? My finger joints ache after "
                    "{gardening|crafting} "
                    "and in the mornings.",
                    "Easier-grip tools for arthritis? Opening jars and holding small things hurts my hands.",
                    "Hobbies that are easy on arthritis in the hands? My fingers get stiff and sore with "
                    "fine work.",
                ),
            ),
            fact(
                "wool_allergy",
                "Wool-free materials (wool allergy)",
                "The user is allergic to wool, so materials must be cotton, linen, bamboo or acrylic.",
                "allergic to wool",
                (
                    "I'm allergic to wool, which limits my materials.",
                    "Wool makes my skin break out, so I avoid it.",
                ),
                (
                    "What causes a wool allergy? Wool sweaters make my skin itch and break out in a rash.",
                    "Warm winter clothes without wool? I'm allergic to wool and always cold.",
                    "Is alpaca okay if you have a wool allergy? Regular wool makes my skin itch for hours.",
                ),
            ),
        ),
        facet(
            "space",
            "home",
            "where I craft: apartment space, pets like a cat",
            fact(
                "tiny_flat",
                "Fits a tiny apartment (no craft room)",
                "The user has a tiny apartment with no space to leave projects out.",
                "tiny apartment, works at the kitchen table",
                (
                    "My apartment is tiny; I work at the kitchen table and pack everything away.",
                    "Space is very limited in my small apartment.",
                ),
                (
                    "Storage ideas for a tiny apartment? I have no closet space and my hobby supplies are "
                    "everywhere.",
                    "How do people live in tiny apartments with hobbies? Mine is {28|32} square meters.",
                    "How do I fit a hobby into a tiny apartment? I have no spare room, only a small table.",
                ),
                tags="renter",
                conflicts="homeowner",
            ),
            fact(
                "cat",
                "Safe from a curious cat",
                "The user's cat attacks yarn and small pieces, so projects need to be cat-safe.",
                "has a cat that attacks yarn and small parts",
                (
                    "My cat attacks anything that dangles or rolls.",
                    "My cat thinks every craft supply is a toy.",
                ),
                (
                    "How do I stop my cat from chewing {cables|string}? She attacks anything that moves or "
                    "dangles.",
                    "Is it dangerous if a cat swallows thread? Mine keeps playing with loose ends.",
                    "Cat-proofing a home for hobbies? My cat chews anything with string or small parts.",
                ),
                tags="cat",
                conflicts="pet_allergy",
            ),
        ),
        facet(
            "budget",
            "budget",
            "budget for craft materials",
            fact(
                "materials",
                "Materials under ${amount}",
                "The user wants to keep material costs under ${amount}.",
                "materials budget of about ${amount}",
                (
                    "I'd like to keep materials under ${amount}.",
                    "Money is tight, so around ${amount} for materials at most.",
                ),
                (
                    "Where do you buy cheap craft supplies? I try to spend under ${amount} per project.",
                    "Is it cheaper to thrift materials? My project budget is about ${amount}.",
                    "How do you keep project costs down? I try not to spend more than ${amount} on "
                    "materials.",
                ),
                slots={"amount": ("20", "30", "40")},
            ),
        ),
        facet(
            "deadline",
            "time",
            "how many weeks I have to finish a project, deadline",
            fact(
                "weeks",
                "Finished within {weeks} weeks",
                "The user needs the project done in {weeks} weeks, so it must be small enough.",
                "must finish within {weeks} weeks",
                (
                    "I need it finished in {weeks} weeks.",
                    "I only have about {weeks} weeks to get it done.",
                ),
                (
                    "How do I stop starting projects I never finish? I have a deadline in {weeks} weeks and "
                    "three projects half done.",
                    "How many hours does a typical project take? I have {weeks} weeks of evenings.",
                    "How long does a small project take on average? I have a deadline in {weeks} weeks.",
                ),
                slots={"weeks": ("two", "three", "four")},
            ),
        ),
        facet(
            "style",
            "taste",
            "design taste and colors: minimalist, neutral, bright, bold",
            fact(
                "minimal",
                "Minimalist, neutral-colored design",
                "The user likes minimalist design and neutral colors.",
                "likes minimalist design and neutral colors",
                (
                    "My taste is very minimalist, neutral colors only.",
                    "I like clean, minimalist things in neutral colors.",
                ),
                (
                    "How do I make my home feel minimalist without being cold? I love neutral colors and "
                    "clean lines.",
                    "Minimalist wardrobe tips? I only wear neutral colors.",
                    "Minimalist decor ideas in neutral colors? I love a calm, minimalist home.",
                ),
            ),
            fact(
                "bright",
                "Bold, bright colors",
                "The user loves bold, bright colors and finds beige boring.",
                "loves bright, bold colors",
                (
                    "I love bold, bright colors.",
                    "The brighter the colors, the happier I am.",
                ),
                (
                    "How do I decorate with bright colors without it looking childish? I love bold colors.",
                    "Why does everything in shops come in beige? I want bright colors.",
                    "How do I pick bright colors that go together? I'm drawn to bold colors but worry about "
                    "clashing.",
                ),
            ),
        ),
    ),
    fillers(
        "How do I photograph my handmade things for {Etsy|Instagram}? They look flat in photos.",
        "Why do craft supplies cost so much more in big chain stores?",
        "How do I block a finished piece? The edges keep curling.",
        "Is it okay to sell items made from free patterns? A friend asked to buy one.",
        "How do I organize patterns? I have {printouts|PDFs} everywhere.",
        "What is the difference between {DK|worsted} weight and other yarn weights?",
        "How do I wash a handmade item so it doesn't shrink?",
        "Best podcasts to listen to while crafting? I spend {evenings|Sunday afternoons} on projects.",
        "How do I remove a sticker residue from a glass jar? I reuse jars for {buttons|supplies}.",
        "What glue works on fabric without leaving marks?",
        "How do I keep scissors sharp for {paper|fabric} only?",
        "Why do handmade things cost so much to buy?",
    ),
)
