"""Cooking domain (Lifestyle_and_Personal_Development): everyday home cooking."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "cooking",
    LAMPQA_CATEGORIES[1],
    (
        need(
            "What {easy|simple|good} dinners can I cook on weeknights?",
            "I want to stop ordering takeout and actually cook dinner at home during the week.",
            "I'm trying to build a small rotation of weeknight dinners I can rely on.",
        ),
        need(
            "Can you help me plan {a week of meals|my meals for next week}?",
            "I'd like a simple plan for the coming week so I stop deciding what to eat at the last minute.",
        ),
        need(
            "What can I batch cook on Sunday for the week?",
            "I want to spend one afternoon on Sunday cooking so the rest of the week is easy.",
        ),
    ),
    (
        facet(
            "diet",
            "diet",
            "dietary restrictions: vegetarian, vegan, gluten-free, celiac, lactose, allergies, foods I "
            "don't eat",
            fact(
                "vegetarian",
                "Vegetarian dishes (no meat or fish)",
                "The user does not eat meat or fish, so recipes built around meat are useless to them.",
                "vegetarian: no meat or fish",
                (
                    "I don't eat meat or fish, so everything has to be vegetarian.",
                    "Keep in mind I'm vegetarian; no meat and no fish.",
                ),
                (
                    "Good sources of protein for a vegetarian? I stopped eating meat and fish "
                    "{two|three|five} "
                    "years ago and I'm not sure I get enough protein.",
                    "Vegetarian substitute for {ground beef|chicken} in old family recipes? I don't eat meat "
                    "anymore but I miss my mom's {lasagna|chili|stew}.",
                    "Is it hard to eat out as a vegetarian in {Spain|Argentina|Texas}? I don't eat meat or "
                    "fish and I'm planning a trip.",
                ),
                tags="vegetarian",
                conflicts="eats_meat",
            ),
            fact(
                "celiac",
                "Gluten-free meals (celiac disease)",
                "The user has celiac disease and must avoid gluten (wheat, barley, rye), so regular pasta, "
                "bread "
                "and flour-thickened sauces are off the table.",
                "gluten-free because of celiac disease",
                (
                    "I have celiac disease, so nothing with wheat, barley or rye.",
                    "Everything needs to be gluten-free since I was diagnosed with celiac disease.",
                ),
                (
                    "Is oat flour safe with celiac disease? I was diagnosed {last year|a few months ago} "
                    "and have "
                    "to keep my diet strictly gluten-free.",
                    "How do I avoid gluten cross-contamination when eating at friends' houses? Because of "
                    "celiac disease even crumbs from a normal toaster make me sick.",
                    "Which beers are safe with celiac disease? I have to stay strictly gluten-free and "
                    "barley is a problem.",
                ),
                tags="celiac",
            ),
            fact(
                "lactose",
                "Dairy-free cooking (lactose intolerance)",
                "The user is lactose intolerant, so milk, cream and soft cheese cause problems.",
                "lactose intolerant: no milk, cream or soft cheese",
                (
                    "I'm lactose intolerant, so I avoid milk, cream and soft cheeses.",
                    "Dairy doesn't agree with me; I'm lactose intolerant.",
                ),
                (
                    "Which plant milk is best in coffee? I'm lactose intolerant and regular milk gives me "
                    "stomach cramps.",
                    "Do lactase pills actually work? Being lactose intolerant, I miss dairy and cheese.",
                    "Is lactose-free milk real milk? I'm lactose intolerant and want something for my "
                    "cereal.",
                ),
                tags="lactose",
            ),
        ),
        facet(
            "time",
            "time",
            "how many minutes I have to cook on weeknights",
            fact(
                "quick",
                "Quick recipes ({minutes} minutes or less)",
                "The user only has about {minutes} minutes to cook on weeknights.",
                "at most {minutes} minutes of cooking on weeknights",
                (
                    "On weeknights I only have about {minutes} minutes to get dinner on the table.",
                    "I can't spend more than {minutes} minutes cooking after work.",
                ),
                (
                    "How do people manage to cook after long shifts? I work {ten-hour shifts|until 7 pm} and "
                    "by the time I'm home I have maybe {minutes} minutes before I'm too tired to cook.",
                    "Is a {minutes}-minute dinner realistic without ready meals? That's all the time I have "
                    "to cook on workdays.",
                    "How do I stop snacking while waiting for dinner? I only have about {minutes} minutes "
                    "to cook after work.",
                ),
                slots={"minutes": ("15", "20", "25")},
            ),
        ),
        facet(
            "kitchen",
            "equipment",
            "kitchen equipment I have: oven, stovetop, burners, Instant Pot, pressure cooker",
            fact(
                "no_oven",
                "Stovetop-only recipes (no oven)",
                "The user's kitchen has no oven, only a two-burner stovetop, so baked or roasted dishes "
                "won't work.",
                "no oven, only a two-burner stovetop",
                (
                    "My kitchen has no oven, just a two-burner stove.",
                    "There's no oven in my place, only two burners.",
                ),
                (
                    "Can you bake anything without an oven? My {studio|rental} apartment kitchen only has a "
                    "two-burner stovetop and a microwave, no oven at all.",
                    "Is a countertop oven worth it? My apartment has no oven and I miss roasting vegetables.",
                    "What can I do with a two-burner stove? My apartment has no oven and I'm tired of pasta.",
                ),
                tags="renter",
                conflicts="homeowner oven",
            ),
            fact(
                "instant_pot",
                "Using an Instant Pot pressure cooker",
                "The user owns an Instant Pot pressure cooker and wants recipes that use it.",
                "owns an Instant Pot pressure cooker",
                (
                    "I have an Instant Pot and would love to finally use it.",
                    "I'd like to use my Instant Pot pressure cooker as much as possible.",
                ),
                (
                    "Is an Instant Pot worth it for dried beans? I got an Instant Pot pressure cooker as a "
                    "gift "
                    "and it's still in the box.",
                    "Why does my Instant Pot say 'burn'? I've only used the pressure cooker twice.",
                    "Can you cook rice and vegetables together in an Instant Pot? I'm still learning my "
                    "pressure cooker.",
                ),
            ),
        ),
        facet(
            "household",
            "family",
            "who I cook for: living alone, cooking for one, kids, picky eaters",
            fact(
                "for_one",
                "Single-serving portions (cooking for one)",
                "The user lives alone, so recipes should be scaled down or freeze well.",
                "cooks for one person",
                (
                    "It's just me, so I don't want recipes that feed six.",
                    "I live alone and only cook for one.",
                ),
                (
                    "How do I stop wasting groceries when cooking for one? I live alone and half the "
                    "{spinach|herbs|bread} I buy goes bad before I can use it.",
                    "Is it worth buying in bulk when you live alone? Cooking for one makes big packs a "
                    "waste.",
                    "How do I cook for one without eating the same thing all week? I live alone and "
                    "portions are always huge.",
                ),
                tags="lives_alone",
                conflicts="kids partner",
            ),
            fact(
                "picky_kids",
                "Kid-friendly meals for picky eaters",
                "The user cooks for two picky kids who refuse most vegetables, so meals must get past them.",
                "cooking for two picky kids aged {age1} and {age2}",
                (
                    "I'm feeding two picky kids, {age1} and {age2}, who refuse anything green.",
                    "My kids ({age1} and {age2}) are extremely picky eaters.",
                ),
                (
                    "How do I get picky kids to try new foods? My {age1}-year-old and {age2}-year-old only "
                    "eat "
                    "plain pasta and refuse anything green.",
                    "Are picky eaters a phase? My kids, {age1} and {age2}, have eaten the same five foods "
                    "for a "
                    "year.",
                    "Sneaky ways to add vegetables for picky kids? My two ({age1} and {age2}) reject "
                    "anything that looks healthy.",
                ),
                slots={"age1": ("four", "five"), "age2": ("seven", "eight")},
                tags="kids",
                conflicts="lives_alone",
            ),
        ),
        facet(
            "budget",
            "budget",
            "grocery budget per week",
            fact(
                "tight",
                "Budget-friendly ingredients (about ${amount} a week)",
                "The user has a grocery budget of about ${amount} a week, so expensive ingredients are out.",
                "grocery budget of about ${amount} per week",
                (
                    "My grocery budget is tight, around ${amount} a week.",
                    "I have to keep groceries to about ${amount} a week.",
                ),
                (
                    "Cheapest supermarket for {staples|pantry basics}? I'm trying to keep my groceries to "
                    "${amount} a week after {rent went up|I lost some hours at work}.",
                    "How do people eat well on ${amount} a week? My grocery budget is tiny right now.",
                    "Cheap protein sources? My grocery budget is about ${amount} a week.",
                ),
                slots={"amount": ("30", "40", "50")},
            ),
        ),
        facet(
            "skill",
            "skill",
            "my cooking experience: beginner or experienced in the kitchen",
            fact(
                "beginner",
                "Beginner-friendly instructions",
                "The user is a complete beginner in the kitchen and needs simple, explained steps.",
                "complete beginner cook",
                (
                    "I'm a total beginner; I can boil pasta and that's about it.",
                    "I'm a complete beginner in the kitchen.",
                ),
                (
                    "How do I chop an onion without it taking forever? I'm a complete beginner in the "
                    "kitchen "
                    "and never learned basic knife skills.",
                    "What kitchen basics should a beginner buy? I just moved out and can barely cook.",
                    "Basic cooking techniques every beginner should learn? I'm a complete beginner and burn "
                    "most things.",
                ),
            ),
        ),
        facet(
            "health",
            "health",
            "health conditions affecting food: blood pressure, salt, diabetes",
            fact(
                "low_sodium",
                "Low-salt cooking (high blood pressure)",
                "The user has high blood pressure and has to keep sodium low.",
                "low salt because of high blood pressure",
                (
                    "My doctor wants me to cut salt because of high blood pressure.",
                    "I have high blood pressure, so I need to go easy on salt.",
                ),
                (
                    "How can I make food taste good with less salt? My doctor told me to cut down on sodium "
                    "because of high blood pressure.",
                    "Which everyday foods hide the most salt? I'm watching sodium for my blood pressure.",
                    "Are salt substitutes safe for high blood pressure? I'm trying to eat low-salt food.",
                ),
            ),
        ),
    ),
    fillers(
        "How long does cooked {rice|quinoa} keep in the fridge? I made a big batch on Sunday.",
        "How do I keep my kitchen knives sharp? They crush {tomatoes|bread} instead of cutting.",
        "Why does my nonstick pan stick now? It's only {a year|two years} old.",
        "What's the difference between baking soda and baking powder?",
        "How do I get rid of fruit flies in the kitchen? They appeared {overnight|last week}.",
        "Is it safe to refreeze bread? I always buy more than I need.",
        "How do I clean a burnt pot? I forgot {soup|rice} on the stove.",
        "Which herbs grow well on a windowsill? I'd like fresh {basil|parsley} on hand.",
        ("Why do my cookies spread so much in the oven? They come out flat every time.", "oven"),
        "How do I stop onions from making me cry?",
        "Is it safe to eat pasta left out overnight?",
        "How do I season a cast iron pan? It came rusty from a {flea market|garage sale}.",
        "Why does my rice turn mushy? I follow the packet instructions.",
    ),
)
