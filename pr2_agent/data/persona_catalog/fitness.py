"""Fitness domain (Lifestyle_and_Personal_Development): starting or restarting exercise."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "fitness",
    LAMPQA_CATEGORIES[1],
    (
        need(
            "How should I {start|restart} working out?",
            "I want to get back into exercising and actually stick with it this time.",
            "I've decided to start working out regularly.",
        ),
        need(
            "Can you suggest a weekly workout plan?",
            "I'd like a concrete weekly workout plan instead of making it up every day.",
        ),
        need(
            "What exercise routine would help me get fitter?",
            "I feel out of shape and want a routine that gets me fitter over the next few months.",
        ),
    ),
    (
        facet(
            "injury",
            "health",
            "injuries or conditions limiting exercise: knee, back pain, asthma",
            fact(
                "knee",
                "Knee-friendly exercises (no running or jumping)",
                "The user has a knee injury, so running, jumping and deep squats must be avoided.",
                "knee injury: no running or jumping",
                (
                    "I hurt my knee {last year|skiing} and running or jumping still causes pain.",
                    "My knee injury means no running and no jumping.",
                ),
                (
                    "How long does a meniscus tear take to heal? My knee still hurts when I run or jump, "
                    "months "
                    "after the injury.",
                    "Is swimming good for a knee injury? My physio told me to avoid running for now.",
                    "Knee exercises that don't involve running or jumping? My knee injury flares up with "
                    "any impact.",
                ),
                tags="knee",
                conflicts="runner",
            ),
            fact(
                "back",
                "Protecting a sore lower back",
                "The user has recurring lower back pain, so heavy loaded spinal exercises need care.",
                "recurring lower back pain",
                (
                    "I get lower back pain a few times a year, so I have to be careful.",
                    "My lower back is my weak spot; it flares up easily.",
                ),
                (
                    "What mattress is best for lower back pain? I wake up stiff most mornings.",
                    "Why does my lower back hurt after sitting all day? The pain comes back every few "
                    "months.",
                    "Is deadlifting safe with lower back pain? My lower back has been sore on and off for "
                    "years.",
                ),
            ),
            fact(
                "asthma",
                "Managing exercise-induced asthma",
                "The user has asthma that flares with intense cardio, especially in cold air.",
                "asthma triggered by intense cardio and cold air",
                (
                    "I have asthma, and hard cardio, especially in cold air, sets it off.",
                    "Intense cardio can trigger my asthma.",
                ),
                (
                    "Should I use my inhaler before exercise? My asthma flares when I push hard or the air "
                    "is "
                    "cold.",
                    "Is exercise-induced asthma common in adults? I only noticed my asthma when I started "
                    "{jogging|spinning classes}.",
                    "Best sports for people with asthma? Running in cold air triggers my asthma.",
                ),
            ),
        ),
        facet(
            "time",
            "time",
            "how many minutes a day I have for workouts",
            fact(
                "short",
                "Short workouts ({minutes} minutes a day)",
                "The user has about {minutes} minutes a day, so the plan must fit that.",
                "about {minutes} minutes a day for exercise",
                (
                    "I can spare about {minutes} minutes a day, no more.",
                    "Realistically I have {minutes} minutes a day for exercise.",
                ),
                (
                    "Is {minutes} minutes of exercise a day enough to see results? That's all the time I "
                    "have "
                    "between work and everything else.",
                    "How do busy people find time to exercise? I get {minutes} minutes a day if I'm lucky.",
                    "Can a {minutes}-minute workout replace a gym session? I only have {minutes} minutes a "
                    "day.",
                ),
                slots={"minutes": ("20", "25", "30")},
            ),
        ),
        facet(
            "equipment",
            "equipment",
            "where I work out and equipment: home, gym, no equipment, resistance bands, pull-up bar",
            fact(
                "no_equipment",
                "Home workouts with no equipment",
                "The user works out at home with no equipment and no gym membership.",
                "home workouts, no equipment, no gym",
                (
                    "I'll be working out at home with no equipment.",
                    "I don't have a gym membership or any equipment at home.",
                ),
                (
                    "Can you build muscle without equipment? I cancelled my gym membership and work out at "
                    "home "
                    "with nothing but a mat.",
                    "Is a gym membership worth it? I prefer working out at home without equipment.",
                    "Bodyweight exercises for legs? I work out at home without equipment.",
                ),
            ),
            fact(
                "bands",
                "Using resistance bands and a pull-up bar",
                "The user has resistance bands and a pull-up bar at home and wants to use them.",
                "has resistance bands and a doorway pull-up bar",
                (
                    "At home I have resistance bands and a pull-up bar.",
                    "My equipment is a set of resistance bands and a doorway pull-up bar.",
                ),
                (
                    "Are resistance bands as good as weights? I bought a set of resistance bands and a "
                    "pull-up "
                    "bar for my apartment.",
                    "How do I install a doorway pull-up bar safely? I just bought one with some resistance "
                    "bands.",
                    "Which resistance bands should I buy next? I use light resistance bands and a pull-up "
                    "bar at home.",
                ),
            ),
        ),
        facet(
            "goal",
            "goal",
            "what I'm training for: race, 5K, 10K, hiking trip, weight loss",
            fact(
                "race",
                "Training for a {distance} race",
                "The user signed up for a {distance} race in {weeks} weeks, so the plan should build toward "
                "it.",
                "training for a {distance} race in {weeks} weeks",
                (
                    "I signed up for a {distance} race in {weeks} weeks.",
                    "There's a {distance} race in {weeks} weeks that I want to finish.",
                ),
                (
                    "What should I eat before a {distance} race? I signed up for my first one, it's in "
                    "{weeks} "
                    "weeks.",
                    "Best running shoes for a first {distance} race? My race is in {weeks} weeks.",
                    "How do I pace my first {distance} race? It's in {weeks} weeks and I'm nervous.",
                ),
                slots={"distance": ("5K", "10K"), "weeks": ("eight", "ten", "twelve")},
                tags="runner",
                conflicts="knee",
            ),
            fact(
                "hiking",
                "Building strength for a mountain hiking trip",
                "The user wants to be fit enough for a mountain hiking trip this summer.",
                "getting fit for a mountain hiking trip",
                (
                    "My goal is to be fit enough for a mountain hiking trip this summer.",
                    "I want to handle a week of mountain hiking in the summer.",
                ),
                (
                    "How much elevation can a beginner hike in a day? I booked a mountain hiking trip in the "
                    "{Alps|Dolomites|Rockies} for the summer.",
                    "What should I pack for a week of mountain hiking? It's my first hiking trip.",
                    "How do I train my legs for mountain hiking? My hiking trip is this summer and I get "
                    "winded on stairs.",
                ),
            ),
        ),
        facet(
            "diet",
            "diet",
            "my diet: vegan, vegetarian, protein",
            fact(
                "vegan",
                "Enough protein on a vegan diet",
                "The user is vegan, so nutrition advice (protein, recovery) must be plant-based.",
                "vegan diet",
                (
                    "I'm vegan, in case that matters for nutrition.",
                    "I eat a vegan diet.",
                ),
                (
                    "Is pea protein as good as whey? I've been vegan for {a year|three years} and want to "
                    "get "
                    "enough protein.",
                    "Vegan breakfast ideas with lots of protein? I'm vegan and always hungry by 10am.",
                    "Do vegan athletes need supplements? I eat a vegan diet and train a few times a week.",
                ),
                tags="vegan vegetarian",
                conflicts="eats_meat lactose",
            ),
        ),
        facet(
            "schedule",
            "schedule",
            "when I can exercise: shifts, night shifts, early morning",
            fact(
                "night_shift",
                "Working around night shifts",
                "The user works night shifts, so workouts must fit an unusual sleep schedule.",
                "works night shifts",
                (
                    "I work night shifts, so my days are upside down.",
                    "My schedule is night shifts, three or four a week.",
                ),
                (
                    "How do night shift workers sleep during the day? I work night shifts at a "
                    "{hospital|warehouse} "
                    "and can't sleep past noon.",
                    "What should I eat on night shifts? I get hungry at 3am.",
                    "When should night shift workers eat? My shifts start at 10 pm and my diet is a mess.",
                ),
                tags="employed",
                conflicts="retired student",
            ),
            fact(
                "early",
                "Workouts before 6 am",
                "The user can only exercise early in the morning before work and family duties.",
                "only free before 6 am",
                (
                    "The only free time I have is before 6 am.",
                    "Mornings before 6 are the only slot I have.",
                ),
                (
                    "How do I become a morning person? The only time I have to myself is before 6 am.",
                    "Is it bad to exercise on an empty stomach? I only have time before 6 am.",
                    "What should I eat before a 6 am start? Before 6 am is my only free time in the day.",
                ),
            ),
        ),
        facet(
            "level",
            "skill",
            "my fitness level: years without exercise, beginner, athlete",
            fact(
                "beginner",
                "Starting from zero after years without exercise",
                "The user hasn't exercised in years, so the plan must start very gently.",
                "hasn't exercised in {years} years",
                (
                    "I haven't exercised in about {years} years.",
                    "It's been {years} years since I did any real exercise.",
                ),
                (
                    "How sore is normal after the first workout in years? I haven't exercised in {years} "
                    "years "
                    "and could barely walk after a short class.",
                    "Should I see a doctor before exercising after {years} years of nothing?",
                    "How do I rebuild fitness after {years} years of doing nothing? I haven't exercised in "
                    "{years} years.",
                ),
                slots={"years": ("five", "eight", "ten")},
            ),
        ),
    ),
    fillers(
        "How much water should I drink during a workout? I never know if I'm drinking {too much|enough}.",
        "What's the difference between a stretch before and after exercise?",
        "Why do my muscles hurt two days after a workout and not the next day?",
        "Do fitness trackers count calories accurately? Mine says I burned {500|600} calories on a walk.",
        "How do I clean a yoga mat? It's starting to smell.",
        "Is it normal to feel dizzy after a hard workout? It happened {once|twice} last week.",
        "What does 'progressive overload' mean? Every fitness video mentions it.",
        "Best workout playlists? I need music that keeps me going.",
        "Is it better to exercise in the morning or evening?",
        "How long should a warm-up be?",
        "Why do my legs shake during planks?",
        "How often should I replace workout shoes? Mine are {a year|two years} old.",
    ),
)
