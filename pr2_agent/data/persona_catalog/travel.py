"""Travel domain (Lifestyle_and_Personal_Development): planning a holiday."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "travel",
    LAMPQA_CATEGORIES[1],
    (
        need(
            "Where should I go for a {week-long|ten-day} vacation {in spring|this autumn}?",
            "I finally have some vacation days and want to plan a proper trip.",
            "I'm trying to decide where to go on my next vacation.",
        ),
        need(
            "Can you help me plan a long weekend trip?",
            "I have a long weekend coming up and want to get away somewhere.",
        ),
        need(
            "What kind of trip should I book for my next holiday?",
            "I want my next holiday to be a good one and I'm open to ideas.",
        ),
    ),
    (
        facet(
            "budget",
            "budget",
            "my travel budget for the whole trip",
            fact(
                "budget",
                "Total budget around ${amount}",
                "The user can spend about ${amount} in total, including transport and lodging.",
                "total trip budget of about ${amount}",
                (
                    "My total budget is around ${amount}, transport included.",
                    "I can spend roughly ${amount} on the whole trip.",
                ),
                (
                    "How do people travel cheaply in Europe? I've saved ${amount} for a trip this year and "
                    "that has to cover everything.",
                    "Are hostels worth it for adults? My whole travel budget is about ${amount}.",
                    "How do you track spending on a trip? My budget for the whole vacation is ${amount}.",
                ),
                slots={"amount": ("800", "1,000", "1,500")},
            ),
        ),
        facet(
            "companions",
            "family",
            "who travels with me: toddler, kids, elderly parent, partner",
            fact(
                "toddler",
                "Traveling with a toddler",
                "The user travels with a {age}-year-old, so naps, short transfers and kid-friendly places "
                "matter.",
                "traveling with a {age}-year-old toddler",
                (
                    "Our {age}-year-old is coming with us.",
                    "We'll be traveling with our toddler, who is {age}.",
                ),
                (
                    "How do you survive long journeys with a toddler? Our {age}-year-old can't sit still "
                    "for more than ten minutes.",
                    "Is a travel stroller worth it for a {age}-year-old? Our toddler still naps every "
                    "afternoon.",
                    "Best car seat for travel with a {age}-year-old? We want to take our toddler on more "
                    "trips.",
                ),
                slots={"age": ("two", "three")},
                tags="kids",
                conflicts="lives_alone",
            ),
            fact(
                "elderly_parent",
                "Traveling with an elderly parent",
                "The user's {parent}, who is over eighty, is coming, so pace and comfort must suit them.",
                "traveling with an elderly {parent} over eighty",
                (
                    "I'm bringing my {parent}, who is over eighty.",
                    "My elderly {parent} will travel with me.",
                ),
                (
                    "How do I help my elderly {parent} stay active? My {parent} is over eighty now and walks "
                    "with a cane.",
                    "Travel insurance for someone over eighty? I'm planning a trip with my elderly {parent}.",
                    "How do I plan rest stops for an elderly {parent}? I'm planning a trip with my {parent}, "
                    "who tires quickly.",
                ),
                slots={"parent": ("mother", "father")},
            ),
        ),
        facet(
            "mobility",
            "health",
            "health limits when traveling: knees, walking, stairs, seasick, boats",
            fact(
                "knees",
                "Limited walking and few stairs (bad knees)",
                "The user has bad knees, so long walks, hills and stairs are a problem.",
                "bad knees: little walking, few stairs",
                (
                    "My knees are bad, so I can't do long walks or many stairs.",
                    "Stairs and hills are hard on my knees these days.",
                ),
                (
                    "Do knee braces help on stairs? My knees are bad and stairs or hills hurt for days "
                    "after.",
                    "Low-impact exercise for bad knees? My doctor says walking is fine but stairs are not.",
                    "Do walking poles help bad knees? Stairs and long walks are hard for me now.",
                ),
                tags="knee",
                conflicts="runner",
            ),
            fact(
                "seasick",
                "No boats (gets seasick)",
                "The user gets badly seasick, so ferries, cruises and boat tours are out.",
                "gets seasick: avoid boats and ferries",
                (
                    "I get terribly seasick, so no boats please.",
                    "Boats are out for me; I get seasick within minutes.",
                ),
                (
                    "Do seasickness bands work? I get seasick even on short ferry rides.",
                    "Why do some people get seasick and others don't? A boat trip ruined my last vacation.",
                    "Is there medicine for seasickness that doesn't make you sleepy? I get seasick even on "
                    "calm water.",
                ),
            ),
        ),
        facet(
            "diet",
            "diet",
            "food restrictions abroad: celiac, gluten-free, vegan, vegetarian, allergies",
            fact(
                "celiac",
                "Safe gluten-free food (celiac disease)",
                "The user has celiac disease, so finding safe gluten-free food abroad matters.",
                "celiac disease: needs safe gluten-free food",
                (
                    "I have celiac disease, so eating out is always a challenge.",
                    "Finding gluten-free food is essential for me because of celiac disease.",
                ),
                (
                    "How do I explain celiac disease to waiters abroad? Even a little gluten makes me sick "
                    "for days.",
                    "Gluten-free snacks that travel well? I have celiac disease and never trust food at "
                    "stations or rest stops.",
                    "Is rice always gluten-free? With celiac disease I'm never sure what's safe in "
                    "restaurants.",
                ),
                tags="celiac",
            ),
            fact(
                "vegan",
                "Vegan-friendly food options",
                "The user is vegan, so destinations with easy vegan food are better.",
                "vegan: no animal products",
                (
                    "I'm vegan, so food options matter a lot to me.",
                    "As a vegan, I need places where I won't live on fries.",
                ),
                (
                    "How do vegans get enough B12? I went vegan {last year|two years ago} and want to do it "
                    "right.",
                    "Vegan cheese that actually melts? I've been vegan for a while and miss pizza.",
                    "How do vegans handle long journeys? Vegan food at rest stops is always a gamble.",
                ),
                tags="vegan vegetarian",
                conflicts="eats_meat lactose",
            ),
        ),
        facet(
            "climate",
            "climate",
            "weather I like or can't stand: heat, beach, warm water, cold",
            fact(
                "hates_heat",
                "Mild weather (can't stand heat)",
                "The user feels awful in heat above about 25°C, so hot destinations or seasons are out.",
                "can't stand heat above about 25°C",
                (
                    "I really can't handle heat; anything above 25°C and I'm miserable.",
                    "Hot weather makes me feel ill.",
                ),
                (
                    "Why do I feel so ill in hot weather? Anything above 25°C and I get headaches and can't "
                    "sleep.",
                    "How do I keep cool in summer without AC? Heat makes me miserable.",
                    "Best fan for a bedroom in summer? I can't stand heat and sleep badly above 25°C.",
                ),
            ),
            fact(
                "beach",
                "Warm beach with swimmable water",
                "The user wants warm weather and a beach where they can swim.",
                "wants a warm beach to swim",
                (
                    "What I'm craving is a warm beach where I can swim.",
                    "I want sun, sand and warm water.",
                ),
                (
                    "Best snorkeling gear for beginners? I love swimming at the beach and want to see fish.",
                    "How do I avoid sunburn at the beach? I spend whole days swimming in warm water.",
                    "Which beaches have warm water in {October|April}? I love swimming and a beach holiday "
                    "is my idea of heaven.",
                ),
            ),
        ),
        facet(
            "interests",
            "taste",
            "what I enjoy on trips: hiking, nature, museums, history, food",
            fact(
                "hiking",
                "Hiking and nature",
                "The user loves hiking and would rather be in nature than in cities.",
                "loves hiking and nature",
                (
                    "My favorite thing on any trip is hiking in nature.",
                    "I'd rather hike a mountain than see a city.",
                ),
                (
                    "Best hiking boots for wide feet? I go hiking whenever I can and my boots pinch.",
                    "How do I plan a multi-day hike? I love nature and want to try sleeping in huts.",
                    "Do I need a GPS for hiking or is a phone enough? I go hiking in nature whenever I can.",
                ),
            ),
            fact(
                "museums",
                "Museums and history",
                "The user loves museums and history, so cities with great collections and old towns fit.",
                "loves museums and history",
                (
                    "I'm a huge history nerd and could spend days in museums.",
                    "Museums and historic sites are what I travel for.",
                ),
                (
                    "How do you avoid museum fatigue? I love history museums but after three hours I'm done.",
                    "Good history podcasts? I love museums and anything about {ancient Rome|medieval "
                    "Europe}.",
                    "Are museum passes worth it? I visit history museums in every city I go to.",
                ),
            ),
        ),
        facet(
            "transport",
            "transport",
            "how I can travel: flying, fear of flying, trains, car, driving license",
            fact(
                "no_flying",
                "Reachable without flying (fear of flying)",
                "The user is afraid of flying, so the destination must be reachable by train, bus or car.",
                "afraid of flying: train or road only",
                (
                    "I'm afraid of flying, so I need somewhere I can reach by train or car.",
                    "Flying terrifies me; trains are my thing.",
                ),
                (
                    "Do fear of flying courses work? I'm so afraid of flying that I haven't been on a plane "
                    "in {eight|ten} years.",
                    "Longest train journeys in Europe? I'm afraid of flying and love trains anyway.",
                    "Is it unreasonable to refuse to fly? My fear of flying means I take trains even for "
                    "long trips.",
                ),
                conflicts="flies",
            ),
            fact(
                "no_license",
                "No car rental (no driving license)",
                "The user doesn't have a driving license, so places needing a rental car are hard.",
                "no driving license: public transport only",
                (
                    "I don't have a driving license, so renting a car isn't an option.",
                    "I can't drive, so it has to work with public transport.",
                ),
                (
                    "Is it too late to get a driving license at {35|40}? I never learned and rely on public "
                    "transport.",
                    "How do people without a driving license get around in the countryside?",
                    "Can you rent bikes or scooters without a driving license? I never got a license.",
                ),
                tags="no_car",
                conflicts="car",
            ),
        ),
    ),
    fillers(
        ("How early should I get to the airport for an international flight?", "flies"),
        "Is travel insurance worth it? I've never bought it {before|for short trips}.",
        "How do I avoid roaming charges abroad? My last phone bill was {huge|a shock}.",
        "Best way to pack a carry-on for a week? I always overpack.",
        ("How do I deal with jet lag? I'm useless for {days|the first three days}.", "flies"),
        "Is it rude not to tip abroad? Customs seem so different everywhere.",
        "What's the best way to carry money abroad? Cards, cash or both?",
        "How do I find out if I need a visa? The official sites are confusing.",
        "How do I keep my valuables safe in a hostel? I'm worried about my {laptop|passport}.",
        ("How do I find cheap flights? Prices change every time I {search|refresh}.", "flies"),
        "Is it safe to drink tap water in most of Europe?",
        ("How do I avoid losing luggage on connecting flights?", "flies"),
        "What's the best way to learn a few phrases before a trip?",
    ),
)
