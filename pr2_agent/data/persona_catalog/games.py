"""Games domain (Art_and_Entertainment): board games for game nights."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "games",
    LAMPQA_CATEGORIES[0],
    (
        need(
            "What board games should I buy for game night?",
            "I want to add a few new board games to our collection for game night.",
            "Our game nights have gotten a bit repetitive and I'd like to buy something new.",
        ),
        need(
            "Can you recommend a new board game for {our group|us}?",
            "We've played our current board games to death and need something fresh.",
        ),
        need(
            "Which board game should we {try|play} next?",
            "I'm in charge of picking the next board game and I don't want to get it wrong.",
        ),
    ),
    (
        facet(
            "players",
            "family",
            "how many players at game night: two players, partner, big group",
            fact(
                "two_player",
                "Games that work well with two players",
                "The user mostly plays with just their partner, so games must be good at two players.",
                "mostly plays two-player with their partner",
                (
                    "Most of the time it's just me and my partner playing.",
                    "It's usually only the two of us, my partner and me.",
                ),
                (
                    "Cozy two-player activities for winter evenings? My partner and I are "
                    "{homebodies|trying to "
                    "spend less time on our phones} and want something for two players.",
                    "Which card games are good with two players? My partner and I play after dinner most "
                    "nights.",
                    "Good two-player video games for couples? My partner and I want something to play "
                    "together, just the two of us.",
                ),
                tags="partner",
                conflicts="lives_alone kids group_play",
            ),
            fact(
                "big_group",
                "Games for a big group of {n} players",
                "The user's group has {n} people, so games must support that many players at once.",
                "group of {n} players",
                (
                    "We're usually {n} people around the table.",
                    "Our group is {n} players, sometimes more.",
                ),
                (
                    "How do you keep a big group of {n} players engaged? Our game nights have {n} people and "
                    "someone is always waiting for their turn.",
                    "Good party games for {n} players? We get {n} friends together every {Friday|other "
                    "Saturday}.",
                    "How do we pick a restaurant for {n} people? Every time our group of {n} players goes "
                    "out after game night we argue for an hour.",
                ),
                slots={"n": ("six", "seven", "eight")},
                tags="group_play",
            ),
        ),
        facet(
            "style",
            "taste",
            "what games the group likes: cooperative or competitive, strategy, party games",
            fact(
                "cooperative",
                "Cooperative games instead of competitive ones",
                "The group dislikes direct conflict, so cooperative games where everyone wins or loses "
                "together "
                "fit better.",
                "prefers cooperative games, dislikes competitive conflict",
                (
                    "Competitive games tend to end in arguments with us, so cooperative ones work better.",
                    "We've learned that cooperative games are much more fun for us than competitive ones.",
                ),
                (
                    "Why do competitive games make my friends so grumpy? Every time we play something "
                    "competitive someone sulks, but cooperative games go great.",
                    "Are there cooperative games that aren't too easy? We prefer cooperative play because "
                    "competitive games cause fights in my group.",
                    "Team-building activities that aren't competitive? My friends much prefer cooperative "
                    "stuff where nobody loses alone.",
                ),
            ),
            fact(
                "heavy_strategy",
                "Heavy, long-term strategy games",
                "The user enjoys deep strategy games and would find light party games boring.",
                "loves heavy strategy games",
                (
                    "I really enjoy heavy strategy games with lots of decisions.",
                    "The deeper the strategy, the happier I am.",
                ),
                (
                    "Is {Terraforming Mars|Brass|Twilight Imperium} worth it? I love heavy strategy games "
                    "and "
                    "don't mind long rules.",
                    "How do I learn heavy strategy games faster? Rulebooks of complex games take me hours, "
                    "but "
                    "deep strategy is exactly what I enjoy.",
                    "Why do heavy strategy games take so long to set up? I love deep strategy but setup "
                    "takes half the evening.",
                ),
            ),
        ),
        facet(
            "length",
            "time",
            "how long our games can last in minutes",
            fact(
                "short",
                "Short games under {minutes} minutes",
                "Game night is short, so games longer than about {minutes} minutes don't get finished.",
                "games must finish in under {minutes} minutes",
                (
                    "Anything longer than {minutes} minutes won't work for us on a weeknight.",
                    "We only have time for games under {minutes} minutes.",
                ),
                (
                    "How do we stop game night from running past midnight? Our weeknight game nights need "
                    "games under {minutes} minutes because people work early.",
                    "Quick games to play in a lunch break? We have about {minutes} minutes at most.",
                    "How do you fit a hobby into {minutes} minutes? Our games have to be short because we "
                    "only get {minutes} minutes together on weeknights.",
                ),
                slots={"minutes": ("30", "45", "60")},
            ),
        ),
        facet(
            "access",
            "health",
            "players' needs: color-blind, non-gamers, simple rules",
            fact(
                "colorblind",
                "Accessible for a color-blind player",
                "One regular player is color-blind, so games that rely on telling colors apart are "
                "frustrating.",
                "one player is color-blind",
                (
                    "One of our regulars is color-blind, which rules out some games.",
                    "My {who} is color-blind and plays with us every time.",
                ),
                (
                    "Which board games are color-blind friendly? My {who} is color-blind "
                    "and can't tell red and green pieces apart.",
                    "Tools that help with color blindness in daily life? My {who} is "
                    "color-blind and struggles with color-coded stuff.",
                    "Apps that help color-blind people tell colors apart? Someone close to me is "
                    "color-blind and I want to understand it better.",
                ),
                slots={"who": ("brother", "best friend", "sister")},
                tags="group_play",
            ),
            fact(
                "newcomers",
                "Easy rules for non-gamer friends",
                "The group includes people who don't play modern board games, so rules must be quick to "
                "teach.",
                "group includes non-gamers who need simple rules",
                (
                    "Several people in the group aren't gamers and lose interest if rules take long to "
                    "explain.",
                    "Half my friends are non-gamers, so simple rules matter.",
                ),
                (
                    "How do I teach rules to non-gamers without losing them? My friends are non-gamers and "
                    "get bored during long rule explanations.",
                    "Gateway games for non-gamers? Most of my friends only know Monopoly and Uno.",
                    "How do I get non-gamer friends interested in tabletop games? They think rules are "
                    "homework.",
                ),
                tags="group_play",
            ),
        ),
        facet(
            "budget",
            "budget",
            "how much I can spend on a board game, budget",
            fact(
                "cheap",
                "Budget under ${amount}",
                "The user doesn't want to spend more than ${amount} on a game.",
                "spending limit of about ${amount} per game",
                (
                    "I don't want to spend more than ${amount} on it.",
                    "My budget is around ${amount}.",
                ),
                (
                    "Where do you find board games on sale? I set myself a budget of ${amount} per game and "
                    "most new releases cost way more.",
                    "Is buying used board games a good idea? New ones are over my ${amount} budget.",
                    "Is a ${amount} budget realistic for a good board game? I don't want to spend more than "
                    "${amount}.",
                ),
                slots={"amount": ("25", "30", "40")},
            ),
        ),
        facet(
            "kids",
            "family",
            "kids who play with us and their age",
            fact(
                "young_kid",
                "Family-friendly for a {age}-year-old",
                "The user's {age}-year-old joins game night, so games must be playable and appropriate for "
                "that "
                "age.",
                "a {age}-year-old child plays too",
                (
                    "My {age}-year-old wants to join in now too.",
                    "Our {age}-year-old plays with us most weeks.",
                ),
                (
                    "How do I let my {age}-year-old win without it being obvious? My kid joins our board "
                    "game "
                    "nights and gets upset when losing.",
                    "Board games that teach math to a {age}-year-old? My kid loves playing games with us.",
                    "How do I teach a {age}-year-old to lose gracefully at games? My kid flips the board "
                    "when losing.",
                ),
                slots={"age": ("six", "seven", "nine")},
                tags="kids",
                conflicts="lives_alone",
            ),
        ),
    ),
    fillers(
        "How do you store board game components so they don't get lost? My {shelf|closet} is a mess of "
        "boxes.",
        "Is it worth sleeving cards? Some of our {favorite|older} games are showing wear.",
        "How do you settle rules disputes at the table? We argued for {twenty minutes|half an hour} last "
        "time.",
        "What does 'worker placement' mean? I keep seeing the term in reviews.",
        "Best board game review channels? I want {honest|detailed} opinions before buying.",
        "How do I fix a warped game board? It got {a bit damp|bent} in storage.",
        "Is there an app to track scores for board games? We always lose the score sheet.",
        "Why do people love {deck-building|legacy} games so much? I've never tried one.",
        "What's the oldest board game still played today?",
        "How do I repair a torn card? It's from a {rare|favorite} game.",
        "Why are some board games so expensive to ship?",
        "How do tournaments work for card games? A local shop runs one {monthly|every Friday}.",
    ),
)
