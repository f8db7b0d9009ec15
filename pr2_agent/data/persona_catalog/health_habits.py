"""Health habits domain (Lifestyle_and_Personal_Development): sleep, energy and daily habits."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "health_habits",
    LAMPQA_CATEGORIES[1],
    (
        need(
            "How can I build healthier daily habits?",
            "I want to build a few healthier habits that actually stick.",
            "My daily habits have slipped and I'd like to get back on track.",
        ),
        need(
            "What small changes would help me feel less tired?",
            "I feel tired all the time and want to change some everyday things.",
        ),
        need(
            "How can I sleep better and have more energy?",
            "My sleep is poor and my energy during the day is low.",
        ),
    ),
    (
        facet(
            "schedule",
            "schedule",
            "my work schedule and sleep times: shifts, early alarm, commute",
            fact(
                "rotating",
                "Rotating shift schedule",
                "The user works rotating shifts, so a fixed bedtime isn't possible.",
                "works rotating shifts",
                (
                    "I work rotating shifts, so my sleep times change every week.",
                    "My shifts rotate between mornings, evenings and nights.",
                ),
                (
                    "Does working rotating shifts damage your health? My schedule changes every week and I'm "
                    "always jet-lagged.",
                    "How do I plan meals on rotating shifts? I eat at random times.",
                    "How do I keep a routine with rotating shifts? My schedule changes every week.",
                ),
                tags="employed",
                conflicts="retired student",
            ),
            fact(
                "early_commute",
                "Early {time} wake-up for a long commute",
                "The user must get up at {time} for a long commute.",
                "wakes at {time} for a long commute",
                (
                    "I have to get up at {time} for my commute.",
                    "My alarm goes off at {time} because of a long commute.",
                ),
                (
                    "How do people with long commutes stay sane? I get up at {time} and I'm not home before "
                    "7.",
                    "Is it worth moving closer to work? My commute means waking at {time}.",
                    "How do I fall asleep earlier? My alarm is at {time} for a long commute.",
                ),
                slots={"time": ("5 am", "5:30 am")},
                tags="employed",
                conflicts="retired",
            ),
        ),
        facet(
            "condition",
            "health",
            "my health conditions: diabetes, blood sugar, migraines",
            fact(
                "diabetes",
                "Managing type 2 diabetes (blood sugar)",
                "The user has type 2 diabetes, so blood sugar has to be considered in every habit.",
                "type 2 diabetes",
                (
                    "I was diagnosed with type 2 diabetes {last year|two years ago}.",
                    "I have type 2 diabetes and have to watch my blood sugar.",
                ),
                (
                    "Which fruits are okay with type 2 diabetes? My blood sugar spikes after breakfast.",
                    "How often should I check my blood sugar? I have type 2 diabetes and my readings are "
                    "all over the place.",
                    "Are sugar-free snacks okay with type 2 diabetes? I'm learning to manage my blood sugar.",
                ),
            ),
            fact(
                "migraines",
                "Avoiding migraines and their triggers",
                "The user gets migraines, triggered by skipped meals, poor sleep and screens.",
                "gets migraines",
                (
                    "I get migraines a few times a month.",
                    "Migraines knock me out a couple of times a month.",
                ),
                (
                    "What triggers migraines? I get them a few times a month and can't find the pattern.",
                    "Do blue-light glasses help with migraines? Screens seem to set mine off.",
                    "Does caffeine help or trigger migraines? My migraines come with no warning.",
                ),
            ),
        ),
        facet(
            "diet",
            "diet",
            "foods I avoid: dairy, lactose, gluten",
            fact(
                "lactose",
                "No dairy (lactose intolerance)",
                "The user is lactose intolerant, so dairy-based advice doesn't fit.",
                "lactose intolerant",
                (
                    "I'm lactose intolerant, by the way.",
                    "Dairy is off the menu for me; I'm lactose intolerant.",
                ),
                (
                    "How do lactose intolerant people get calcium? Milk makes me bloated and I avoid dairy.",
                    "Is hard cheese okay if you're lactose intolerant?",
                    "Are yogurt and kefir okay if you're lactose intolerant? I avoid dairy mostly.",
                ),
                tags="lactose",
            ),
        ),
        facet(
            "habit",
            "habit",
            "habits I'm trying to change: coffee, smoking, alcohol",
            fact(
                "coffee",
                "Cutting down from {n} coffees a day",
                "The user drinks about {n} coffees a day and suspects it hurts their sleep.",
                "drinks about {n} coffees a day",
                (
                    "I drink about {n} cups of coffee a day.",
                    "My coffee habit is around {n} cups a day.",
                ),
                (
                    "Is {n} cups of coffee a day too much? I rely on coffee to get through the day.",
                    "How do I cut down on coffee without headaches? I'm at {n} cups a day.",
                    "Is decaf a good way to cut down? I drink {n} coffees a day and sleep badly.",
                ),
                slots={"n": ("five", "six")},
            ),
            fact(
                "smoking",
                "Quitting smoking",
                "The user is trying to quit smoking, so habits should support that.",
                "trying to quit smoking",
                (
                    "I'm also trying to quit smoking.",
                    "I'm in the middle of quitting smoking.",
                ),
                (
                    "Do nicotine patches work? I'm trying to quit smoking for the {second|third} time.",
                    "How long do cravings last after quitting smoking? I'm on day {ten|twelve}.",
                    "How do I avoid weight gain after quitting smoking? I quit smoking {a month|three "
                    "weeks} ago.",
                ),
            ),
        ),
        facet(
            "work",
            "work",
            "my workday: desk job, sitting, on my feet",
            fact(
                "desk",
                "Sitting at a desk all day",
                "The user sits at a desk for about nine hours a day.",
                "sits at a desk about nine hours a day",
                (
                    "I sit at a desk for about nine hours a day.",
                    "My job is at a desk all day.",
                ),
                (
                    "Are standing desks worth it? I sit at my desk nine hours a day and my hips are tight.",
                    "How do I remember to take breaks at a desk job? I sit for hours without moving.",
                    "Stretches for people who sit at a desk all day? My desk job leaves me stiff.",
                ),
                tags="employed",
                conflicts="retired",
            ),
        ),
        facet(
            "likes",
            "taste",
            "exercise I enjoy or hate: gym, swimming, walking",
            fact(
                "hates_gym",
                "Exercise outside the gym",
                "The user hates gyms, so suggestions should be outdoors or at home.",
                "hates gyms",
                (
                    "I hate gyms with a passion.",
                    "Gyms are not for me, I've tried.",
                ),
                (
                    "Why do I feel so uncomfortable at the gym? I've tried three gyms and hated all of them.",
                    "Is it possible to get fit without a gym? I hate the gym atmosphere.",
                    "How do people stay fit without a gym? I hate gyms and won't go back.",
                ),
            ),
            fact(
                "swimming",
                "Swimming as the preferred exercise",
                "The user loves swimming and has a pool nearby.",
                "loves swimming, pool nearby",
                (
                    "The one exercise I enjoy is swimming, and there's a pool near me.",
                    "I love swimming; there's a pool ten minutes away.",
                ),
                (
                    "How do I stop chlorine from drying my skin? I go swimming at the pool a few times a "
                    "week.",
                    "Best goggles for swimming laps? My pool is ten minutes from home.",
                    "How many swimming laps is a good workout? I swim at the local pool most weeks.",
                ),
            ),
        ),
    ),
    fillers(
        "Is it bad to drink water right before bed? I wake up at night {a lot|sometimes}.",
        "How many steps a day is actually healthy? My phone says {4,000|5,000} on average.",
        "Are multivitamins worth taking? I'm not sure they do anything.",
        "Why do I get a headache on weekends when I sleep in?",
        "How often should I replace my pillow?",
        "Is it normal to feel sleepy after lunch every day?",
        "How do I build a habit that sticks? I always drop new routines after {a week|ten days}.",
        "Do meditation apps actually help with stress?",
        "Is it bad to skip breakfast?",
        "How long should a nap be to avoid grogginess?",
        "Do cold showers actually do anything?",
        "Why do I crave sugar in the afternoon?",
    ),
)
