"""Study domain (Society_and_Culture): studying for exams and courses."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "study",
    LAMPQA_CATEGORIES[2],
    (
        need(
            "How should I study for my {final exams|upcoming exams}?",
            "Exams are coming up and my usual way of studying isn't working.",
            "I need a better plan for my exams than cramming the night before.",
        ),
        need(
            "How can I study more effectively this semester?",
            "I spend a lot of hours studying but get little out of them.",
        ),
        need(
            "How do I prepare for a big exam?",
            "I have an important exam ahead and want to prepare properly.",
        ),
    ),
    (
        facet(
            "subject",
            "subject",
            "what I'm studying: course, subject, anatomy, statistics",
            fact(
                "anatomy",
                "Memorization-heavy anatomy course",
                "The user is studying anatomy, which is mostly memorizing large amounts of terms.",
                "studying anatomy (heavy memorization)",
                (
                    "The course is anatomy, so it's a mountain of terms to memorize.",
                    "I'm studying anatomy and the memorization is endless.",
                ),
                (
                    "How do medical students memorize so much? My anatomy course has hundreds of terms every "
                    "week.",
                    "Best anatomy atlas for students? The memorization in anatomy is brutal.",
                    "Flashcards or diagrams for anatomy? The memorization in my anatomy course is huge.",
                ),
                tags="student",
                conflicts="retired",
            ),
            fact(
                "statistics",
                "Problem-based statistics course",
                "The user is studying statistics, where practice problems matter more than rereading.",
                "studying statistics",
                (
                    "My exam is in statistics.",
                    "The subject is statistics, which I find really hard.",
                ),
                (
                    "Why is statistics so confusing? I understand the lecture and then can't solve a single "
                    "problem.",
                    "Is R or Python better for statistics homework? My statistics course allows both.",
                    "Good YouTube channels for statistics? My statistics course moves too fast.",
                ),
                tags="student",
                conflicts="retired",
            ),
        ),
        facet(
            "work",
            "work",
            "a job alongside studying: hours per week",
            fact(
                "part_time_job",
                "Working {hours} hours a week alongside studying",
                "The user works {hours} hours a week, so study time is limited and fragmented.",
                "works {hours} hours a week alongside studies",
                (
                    "I also work {hours} hours a week to pay rent.",
                    "On top of classes I have a {hours}-hour-a-week job.",
                ),
                (
                    "How do students manage a job and classes? I work {hours} hours a week in a "
                    "{café|supermarket} "
                    "and I'm always tired.",
                    "Can my employer make me work during exam week? I work {hours} hours a week.",
                    "How many hours can a student work without grades suffering? I work {hours} hours a "
                    "week.",
                ),
                slots={"hours": ("15", "20", "25")},
                tags="employed",
                conflicts="retired",
            ),
        ),
        facet(
            "learning",
            "health",
            "how I learn and focus: ADHD, dyslexia, reading",
            fact(
                "adhd",
                "Studying with ADHD (short focus)",
                "The user has ADHD, so long study blocks don't work.",
                "has ADHD: short focus spans",
                (
                    "I have ADHD, so sitting down for hours just doesn't happen.",
                    "With my ADHD, long study sessions are impossible.",
                ),
                (
                    "Do adults with ADHD need medication? I was diagnosed with ADHD {at 19|last year} and "
                    "struggle to focus.",
                    "Best apps for focus with ADHD? I can't concentrate for more than 20 minutes.",
                    "Body doubling for ADHD: does it work? I have ADHD and can't start studying alone.",
                ),
            ),
            fact(
                "dyslexia",
                "Audio-friendly study with dyslexia",
                "The user has dyslexia, so heavy reading is slow and audio helps.",
                "dyslexia: reading is slow, audio helps",
                (
                    "I have dyslexia, so reading long texts takes me forever.",
                    "Dyslexia makes heavy reading really slow for me.",
                ),
                (
                    "Can you get extra exam time for dyslexia? Reading questions takes me ages.",
                    "Best text-to-speech tools for dyslexia? Reading articles is exhausting.",
                    "Do audiobooks count as studying with dyslexia? Reading textbooks takes me forever.",
                ),
            ),
        ),
        facet(
            "environment",
            "home",
            "where I study: shared house, noisy roommates, train commute",
            fact(
                "noisy_house",
                "Studying in a noisy shared house",
                "The user lives in a noisy shared house with no quiet place to study.",
                "lives in a noisy shared house",
                (
                    "I live in a noisy shared house with {four|five} roommates.",
                    "My shared house is loud at all hours.",
                ),
                (
                    "How do I deal with noisy roommates? Our shared house is loud until 2am.",
                    "Are noise-cancelling headphones worth it? My shared house is never quiet.",
                    "Where can I study when my shared house is noisy? The library closes early.",
                ),
                tags="renter",
                conflicts="homeowner lives_alone",
            ),
            fact(
                "train",
                "Studying on a {minutes}-minute train commute",
                "Most of the user's study time is on a {minutes}-minute train commute.",
                "studies on a {minutes}-minute train commute",
                (
                    "Most of my study time is on the train, {minutes} minutes each way.",
                    "I commute {minutes} minutes by train and that's when I study.",
                ),
                (
                    "How do I make a long train commute productive? I spend {minutes} minutes on the train "
                    "each "
                    "way.",
                    "Is a monthly train pass worth it? My commute is {minutes} minutes each way.",
                    "Is it bad for your eyes to read on a moving train? I study on my {minutes}-minute "
                    "train commute.",
                ),
                slots={"minutes": ("40", "50", "60")},
                tags="no_car",
                conflicts="car",
            ),
        ),
        facet(
            "deadline",
            "time",
            "how many weeks until the exam",
            fact(
                "weeks",
                "Exam in {weeks} weeks",
                "The exam is in {weeks} weeks, so the plan must fit that time.",
                "exam in {weeks} weeks",
                (
                    "The exam is in {weeks} weeks.",
                    "I have {weeks} weeks until the exam.",
                ),
                (
                    "How do I stop panicking about an exam in {weeks} weeks? I can't sleep.",
                    "Is {weeks} weeks enough to prepare for a big exam? Mine is coming up fast.",
                    "How many hours a day should I study with {weeks} weeks left before the exam?",
                ),
                slots={"weeks": ("three", "five", "six")},
            ),
        ),
        facet(
            "stage",
            "life_stage",
            "my age and background as a student: returning student",
            fact(
                "returning",
                "Returning student at {age}",
                "The user is back in education at {age} after years away from studying.",
                "returning student at {age}",
                (
                    "I'm {age} and back at school after many years.",
                    "I went back to studying at {age}.",
                ),
                (
                    "Is it weird to go back to university at {age}? Everyone in my classes is twenty.",
                    "How do older students make friends on campus? I'm {age}.",
                    "How do returning students catch up on study skills? I'm {age} and back in education.",
                ),
                slots={"age": ("38", "42", "45")},
                tags="student",
                conflicts="retired",
            ),
        ),
    ),
    fillers(
        "How do I cite a website in APA style?",
        "Is it better to take notes by hand or on a laptop?",
        "How do I email a professor without sounding rude?",
        "What's the best way to back up my essays? I lost a draft {once|last term}.",
        "How do group projects get graded fairly when someone does nothing?",
        "Is it worth buying textbooks or renting them?",
        "How do I ask for an extension on an assignment?",
        "What's a good way to organize files for different courses?",
        "What's the Pomodoro technique and does it work?",
        "How do I stop procrastinating on essays?",
        "Is highlighting textbooks actually useful?",
        "How do I write a good thesis statement?",
    ),
    tags="student",
)
