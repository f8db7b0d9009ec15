"""Careers domain (Lifestyle_and_Personal_Development): work and career moves."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "careers",
    LAMPQA_CATEGORIES[1],
    (
        need(
            "How should I prepare for a career change this year?",
            "I've been thinking about a career change for a while and want to do it this year.",
            "I feel stuck in my job and I'm planning a change.",
        ),
        need(
            "What should I do to move my career forward?",
            "My career has stalled and I want a plan to move forward.",
        ),
        need(
            "How do I make my job applications stand out?",
            "I've sent out applications for months with little response.",
        ),
    ),
    (
        facet(
            "current",
            "job",
            "my current job and years of experience: teacher, nurse",
            fact(
                "teacher",
                "Moving on from {years} years as a teacher",
                "The user has been a {subject} teacher for {years} years, so their skills should be "
                "translated.",
                "{subject} teacher for {years} years",
                (
                    "I've been a {subject} teacher for {years} years.",
                    "For the last {years} years I've taught {subject} at a secondary school.",
                ),
                (
                    "How do teachers avoid burnout? I've taught {subject} for {years} years and marking "
                    "eats my "
                    "weekends.",
                    "Do teachers get paid for summer? After {years} years teaching {subject} I still don't "
                    "understand my contract.",
                    "Which jobs value teaching experience? I've been a {subject} teacher for {years} years.",
                ),
                slots={"subject": ("math", "history", "chemistry"), "years": ("eight", "ten", "twelve")},
                tags="employed",
                conflicts="retired student",
            ),
            fact(
                "nurse",
                "Leaving bedside nursing after {years} years",
                "The user has been a hospital nurse for {years} years and wants to use that experience.",
                "hospital nurse for {years} years",
                (
                    "I've worked as a hospital nurse for {years} years.",
                    "My background is {years} years of nursing on a hospital ward.",
                ),
                (
                    "How do nurses cope with twelve-hour shifts? I've been a hospital nurse for {years} "
                    "years "
                    "and it's getting harder.",
                    "Do nurses need to renew their license often? I've been nursing for {years} years.",
                    "Non-clinical jobs for nurses? After {years} years of hospital nursing I'm exhausted.",
                ),
                slots={"years": ("six", "nine", "eleven")},
                tags="employed",
                conflicts="retired student",
            ),
        ),
        facet(
            "goal",
            "goal",
            "where I want my career to go: new field, UX design, remote work",
            fact(
                "ux",
                "Switching into UX design",
                "The user wants to move into UX design.",
                "wants to move into UX design",
                (
                    "The field I want to get into is UX design.",
                    "I'm aiming for a job in UX design.",
                ),
                (
                    "Are UX design bootcamps worth it? I've been reading about UX design every evening.",
                    "What does a UX designer actually do all day? I'm fascinated by UX design.",
                    "Do I need to learn coding for UX design? I'm planning a move into UX.",
                ),
            ),
            fact(
                "remote",
                "Fully remote work",
                "The user wants a fully remote job.",
                "wants a fully remote job",
                (
                    "I really want a fully remote job.",
                    "Remote work is a must for me now.",
                ),
                (
                    "How do remote workers avoid loneliness? I'm trying to move to fully remote work.",
                    "Best home office setup for remote work? I'm preparing for a remote job.",
                    "How do I spot remote job scams? I'm applying only for fully remote work.",
                ),
            ),
        ),
        facet(
            "constraint",
            "family",
            "family constraints on work: relocate, caring for a parent, childcare, part-time",
            fact(
                "no_relocation",
                "Can't relocate (caring for a parent)",
                "The user cares for a parent and cannot move cities.",
                "can't relocate: cares for a parent",
                (
                    "I can't move anywhere because I take care of my {parent}.",
                    "Relocating isn't possible; my {parent} depends on me.",
                ),
                (
                    "How do carers balance a job and caring for a parent? My {parent} needs daily help "
                    "and I can't move away.",
                    "Is there support for people caring for a parent? I'm exhausted.",
                    "Can caring for a parent count as a career gap? I look after my {parent} and can't "
                    "relocate.",
                ),
                slots={"parent": ("mother", "father")},
            ),
            fact(
                "part_time",
                "Part-time hours around childcare",
                "The user needs part-time hours because of childcare.",
                "needs part-time hours for childcare",
                (
                    "I can only work part-time because of childcare.",
                    "With the kids, part-time is all I can manage.",
                ),
                (
                    "How much does childcare cost? It's so expensive that only part-time work makes sense "
                    "for me.",
                    "Do part-time workers get promoted? I work part-time around childcare.",
                    "Are part-time jobs with good pay rare? I need part-time hours because of childcare.",
                ),
                tags="kids",
                conflicts="lives_alone",
            ),
        ),
        facet(
            "education",
            "skill",
            "my education: university degree, certifications",
            fact(
                "no_degree",
                "No university degree",
                "The user has no degree, so paths that require one are closed or need workarounds.",
                "no university degree",
                (
                    "I don't have a university degree.",
                    "I never finished university, so I have no degree.",
                ),
                (
                    "Is it too late to get a degree at {35|40}? I never went to university and it holds me "
                    "back.",
                    "Jobs that don't require a degree but pay well? I don't have a university degree.",
                    "Do certifications replace a university degree? I have no degree.",
                ),
            ),
        ),
        facet(
            "wellbeing",
            "health",
            "my health and energy at work: burnout, stress",
            fact(
                "burnout",
                "Avoiding another burnout",
                "The user is recovering from burnout and needs a sustainable pace.",
                "recovering from burnout",
                (
                    "I'm recovering from burnout.",
                    "I burned out {when} and I'm still recovering.",
                ),
                (
                    "How long does it take to recover from burnout? I burned out {when} and "
                    "still feel exhausted.",
                    "Signs of burnout coming back? I'm scared of burning out again.",
                    "How do I tell a new employer about burnout? I'm recovering from burnout.",
                ),
                slots={"when": ("last year", "a few months ago", "in the spring")},
            ),
        ),
        facet(
            "language",
            "language",
            "language at work: English, non-native speaker",
            fact(
                "non_native",
                "Applying in English as a non-native speaker",
                "English is not the user's first language, which affects interviews and applications.",
                "non-native English speaker",
                (
                    "English isn't my first language, so interviews make me nervous.",
                    "I'm a non-native English speaker.",
                ),
                (
                    "How do I lose my accent in English? I'm a non-native speaker and feel judged at work.",
                    "Best way to practice English for meetings? It's not my first language.",
                    "How do I sound confident in English interviews as a non-native speaker? My grammar "
                    "slips when nervous.",
                ),
            ),
        ),
    ),
    fillers(
        "How long should a cover letter be? Mine always ends up {two pages|too long}.",
        "Is it okay to leave a job off my CV?",
        "How do I answer 'what's your biggest weakness'?",
        "What's the etiquette for following up after an interview?",
        "How do I ask for a reference from a former manager I haven't talked to in years?",
        "Is LinkedIn actually useful for finding jobs?",
        "How do I negotiate salary without sounding greedy?",
        "What should I wear to a video interview?",
        "How do I write a good LinkedIn headline?",
        "Is it okay to ask about salary in the first interview?",
        "How do I politely decline a job offer?",
        "What should I put in a 30-60-90 day plan?",
    ),
)
