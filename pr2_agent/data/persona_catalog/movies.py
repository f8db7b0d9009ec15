"""Movies domain (Art_and_Entertainment): choosing films and series to watch."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "movies",
    LAMPQA_CATEGORIES[0],
    (
        need(
            "What movie should I watch {this weekend|on Friday night}?",
            "I want to pick a good movie for the weekend instead of scrolling for an hour.",
            "Every Friday I waste ages choosing a movie, so I'd like some suggestions.",
        ),
        need(
            "Can you recommend a TV series to start?",
            "I just finished a series and need a new one to get into.",
        ),
        need(
            "What films should I add to my watchlist?",
            "I'd like to build a proper watchlist of films instead of picking at random.",
        ),
    ),
    (
        facet(
            "taste",
            "taste",
            "favorite film genres: thrillers, comedies, classics, drama",
            fact(
                "psych_thriller",
                "Slow-burn psychological thrillers",
                "The user loves tense, slow-burn psychological thrillers.",
                "loves slow-burn psychological thrillers",
                (
                    "My favorite kind of film is a slow-burn psychological thriller.",
                    "I love psychological thrillers that build tension slowly.",
                ),
                (
                    "Why are psychological thrillers so satisfying? I just rewatched {Prisoners|Gone Girl|"
                    "Zodiac} and love how slow-burn tension works.",
                    "Directors known for psychological thrillers? Slow-burn suspense is my favorite genre.",
                    "Psychological thrillers with a great twist? Slow-burn mind games are my favorite thing "
                    "to watch.",
                ),
            ),
            fact(
                "feelgood",
                "Light, feel-good comedies",
                "The user watches to unwind and wants light, feel-good comedies, not heavy drama.",
                "wants light feel-good comedies",
                (
                    "I watch movies to unwind, so light feel-good comedies are what I want.",
                    "Heavy dramas wear me out; I like feel-good comedies.",
                ),
                (
                    "Feel-good comedies for a bad week? Work has been stressful and light comedies are the "
                    "only "
                    "thing that relaxes me.",
                    "Why do I rewatch the same feel-good comedies? They are my comfort movies.",
                    "Comedies that are actually feel-good and not cringe? I want light movies after long "
                    "workdays.",
                ),
            ),
            fact(
                "classics",
                "Classic black-and-white films",
                "The user loves old black-and-white classics from the golden age of Hollywood.",
                "loves classic black-and-white films",
                (
                    "I have a soft spot for classic black-and-white films.",
                    "Old black-and-white classics are my favorite.",
                ),
                (
                    "Where can I stream classic black-and-white films? I love {Casablanca|Billy "
                    "Wilder|Hitchcock} "
                    "era movies.",
                    "How were old black-and-white films lit? I love the look of classics from the forties.",
                    "Are classic black-and-white films better on a big screen? My local cinema shows "
                    "classics on Sundays.",
                ),
            ),
        ),
        facet(
            "avoid",
            "limits",
            "content I avoid in films: horror, jump scares, gore, violence",
            fact(
                "no_horror",
                "No horror or jump scares",
                "The user hates horror and jump scares and won't enjoy anything scary.",
                "no horror, no jump scares",
                (
                    "I can't do horror or jump scares at all.",
                    "Please nothing scary; jump scares ruin my night.",
                ),
                (
                    "How do people enjoy horror movies? Jump scares make my heart race for hours, so I avoid "
                    "horror completely.",
                    "Is there a site that lists jump scares in movies? I hate horror and want to be warned.",
                    "How do I tell friends I don't watch horror? They love scary movies and I hate jump "
                    "scares.",
                ),
            ),
            fact(
                "no_gore",
                "No gore or graphic violence",
                "Gore and graphic violence make the user feel sick.",
                "avoids gore and graphic violence",
                (
                    "Gore and graphic violence are a no for me.",
                    "I get queasy with gore.",
                ),
                (
                    "Why does gore in movies make me feel faint? Even mild graphic violence makes me queasy.",
                    "Action films without gore? Graphic violence is the one thing I can't watch.",
                    "Is there an app that warns about gore in films? Graphic violence makes me feel sick.",
                ),
            ),
        ),
        facet(
            "company",
            "family",
            "who watches with me: kids and their age",
            fact(
                "with_kid",
                "Suitable for watching with a {age}-year-old",
                "The user watches with their {age}-year-old, so content must be appropriate for that age.",
                "watches with a {age}-year-old child",
                (
                    "Movie night includes my {age}-year-old.",
                    "I'll be watching with my {age}-year-old, so it has to be suitable.",
                ),
                (
                    "How do you check if a movie is okay for a {age}-year-old? My kid wants to watch "
                    "everything "
                    "with me.",
                    "Is PG-13 okay for a {age}-year-old? My kid's friends are watching things I'm unsure "
                    "about.",
                    "What age is right for the first Harry Potter movie? My {age}-year-old is begging to "
                    "watch it with me.",
                ),
                slots={"age": ("nine", "ten", "twelve")},
                tags="kids",
                conflicts="lives_alone",
            ),
        ),
        facet(
            "platform",
            "budget",
            "streaming services and subscriptions I have: Netflix, Disney+, Prime Video",
            fact(
                "one_service",
                "Available on {service}",
                "The user only subscribes to {service} and won't rent or buy films.",
                "only has a {service} subscription",
                (
                    "I only have {service}, and I don't want to rent anything.",
                    "Whatever it is needs to be on {service}; that's my only subscription.",
                ),
                (
                    "Is it worth keeping more than one streaming subscription? I cancelled everything except "
                    "{service} to save money.",
                    "Hidden gems on {service}? It's the only streaming service I pay for.",
                    "How do I find out if a film is on {service}? It's the only streaming subscription I "
                    "have.",
                ),
                slots={"service": ("Netflix", "Disney+", "Prime Video")},
            ),
        ),
        facet(
            "runtime",
            "time",
            "how long a movie can be, runtime in minutes, falling asleep",
            fact(
                "short_runtime",
                "Runtime under {minutes} minutes",
                "The user falls asleep during long films, so runtimes over {minutes} minutes don't work.",
                "prefers runtimes under {minutes} minutes",
                (
                    "I fall asleep if a movie goes much past {minutes} minutes.",
                    "Anything longer than {minutes} minutes is too long for me on a weeknight.",
                ),
                (
                    "Why are movies so long now? I fall asleep in anything longer than {minutes} minutes.",
                    "How do I stop falling asleep during movies? After {minutes} minutes I'm out, no matter "
                    "how "
                    "good it is.",
                    "Great movies under {minutes} minutes? I can't stay awake for long runtimes.",
                ),
                slots={"minutes": ("90", "100", "110")},
            ),
        ),
        facet(
            "language",
            "language",
            "subtitles, foreign-language films or English only",
            fact(
                "subtitles_ok",
                "Foreign-language films with subtitles welcome",
                "The user enjoys foreign-language cinema and is happy to read subtitles.",
                "enjoys foreign-language films with subtitles",
                (
                    "Subtitles don't bother me; I actually love foreign-language films.",
                    "I watch a lot of foreign-language films with subtitles.",
                ),
                (
                    "Best Korean films of the last decade? I love foreign-language films and subtitles never "
                    "bother me.",
                    "Why do some people refuse to watch films with subtitles? Foreign-language cinema is my "
                    "favorite.",
                    "Where can I find good subtitles for foreign-language films? I watch mostly "
                    "{French|Korean|Italian} cinema.",
                ),
            ),
            fact(
                "no_subtitles",
                "English-language only (no subtitles)",
                "The user finds subtitles tiring and wants films in English.",
                "wants English-language films, no subtitles",
                (
                    "I don't enjoy reading subtitles, so English-language films please.",
                    "Subtitles tire me out.",
                ),
                (
                    "Are dubbed films worth watching? I find subtitles tiring and miss half the picture.",
                    "Why do subtitles give me a headache? I can't relax when I have to read them.",
                    "Why do subtitles make films less enjoyable for me? I lose track of the picture while "
                    "reading.",
                ),
            ),
        ),
    ),
    fillers(
        "Why do movie theaters have such loud sound? I left the cinema with {ringing ears|a headache}.",
        "What's the difference between a director's cut and the theatrical version?",
        "How do I set up a projector in a small living room? The picture looks {washed out|blurry}.",
        "Why do so many movies now have post-credits scenes? I never know whether to stay.",
        "What's the best way to track movies I've watched? I keep forgetting {titles|what I rated them}.",
        "How are film soundtracks recorded? I loved the {score|music} in a film I saw recently.",
        "Why do older movies look grainy even on 4K? I noticed it on a {remaster|re-release}.",
        "How do film festivals pick their lineups? One is coming to my {city|town}.",
        "Why do movie trailers spoil so much of the plot?",
        "How do I stop my TV from making films look like soap operas? Motion smoothing is {on|driving me "
        "mad}.",
        "What does a film producer actually do?",
        "Why are some films released in black and white today?",
    ),
)
