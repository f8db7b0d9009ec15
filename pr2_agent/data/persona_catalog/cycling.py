"""Cycling domain (Lifestyle_and_Personal_Development): commuting and riding."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "cycling",
    LAMPQA_CATEGORIES[1],
    (
        need(
            "How can I start commuting by bike?",
            "I'd like to stop taking the bus and cycle to work instead.",
            "I've decided to try commuting by bike.",
        ),
        need(
            "What should I look for in my next bike?",
            "My old bike is falling apart and I'm shopping for a new one.",
        ),
        need(
            "How do I get into riding more {regularly|often}?",
            "I want cycling to become a regular part of my life, not something I do twice a summer.",
        ),
    ),
    (
        facet(
            "distance",
            "commute",
            "how far I ride: commute distance in km each way",
            fact(
                "commute_km",
                "A {km} km commute each way",
                "The user's commute is {km} km each way, which shapes bike choice and comfort.",
                "{km} km commute each way",
                (
                    "My commute would be {km} km each way.",
                    "It's {km} km from my home to the office.",
                ),
                (
                    "Is {km} km too far to walk to work? That's my daily commute each way and the bus is "
                    "always late.",
                    "How long should a {km} km commute take? Traffic makes my drive unpredictable.",
                    "Is {km} km each way a reasonable distance for an e-bike? That's my commute to work.",
                ),
                slots={"km": ("7", "12", "15")},
                tags="employed",
                conflicts="retired",
            ),
        ),
        facet(
            "terrain",
            "terrain",
            "roads where I ride: hills, steep, gravel, dirt",
            fact(
                "hills",
                "Steep hills on the route",
                "The user's city is very hilly, so gearing and effort on climbs matter.",
                "very hilly city with steep climbs",
                (
                    "My city is very hilly, with some brutal climbs.",
                    "The route has steep hills both ways.",
                ),
                (
                    "How do people in hilly cities get around without a car? My city is all steep hills.",
                    "Best shoes for walking up steep hills every day? My city is famously hilly.",
                    "How do I get better at climbing hills? My city is full of steep hills.",
                ),
            ),
            fact(
                "gravel",
                "Gravel and dirt roads",
                "The user's rides include gravel and dirt roads, so tires and frame must cope.",
                "rides on gravel and dirt roads",
                (
                    "A lot of the roads around me are gravel or dirt.",
                    "Part of every ride is on gravel and dirt roads.",
                ),
                (
                    "Why are the roads near me still gravel? We live where many roads are dirt or gravel.",
                    "Does driving on gravel roads damage a car? Half the roads near my village are gravel.",
                    "Are gravel bikes worth the hype? Most roads near me are gravel or dirt.",
                ),
            ),
        ),
        facet(
            "weather",
            "climate",
            "weather when I ride: rain, snow, ice, winter, heat",
            fact(
                "rain",
                "Riding in the rain (it rains most days)",
                "It rains often where the user lives, so fenders, lights and rain gear matter.",
                "rains most days in autumn and winter",
                (
                    "It rains most days here in autumn and winter.",
                    "Rain is the default weather where I live.",
                ),
                (
                    "How do I dry shoes quickly? It rains most days here and my shoes are always soaked.",
                    "Best waterproof backpack? Rain here soaks everything.",
                    "How do I keep my glasses clear in the rain? It rains most days where I live.",
                ),
                tags="climate_rainy",
                conflicts="climate_hot",
            ),
            fact(
                "snow",
                "Winter riding in snow and ice",
                "The user has cold winters with snow and ice and wants to ride year-round.",
                "cold winters with snow and ice",
                (
                    "Winters here bring snow and ice for months.",
                    "We get proper winter with snow and ice.",
                ),
                (
                    "How do I keep my hands warm in winter? We get months of snow and ice and my fingers go "
                    "numb.",
                    "Are winter tires worth it? Our roads are covered in snow and ice from December to "
                    "March.",
                    "Should I use studded tires in snow and ice? Our winters are long and icy.",
                ),
                tags="climate_cold",
                conflicts="climate_hot",
            ),
        ),
        facet(
            "budget",
            "budget",
            "budget for a bike",
            fact(
                "budget",
                "Bike budget of ${amount}",
                "The user can spend about ${amount} on a bike and gear.",
                "budget of about ${amount}",
                (
                    "I can spend about ${amount} in total.",
                    "My budget is roughly ${amount}.",
                ),
                (
                    "Are used bikes a good deal? I have about ${amount} to spend and new bikes seem "
                    "expensive.",
                    "Is a ${amount} bike going to last? That's what I can afford.",
                    "What bike accessories matter most on a ${amount} budget? I want to spend ${amount} "
                    "total.",
                ),
                slots={"amount": ("400", "600", "800")},
            ),
        ),
        facet(
            "body",
            "health",
            "physical limits on the bike: knee, back pain, upright position",
            fact(
                "knee",
                "Easy on a bad knee (low gears)",
                "The user has a bad knee, so hard pedaling in high gears hurts.",
                "bad knee: avoid hard pedaling",
                (
                    "I have a bad knee that hurts when I push hard.",
                    "My left knee doesn't like heavy effort.",
                ),
                (
                    "Is a knee brace good for daily use? My bad knee hurts on stairs and when I push hard.",
                    "Does glucosamine help a bad knee? It aches after any effort.",
                    "Does cycling help a bad knee or make it worse? My knee hurts when I push hard.",
                ),
                tags="knee",
                conflicts="runner",
            ),
            fact(
                "back",
                "Upright riding position for back pain",
                "The user has lower back pain, so a bent-over riding position is uncomfortable.",
                "lower back pain: needs an upright position",
                (
                    "My lower back hurts if I'm bent over for long.",
                    "I have lower back pain, so leaning forward is uncomfortable.",
                ),
                (
                    "Best office chair for lower back pain? Sitting bent over my desk makes it worse.",
                    "Does yoga help lower back pain? Mine is worse when I lean forward.",
                    "Is a more upright position better for back pain? My lower back aches when I lean "
                    "forward.",
                ),
            ),
        ),
        facet(
            "storage",
            "home",
            "where I keep my bike: stairs, apartment floor, elevator, theft, secure storage",
            fact(
                "stairs",
                "Light enough to carry up to a {floor}-floor apartment",
                "The user has to carry the bike up to a {floor}-floor apartment with no elevator.",
                "carries the bike up to a {floor}-floor apartment, no elevator",
                (
                    "I live on the {floor} floor with no elevator, so I'd carry the bike up.",
                    "There's no elevator in my building and I'm on the {floor} floor.",
                ),
                (
                    "How do I carry groceries up to a {floor}-floor apartment with no elevator? My arms are "
                    "dead "
                    "every week.",
                    "Is it worth paying more rent for an elevator? I'm on the {floor} floor with no "
                    "elevator.",
                    "How heavy is too heavy to carry upstairs every day? I live on the {floor} floor with "
                    "no elevator.",
                ),
                slots={"floor": ("third", "fourth", "fifth")},
                tags="renter",
                conflicts="homeowner",
            ),
            fact(
                "theft",
                "Theft protection (no secure storage)",
                "The user has no secure place for the bike and bikes get stolen in their area.",
                "no secure bike storage; theft is common",
                (
                    "There's nowhere secure to keep a bike and theft is common here.",
                    "Bikes get stolen all the time in my area and I have no secure storage.",
                ),
                (
                    "My bike got stolen from outside my building. Is it worth reporting theft to the police? "
                    "There's no secure storage here.",
                    "Does home insurance cover bike theft? Mine was stolen last month.",
                    "Which bike lock is hardest to break? Bike theft is common here and I have no secure "
                    "storage.",
                ),
            ),
        ),
        facet(
            "cargo",
            "family",
            "what I carry by bike: child, daycare, laptop, work clothes",
            fact(
                "child_seat",
                "Carrying a child to daycare",
                "The user wants to take their {age}-year-old to daycare by bike.",
                "takes a {age}-year-old to daycare",
                (
                    "I'd drop my {age}-year-old at daycare on the way.",
                    "The plan includes taking my {age}-year-old to daycare.",
                ),
                (
                    "How do I get my {age}-year-old out the door in the morning? Daycare drop-off is a daily "
                    "struggle.",
                    "Is it normal for a {age}-year-old to cry at daycare drop-off every morning?",
                    "Front or rear child seat for a {age}-year-old? I want to take my kid to daycare by "
                    "bike.",
                ),
                slots={"age": ("two", "three")},
                tags="kids",
                conflicts="lives_alone",
            ),
            fact(
                "laptop",
                "Carrying a laptop and work clothes",
                "The user needs to carry a laptop and change of clothes every day.",
                "carries a laptop and work clothes",
                (
                    "I have to carry a laptop and a change of clothes.",
                    "Every day I need my laptop and work clothes with me.",
                ),
                (
                    "How do I keep work clothes from wrinkling in a bag? I carry a change of clothes and my "
                    "laptop every day.",
                    "Best padded laptop sleeve? I carry my laptop everywhere.",
                    "Panniers or backpack for carrying a laptop? I need my laptop and work clothes every "
                    "day.",
                ),
                tags="employed",
                conflicts="retired",
            ),
        ),
    ),
    fillers(
        "How do I fix a flat tire on the road? I always carry a pump but never used it.",
        "How often should I oil a bike chain? Mine squeaks after {rain|a week}.",
        "Are bike helmets really necessary for short rides?",
        "Why do my brakes squeal? They're loud {in the wet|when I stop}.",
        "How do I set the right saddle height?",
        "Is it legal to ride on the sidewalk? The rules seem different everywhere.",
        "What does 'clipless pedals' mean if you clip into them?",
        "How much air should I put in my tires? The number on the side is a range.",
        "How do I clean a dirty bike chain properly?",
        "What's the difference between road and hybrid bikes?",
        "How do I signal turns on a bike? Drivers never seem to notice.",
        "Why does my bike make a clicking noise when I pedal?",
    ),
)
