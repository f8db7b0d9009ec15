"""Photography domain (Art_and_Entertainment): improving as a photographer."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "photography",
    LAMPQA_CATEGORIES[0],
    (
        need(
            "How can I get better at photography?",
            "I take a lot of photos but very few of them look the way I imagined.",
            "Photography has become my main hobby and I want to improve properly.",
        ),
        need(
            "What should I practice to improve my photos {this month|this season}?",
            "I'd like a focused practice plan for my photography.",
        ),
        need(
            "Which photography skills should I learn first?",
            "I'm overwhelmed by all the photography tutorials out there and don't know where to start.",
        ),
    ),
    (
        facet(
            "gear",
            "equipment",
            "my camera gear: phone, DSLR, mirrorless, kit lens",
            fact(
                "phone",
                "Shooting with a phone only ({phone})",
                "The user only has a phone camera, so advice about lenses and manual dials doesn't apply.",
                "shoots only with a phone ({phone})",
                (
                    "I don't own a camera; everything is shot on my {phone}.",
                    "All I have is the camera on my {phone}.",
                ),
                (
                    "Is it worth buying a camera when phones are so good? I shoot everything on my {phone} "
                    "and wonder what I'm missing.",
                    "How do I clean a phone camera lens? Photos from my {phone} have started looking hazy.",
                    "Best tripod mount for a {phone}? My phone is my only camera and I want sharper night "
                    "shots.",
                ),
                slots={"phone": ("iPhone 12", "Pixel 7", "Galaxy S21")},
            ),
            fact(
                "dslr_kit",
                "Entry-level DSLR with the kit lens",
                "The user has an entry-level DSLR with its kit lens, so advice should make the most of that "
                "gear.",
                "entry-level DSLR with the 18-55mm kit lens",
                (
                    "I have an entry-level DSLR with just the kit lens.",
                    "My camera is a basic DSLR and I still only have the 18-55mm kit lens.",
                ),
                (
                    "Is the 18-55mm kit lens really that bad? I bought an entry-level DSLR {last "
                    "year|second-hand} "
                    "and only have the kit lens.",
                    "How do I clean a DSLR sensor? There are spots on every photo from my entry-level DSLR.",
                    "Which first lens after the kit lens? I have an entry-level DSLR and the 18-55mm feels "
                    "limiting.",
                ),
            ),
        ),
        facet(
            "subject",
            "taste",
            "what I photograph: birds, wildlife, night sky, kids, portraits",
            fact(
                "birds",
                "Bird and wildlife photography",
                "The user mostly wants to photograph birds and wildlife, which needs specific technique.",
                "loves photographing birds and wildlife",
                (
                    "What I really want to photograph is birds and wildlife.",
                    "Most of my shooting is birds at the lake and wildlife on hikes.",
                ),
                (
                    "How do I identify the birds I photograph? I've been spending my days off doing bird "
                    "photography at a {lake|nature reserve} near me.",
                    "Ethics of wildlife photography? I don't want to disturb the birds and animals I shoot.",
                    "Best time of day to see birds? I've started bird photography and wildlife walks on my "
                    "days off.",
                ),
            ),
            fact(
                "night_sky",
                "Night sky and astrophotography",
                "The user is drawn to the night sky and astrophotography, which has its own settings.",
                "wants to photograph the night sky and stars",
                (
                    "I'm really drawn to photographing the night sky.",
                    "Stars and the Milky Way are what I dream of capturing.",
                ),
                (
                    "Where can I find dark skies for astrophotography? Light pollution ruins every night sky "
                    "photo I try near the city.",
                    "Best apps to plan night sky photos? I want to catch the Milky Way {this summer|in "
                    "August}.",
                    "How do I find the Milky Way in the night sky? I want to try astrophotography this year.",
                ),
            ),
            fact(
                "portraits_kids",
                "Portraits of their kids",
                "The user mainly photographs their fast-moving kids, so focus and speed tips matter.",
                "mostly photographs their young kids",
                (
                    "Mostly I want nice photos of my kids, who never sit still.",
                    "My main subjects are my two kids.",
                ),
                (
                    "How do professional photographers get kids to smile naturally? My kids freeze every "
                    "time "
                    "I point a camera at them.",
                    "How do I print a photo book of my kids? I have thousands of photos and no albums.",
                    "How do I get sharp photos of kids who never stop moving? My kids are my favorite "
                    "subjects.",
                ),
                tags="kids",
                conflicts="lives_alone",
            ),
        ),
        facet(
            "budget",
            "budget",
            "how much I can spend on camera gear, budget",
            fact(
                "budget",
                "Gear budget of ${amount}",
                "The user can spend at most ${amount} on photography this year.",
                "gear budget of about ${amount}",
                (
                    "My budget for any new gear is about ${amount}.",
                    "I can spend around ${amount}, not more.",
                ),
                (
                    "Is used camera gear risky? I only have ${amount} to spend on photography this year.",
                    "What gives the biggest jump in photo quality for ${amount}? That's my whole gear "
                    "budget.",
                    "What camera accessories are worth it on a ${amount} budget? That's all I can spend "
                    "this year.",
                ),
                slots={"amount": ("150", "200", "300")},
            ),
        ),
        facet(
            "body",
            "health",
            "physical limits when shooting: shaky hands, tremor, back pain, heavy gear",
            fact(
                "tremor",
                "Steadying shaky hands (tremor)",
                "The user has a hand tremor, so blur from camera shake is a constant problem.",
                "has a hand tremor",
                (
                    "I have a slight tremor in my hands, so blur is a constant fight.",
                    "My hands shake a little (a tremor), which ruins a lot of shots.",
                ),
                (
                    "Tips for living with an essential tremor? My hands shake when I hold things still, like "
                    "a cup or a camera.",
                    "Do image stabilization features help with a tremor? My shaky hands blur my photos.",
                    "Is there a tremor-friendly way to hold a phone or camera? My hands shake and it blurs "
                    "my shots.",
                ),
            ),
            fact(
                "back",
                "Lightweight kit for a bad back",
                "The user has a bad back and can't carry heavy bags or tripods for long.",
                "bad back: can't carry heavy gear",
                (
                    "I have a bad back, so carrying heavy gear around isn't an option.",
                    "Because of my back I need to travel light.",
                ),
                (
                    "Best backpack for a bad back? After my {disc problem|back surgery} I can't carry much "
                    "weight "
                    "for long.",
                    "Exercises for lower back pain from carrying bags? My bad back flares up after long "
                    "walks "
                    "with a backpack.",
                    "Lightweight travel gear for a bad back? I can't carry heavy bags since my back "
                    "problems started.",
                ),
            ),
        ),
        facet(
            "editing",
            "equipment",
            "how I edit photos: computer, phone, tablet",
            fact(
                "no_computer",
                "Editing on the phone (no computer)",
                "The user has no computer for editing, so any editing workflow must run on a phone or "
                "tablet.",
                "no computer: edits on phone or tablet",
                (
                    "I don't have a computer, so any editing has to happen on my phone or tablet.",
                    "There's no computer at home; I edit on a tablet.",
                ),
                (
                    "Can a tablet replace a computer? I don't own a computer anymore and do everything on my "
                    "tablet and phone.",
                    "Best photo editing apps on a tablet? I have no computer.",
                    "Can I do serious photo editing without a computer? I only have a phone and an old "
                    "tablet.",
                ),
            ),
        ),
        facet(
            "climate",
            "climate",
            "the weather where I shoot: rain, heat, cold",
            fact(
                "rainy",
                "Protecting gear in constant rain",
                "It rains most of the year where the user lives, so weather protection matters.",
                "lives somewhere it rains most of the year",
                (
                    "It rains most of the year where I live.",
                    "Where I live it's rainy and grey for months.",
                ),
                (
                    "How do people cope with endless rain? It rains most of the year here and I get "
                    "cabin fever by February.",
                    "Best rain jacket for daily use? Where I live the rain basically never stops from "
                    "October "
                    "to April.",
                    "Do rain covers for bags really work? It rains constantly here, most months of the year.",
                ),
                tags="climate_rainy",
                conflicts="climate_hot",
            ),
        ),
    ),
    fillers(
        "What does the 'rule of thirds' actually mean? Every tutorial mentions it.",
        "How do I back up thousands of photos? My {phone|laptop} storage is full.",
        "Why do my indoor photos look orange? The colors are off under {lamps|evening light}.",
        "What is RAW format and should I use it? My camera has a setting for it.",
        "How do I print photos so the colors match the screen? My prints come out {darker|duller}.",
        "Is it legal to photograph strangers in public? I want to try {street|candid} shots.",
        "How do I make a simple photo portfolio website? I want to share a few {albums|series}.",
        "Why are my sunset photos always too dark or too bright?",
        "What does 'golden hour' mean exactly?",
        "How do I remove dust spots in editing? They show up in {skies|bright areas}.",
        "Why do my photos look different on my phone and on my laptop?",
        "How do photographers get that blurry background?",
    ),
)
