"""Personal finance domain (Society_and_Culture): saving, debt and investing."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "personal_finance",
    LAMPQA_CATEGORIES[2],
    (
        need(
            "How should I {start|get serious about} saving money?",
            "I've never really saved money and I want to change that.",
            "Every month my money just disappears and I want a real savings plan.",
        ),
        need(
            "What should I do with my savings?",
            "I have some savings sitting in a checking account and I don't know what to do with them.",
        ),
        need(
            "How can I get my finances in order this year?",
            "My finances are a mess and this is the year I sort them out.",
        ),
    ),
    (
        facet(
            "debt",
            "debt",
            "debts I have: credit card debt, student loans",
            fact(
                "credit_card",
                "Paying off ${amount} of credit card debt",
                "The user has ${amount} of high-interest credit card debt, which usually comes before "
                "investing.",
                "${amount} of credit card debt",
                (
                    "I still owe about ${amount} on my credit cards.",
                    "There's ${amount} of credit card debt hanging over me.",
                ),
                (
                    "Is a balance transfer a good idea? I have ${amount} of credit card debt at {22|24}% "
                    "interest.",
                    "How did you pay off credit card debt? Mine is ${amount} and the interest keeps growing.",
                    "Avalanche or snowball for credit card debt? I owe ${amount} across two cards.",
                ),
                slots={"amount": ("4,000", "6,500", "9,000")},
            ),
            fact(
                "student_loans",
                "Student loans of ${amount}",
                "The user has ${amount} in student loans.",
                "${amount} in student loans",
                (
                    "I have about ${amount} left in student loans.",
                    "My student loans add up to roughly ${amount}.",
                ),
                (
                    "Should I pay student loans early? I still owe ${amount} and the interest rate is "
                    "{4|5}%.",
                    "Can student loans be refinanced? I have ${amount} left.",
                    "Do student loans affect getting a mortgage? I have ${amount} of student loans.",
                ),
                slots={"amount": ("18,000", "27,000", "35,000")},
            ),
        ),
        facet(
            "income",
            "income",
            "how I earn money: freelance, irregular income, salary, employer match",
            fact(
                "freelance",
                "Irregular freelance income",
                "The user is a freelancer with irregular monthly income, so plans must handle lean months.",
                "irregular freelance income",
                (
                    "I'm a freelancer, so my income changes a lot month to month.",
                    "My income is irregular; I freelance as a {designer|translator|photographer}.",
                ),
                (
                    "How do freelancers handle taxes? My freelance income is irregular and I always panic in "
                    "April.",
                    "How do I find more freelance clients? Some months my income drops to almost nothing.",
                    "How much should freelancers keep as a buffer? My freelance income swings wildly.",
                ),
                tags="employed",
                conflicts="retired",
            ),
            fact(
                "employer_match",
                "Using the employer retirement match",
                "The user's employer matches retirement contributions, which is free money not to leave "
                "unused.",
                "employer matches retirement contributions up to {pct}%",
                (
                    "My employer matches retirement contributions up to {pct}%.",
                    "Work offers a {pct}% match on retirement savings.",
                ),
                (
                    "What does an employer match mean exactly? HR said they match retirement contributions "
                    "up "
                    "to {pct}% of salary.",
                    "Is it worth contributing to a retirement plan at {25|28}? My employer matches {pct}%.",
                    "Should I raise my contribution to get the full employer match? My employer matches up "
                    "to {pct}%.",
                ),
                slots={"pct": ("3", "4", "5")},
                tags="employed",
                conflicts="retired",
            ),
        ),
        facet(
            "goal",
            "goal",
            "what I'm saving for: house deposit, wedding, retirement",
            fact(
                "house",
                "Saving a house deposit in {years} years",
                "The user wants to buy a home in {years} years, so that money shouldn't be in risky assets.",
                "saving a house deposit to buy in {years} years",
                (
                    "I want to buy a place in about {years} years.",
                    "The big goal is a house deposit within {years} years.",
                ),
                (
                    "How much deposit do you need for a first home? I want to buy in {years} years and I'm "
                    "renting now.",
                    "Is it better to rent or buy? I'm saving for a house deposit to buy in {years} years.",
                    "Where should I keep a house deposit? I'm saving to buy in {years} years.",
                ),
                slots={"years": ("two", "three", "four")},
                tags="renter",
                conflicts="homeowner",
            ),
            fact(
                "wedding",
                "Paying for a wedding next year",
                "The user is getting married next year and needs cash available.",
                "wedding next year",
                (
                    "We're getting married next year.",
                    "There's a wedding to pay for next year.",
                ),
                (
                    "How much does a small wedding cost? We're getting married next year and want to keep it "
                    "simple.",
                    "How do couples combine finances before the wedding? Ours is next year.",
                    "How do we budget for a wedding without debt? We're getting married next year.",
                ),
                tags="partner",
                conflicts="lives_alone",
            ),
        ),
        facet(
            "risk",
            "risk",
            "how much investment risk I can take: crypto, losses, risk-averse",
            fact(
                "risk_averse",
                "Low-risk options (lost money in crypto)",
                "The user lost money in crypto and is now very risk-averse.",
                "very risk-averse after losing money in crypto",
                (
                    "I lost money in crypto and I'm very risk-averse now.",
                    "After my crypto losses, I want as little risk as possible.",
                ),
                (
                    "Is crypto coming back? I lost a lot of money in crypto in {2022|the crash} and I'm "
                    "still "
                    "upset.",
                    "How do I stop being so risk-averse after a loss? Crypto burned me badly.",
                    "Are government bonds safe? I lost money in crypto and want low-risk options now.",
                ),
            ),
        ),
        facet(
            "country",
            "location",
            "which country I live in for accounts and tax",
            fact(
                "country",
                "Living in {country} (local accounts and tax)",
                "The user lives in {country}, so accounts and tax rules must be the local ones.",
                "lives in {country}",
                (
                    "I live in {country}, if that matters for accounts.",
                    "I'm based in {country}.",
                ),
                (
                    "How do I file taxes for the first time in {country}? I moved here two years ago.",
                    "Cheapest bank in {country} for everyday banking? I live in {country} and the fees add "
                    "up.",
                    "Best savings account in {country}? I live in {country} and the rates confuse me.",
                ),
                slots={"country": ("Canada", "the UK", "Australia", "Germany")},
            ),
        ),
        facet(
            "age",
            "life_stage",
            "my age and life stage: first job, close to retirement",
            fact(
                "near_retirement",
                "Close to retirement at {age}",
                "The user is {age} and close to retirement, so time horizon is short.",
                "age {age}, close to retirement",
                (
                    "I'm {age}, so retirement isn't that far away.",
                    "At {age}, I'm thinking about retirement soon.",
                ),
                (
                    "When should I start drawing my pension? I'm {age} and retirement is getting close.",
                    "How do people plan for retirement at {age}? I feel like I started too late.",
                    "Should I pay off my mortgage before retirement? I'm {age} and retiring soon.",
                ),
                slots={"age": ("57", "59", "61")},
                tags="employed",
                conflicts="student kids",
            ),
            fact(
                "first_job",
                "First full-time job at {age}",
                "The user is {age} and just started their first full-time job.",
                "age {age}, first full-time job",
                (
                    "I'm {age} and just started my first full-time job.",
                    "This is my first real job; I'm {age}.",
                ),
                (
                    "What should I know about my first payslip? I'm {age} and just started my first "
                    "full-time "
                    "job.",
                    "How much rent can I afford on my first salary? I'm {age} and just got my first "
                    "full-time job.",
                    "How much should I save from my first paycheck? I'm {age} and just started my first "
                    "full-time job.",
                ),
                slots={"age": ("22", "23", "24")},
                tags="employed",
                conflicts="retired",
            ),
        ),
    ),
    fillers(
        "How do I read a credit report? There are codes I don't understand.",
        "What's the difference between a debit card and a credit card for online shopping?",
        "How long should I keep old bank statements? My drawer is full of them.",
        "Are budgeting apps safe to connect to my bank?",
        "What does APR mean compared to interest rate?",
        "How do I cancel subscriptions I forgot about? I found {three|four} on my statement.",
        "Is it rude to ask a friend to pay back a small loan?",
        "How do I split bills fairly with a roommate who earns more?",
        "What is an emergency fund supposed to cover?",
        "How do I dispute a wrong charge on my card?",
        "Is it worth paying for a financial advisor?",
        "What does 'compound interest' really mean in practice?",
    ),
)
