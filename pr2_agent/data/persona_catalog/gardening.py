"""Gardening domain (Lifestyle_and_Personal_Development): planning what to grow."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "gardening",
    LAMPQA_CATEGORIES[1],
    (
        need(
            "What should I plant {this spring|next season}?",
            "I want to plan my planting properly this year instead of buying whatever looks nice.",
            "It's almost planting time and I'm deciding what to grow.",
        ),
        need(
            "How can I get more out of my vegetable garden?",
            "My vegetable garden produced very little last year and I want to do better.",
        ),
        need(
            "Can you help me plan my garden for next year?",
            "I'd like to make a real plan for my garden for next year.",
        ),
    ),
    (
        facet(
            "climate",
            "climate",
            "my climate and growing zone: frost, cold winters, hot dry summers, water restrictions",
            fact(
                "cold",
                "Cold climate with late frosts (zone {zone})",
                "The user gardens in zone {zone} with late frosts and a short season.",
                "cold zone {zone} climate with late spring frosts",
                (
                    "I'm in zone {zone}, and we get frost into late May.",
                    "Our winters are long and cold (zone {zone}), with late frosts.",
                ),
                (
                    "How do I protect plants from a late frost? We're in zone {zone} and frost killed my "
                    "{tomatoes|seedlings} in late May.",
                    "Best winter coat for really cold winters? Zone {zone} winters here go down to -25°C.",
                    "Which fruit trees survive zone {zone}? Our winters are cold and late frosts kill "
                    "blossoms.",
                ),
                slots={"zone": ("4", "5")},
                tags="climate_cold",
                conflicts="climate_hot",
            ),
            fact(
                "hot_dry",
                "Hot, dry summers with water restrictions",
                "The user's summers are hot and dry with watering restrictions, so drought tolerance "
                "matters.",
                "hot dry summers with watering restrictions",
                (
                    "Summers here are hot and dry, and we often have water restrictions.",
                    "We get long, dry heat waves and water restrictions every summer.",
                ),
                (
                    "How do I keep my house cool in a heat wave? Our summers are hot and dry and the AC "
                    "struggles.",
                    "Are water restrictions here going to get worse? Every summer is hot and dry now.",
                    "How do I keep a lawn alive during water restrictions? Summers here are hot and dry.",
                ),
                tags="climate_hot",
                conflicts="climate_cold climate_rainy",
            ),
        ),
        facet(
            "space",
            "home",
            "garden space and light: balcony, containers, yard, shade, sun",
            fact(
                "balcony",
                "Container gardening on a balcony",
                "The user only has a small balcony, so everything must grow in containers.",
                "only a small balcony with containers",
                (
                    "All I have is a small balcony, so it's containers only.",
                    "My garden is a balcony with a few containers.",
                ),
                (
                    "How much weight can a balcony hold? I'd like to put some big containers with soil on my "
                    "small balcony.",
                    "Can I put a chair and table on a small balcony with containers? It's about two square "
                    "meters.",
                    "Balcony privacy screen ideas? My small balcony is my only outdoor space and I want "
                    "containers and plants on it.",
                ),
                tags="renter",
                conflicts="homeowner has_garden",
            ),
            fact(
                "shade",
                "Shady, north-facing yard",
                "The user's yard faces north and gets little direct sun.",
                "north-facing yard with only a few hours of sun",
                (
                    "My yard faces north and gets maybe three hours of sun.",
                    "The garden is shady; it's north-facing.",
                ),
                (
                    "Why is my lawn so patchy in the shade? Our north-facing yard only gets sun in the "
                    "morning.",
                    "Can solar lights work in a shady yard? Ours is north-facing and dark.",
                    "Which flowers grow in shade? My yard faces north and gets very little sun.",
                ),
                tags="homeowner has_garden",
                conflicts="renter",
            ),
        ),
        facet(
            "soil",
            "soil",
            "my soil type: clay, sandy, drainage",
            fact(
                "clay",
                "Heavy clay soil",
                "The user has heavy clay soil that drains badly.",
                "heavy clay soil that drains poorly",
                (
                    "The soil is heavy clay that stays waterlogged.",
                    "I'm dealing with heavy clay soil.",
                ),
                (
                    "How do I improve heavy clay soil? Water sits on top for days after rain and my shovel "
                    "barely goes in.",
                    "Why do my plants rot in clay soil? The ground is heavy clay everywhere.",
                    "Raised beds or digging for clay soil? My yard is heavy clay and it cracks in summer.",
                ),
                tags="has_garden",
            ),
        ),
        facet(
            "safety",
            "family",
            "kids or pets in the garden: dog, toddler, toxic plants",
            fact(
                "dog",
                "Dog-safe, non-toxic plants",
                "The user's dog roams the garden and chews plants, so toxic plants are a risk.",
                "dog in the garden: plants must be non-toxic",
                (
                    "My dog is out in the garden all day and chews on plants.",
                    "I have a dog who digs and chews, so whatever I plant has to be safe for him.",
                ),
                (
                    "Why does my dog eat grass and plants? He chews everything in the garden.",
                    "How do I stop my dog digging in the garden? He destroyed my beds again.",
                    "Which plants are toxic to dogs? My dog chews everything and I want a safe garden.",
                ),
                tags="dog has_garden",
                conflicts="pet_allergy",
            ),
            fact(
                "toddler",
                "Toddler-safe plants",
                "The user's toddler plays in the garden and puts things in their mouth.",
                "a toddler plays in the garden",
                (
                    "My toddler plays in the garden and puts everything in their mouth.",
                    "Our two-year-old is out in the garden with us all the time.",
                ),
                (
                    "How do I toddler-proof a backyard? My two-year-old tries to eat berries and leaves.",
                    "Best outdoor toys for a toddler? Ours loves being in the backyard.",
                    "Which berries are poisonous for a toddler? Our toddler picks everything in the garden.",
                ),
                tags="kids has_garden",
                conflicts="lives_alone",
            ),
        ),
        facet(
            "goal",
            "goal",
            "what I want from the garden: herbs, salad greens, vegetables, bees, pollinators, flowers",
            fact(
                "kitchen",
                "Herbs and salad greens for the kitchen",
                "The user wants to grow herbs and salad greens they actually cook with.",
                "wants herbs and salad greens for cooking",
                (
                    "What I really want is herbs and salad greens I can use in the kitchen.",
                    "I'd love to pick herbs and salad greens for dinner.",
                ),
                (
                    "How do I store fresh herbs so they last? I love cooking with herbs and salad greens but "
                    "they wilt in two days.",
                    "Why are supermarket herbs so expensive? I use fresh herbs in almost everything I cook.",
                    "How do I keep salad greens from bolting? I'd love fresh greens and herbs for the "
                    "kitchen.",
                ),
            ),
            fact(
                "pollinators",
                "Attracting bees and pollinators",
                "The user wants to help bees and other pollinators.",
                "wants to attract bees and pollinators",
                (
                    "I want the garden to be good for bees and other pollinators.",
                    "Helping pollinators, especially bees, is important to me.",
                ),
                (
                    "Why are bees disappearing? I read that pollinators are in decline and want to help.",
                    "How do I build a bee hotel? I'd like to support pollinators.",
                    "Which flowers do bees like most? I want to help pollinators in my neighborhood.",
                ),
            ),
        ),
        facet(
            "effort",
            "time",
            "time for the garden: low-maintenance, away in summer, watering",
            fact(
                "low_maintenance",
                "Low-maintenance plants",
                "The user has little time, so plants must survive with minimal care.",
                "little time: low-maintenance only",
                (
                    "I have very little time, so it has to be low-maintenance.",
                    "Between work and everything, only low-maintenance plants survive with me.",
                ),
                (
                    "Low-maintenance houseplants that are hard to kill? I travel a lot for work and forget "
                    "to "
                    "water.",
                    "How do people keep gardens low-maintenance? I have maybe an hour a week.",
                    "Low-maintenance ground cover instead of lawn? I have no time for mowing or weeding.",
                ),
            ),
            fact(
                "away_summer",
                "Away for {weeks} weeks in summer (watering)",
                "The user is away for {weeks} weeks every summer, so plants must survive without watering.",
                "away {weeks} weeks every summer",
                (
                    "I'm away for {weeks} weeks every summer.",
                    "Every summer I visit family abroad for {weeks} weeks.",
                ),
                (
                    "How do I keep houseplants alive while away? I visit family for {weeks} weeks every "
                    "summer.",
                    "Are self-watering systems reliable? I'm away {weeks} weeks each summer.",
                    "How do neighbors handle watering when you travel? I'm away {weeks} weeks every summer.",
                ),
                slots={"weeks": ("two", "three")},
            ),
        ),
        facet(
            "body",
            "health",
            "physical limits for garden work: bad back, bending, digging",
            fact(
                "back",
                "Raised beds for a bad back",
                "The user has a bad back, so bending and digging must be minimized.",
                "bad back: avoid bending and digging",
                (
                    "My back is bad, so bending and digging are hard.",
                    "I can't do much bending because of my back.",
                ),
                (
                    "Best chair for a bad back when working from home? Bending over anything hurts.",
                    "Is physiotherapy worth it for a bad back? Digging and bending leave me in pain for "
                    "days.",
                    "Gardening tools for a bad back? I can't bend or dig for long.",
                ),
            ),
        ),
    ),
    fillers(
        "How do I start composting? I throw away {so much|a lot of} kitchen waste.",
        "Why are my tomato leaves turning yellow at the bottom?",
        "When should I prune {roses|fruit trees}? I'm worried about cutting at the wrong time.",
        "How do I get rid of slugs without poison? They ate my {lettuce|seedlings}.",
        "Is rainwater better for plants than tap water?",
        "How do I sharpen garden shears? They crush stems now.",
        "What's the difference between annuals and perennials?",
        "Why do my seedlings get tall and floppy indoors?",
        "How do I revive a plant I forgot to water?",
        "Why do my houseplant leaves have brown tips?",
        "Is coffee ground compost good for plants?",
        "How do I get rid of aphids naturally? They cover my {roses|beans}.",
    ),
)
