"""Music domain (Art_and_Entertainment): practicing the guitar."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "music",
    LAMPQA_CATEGORIES[0],
    (
        need(
            "How should I structure my guitar practice?",
            "I keep picking up the guitar without a plan and I feel like I'm not improving.",
            "I'd like a practice routine for guitar that actually moves me forward.",
        ),
        need(
            "What songs should I learn next on {guitar|my guitar}?",
            "I've run out of ideas for what to learn next on guitar.",
            "I want a short list of songs to work on over the next few months.",
        ),
        need(
            "How do I get out of a plateau with {the guitar|my guitar playing}?",
            "I've been stuck at the same level on guitar for a while and it's frustrating.",
        ),
    ),
    (
        facet(
            "health",
            "health",
            "pain, injury or hearing problems when playing (wrist, tendinitis, tinnitus, ears)",
            fact(
                "tendinitis",
                "Protecting a wrist with tendinitis",
                "The user has wrist tendinitis, so long sessions and stretchy chord shapes can make it "
                "worse.",
                "wrist tendinitis: short sessions, warm-ups and breaks",
                (
                    "My left wrist flares up with tendinitis if I play for too long.",
                    "I have to be careful because of tendinitis in my wrist.",
                ),
                (
                    "Is a wrist brace useful for tendinitis? My {physio|doctor} says I have tendinitis in my "
                    "left wrist and it gets worse after long guitar sessions or typing.",
                    "Stretches for wrist tendinitis? The pain in my left wrist comes back every time I "
                    "practice "
                    "{barre chords|for more than half an hour}.",
                    "Ergonomic mouse for wrist tendinitis? My {doctor|physio} confirmed tendinitis and my "
                    "wrist aches after an hour at the computer or the guitar.",
                ),
            ),
            fact(
                "tinnitus",
                "Hearing protection for tinnitus",
                "The user has tinnitus, so loud amp practice has to be avoided.",
                "tinnitus: practice at low volume or with headphones at safe levels",
                (
                    "I also have mild tinnitus, so I can't play loud.",
                    "Loud volume is a problem for me because of tinnitus.",
                ),
                (
                    "Best earplugs for concerts with tinnitus? I've had a ringing in my ears (tinnitus) "
                    "since "
                    "{a festival|my twenties} and my audiologist told me to protect my hearing.",
                    "Does tinnitus get worse with headphones? My ears ring constantly and I want to keep "
                    "listening to music without making the tinnitus worse.",
                    "Is it safe to go to a gig with tinnitus? The ringing in my ears has been there for "
                    "years and loud music makes my tinnitus worse the next day.",
                ),
            ),
        ),
        facet(
            "time",
            "time",
            "how many minutes a day or which days I can practice",
            fact(
                "short_daily",
                "Short daily practice ({minutes} minutes)",
                "The user only has about {minutes} minutes a day, so the routine must fit that window.",
                "about {minutes} minutes of practice per day",
                (
                    "Realistically I get about {minutes} minutes a day to practice.",
                    "I can only squeeze in {minutes} minutes of practice on most days.",
                ),
                (
                    "How do busy people fit in practice? Between work and the commute I only have {minutes} "
                    "minutes a day for practice, usually late in the evening.",
                    "Is {minutes} minutes of daily practice enough to improve at anything? That's all the "
                    "time "
                    "I have on weekdays.",
                    "Micro-habits that actually stick? I want to get better at a few hobbies, but my daily "
                    "practice window is {minutes} minutes at most.",
                ),
                slots={"minutes": ("15", "20", "25")},
            ),
            fact(
                "weekends",
                "Practicing mainly on weekends",
                "The user can only practice on weekends, so the plan must work with long gaps in between.",
                "practices only on weekends, in longer sessions",
                (
                    "During the week I have no time at all; I can only practice on weekends.",
                    "My practice happens on weekends only.",
                ),
                (
                    "How do you keep skills from fading between weekends? I travel for work Monday to "
                    "Friday, so "
                    "weekends are my only practice time.",
                    "Is it bad to only practice on weekends? I work {long shifts|twelve-hour shifts} during "
                    "the "
                    "week and only get Saturday and Sunday.",
                    "How do weekend-only hobbyists keep improving? My practice happens on weekends only "
                    "because weekdays are packed.",
                ),
                tags="free_weekends",
                conflicts="works_weekends",
            ),
        ),
        facet(
            "noise",
            "home",
            "noise limits where I practice: apartment, thin walls, neighbors",
            fact(
                "thin_walls",
                "Quiet practice for an apartment with thin walls",
                "Neighbors complain about noise, so the user needs quiet practice options.",
                "apartment with thin walls: quiet practice, headphones",
                (
                    "My apartment walls are thin and my neighbors have already complained about the noise.",
                    "I live in an apartment with thin walls, so I can't make much noise, especially at "
                    "night.",
                ),
                (
                    "How do I soundproof a bedroom cheaply? The walls in my apartment are so thin that my "
                    "neighbor complains about noise when I {practice|play music} after 9pm.",
                    "My downstairs neighbor complained about the noise again. The apartment has thin walls; "
                    "what are quiet hobbies or ways to dampen sound?",
                    "Quiet alternatives to a loud hobby in an apartment? My walls are thin and the "
                    "neighbors hear everything, even my {TV|alarm clock}.",
                ),
                tags="renter",
                conflicts="homeowner",
            ),
        ),
        facet(
            "genre",
            "taste",
            "favorite music styles: blues, rock, folk, fingerstyle, jazz",
            fact(
                "blues",
                "Blues and classic rock repertoire",
                "The user loves blues and classic rock, so song and exercise choices should come from there.",
                "loves blues and classic rock",
                (
                    "What I really want to play is blues and classic rock.",
                    "My heroes are blues and classic rock players.",
                ),
                (
                    "Where to start with blues records? I grew up on classic rock and keep hearing that all "
                    "of it "
                    "comes from the blues. I love {Buddy Guy|Stevie Ray Vaughan|Cream}.",
                    "Best classic rock albums of the seventies? Blues and classic rock are basically all I "
                    "listen to.",
                    "Which blues festival is worth traveling for? Blues and classic rock are my favorite "
                    "music by far.",
                ),
            ),
            fact(
                "fingerstyle",
                "Fingerstyle folk arrangements",
                "The user wants to play fingerstyle folk, not strummed pop or rock.",
                "wants to play fingerstyle folk songs",
                (
                    "I'm mostly drawn to fingerstyle folk playing.",
                    "I'd love to play fingerstyle folk, like the songs I listen to.",
                ),
                (
                    "Folk singers similar to {Nick Drake|Joni Mitchell|Simon and Garfunkel}? I listen to a "
                    "lot of "
                    "fingerstyle folk and want to discover more.",
                    "What makes fingerstyle folk sound so full? I love the picking patterns in old folk "
                    "songs "
                    "and I'm curious how one guitar does all that.",
                    "Why do fingerstyle guitarists grow their nails? I love fingerstyle folk and noticed "
                    "all my favorite players do.",
                ),
            ),
        ),
        facet(
            "goal",
            "goal",
            "what I'm practicing for: performing, open mic, songwriting, band",
            fact(
                "open_mic",
                "Preparing for an open mic in {weeks} weeks",
                "The user signed up for an open mic in {weeks} weeks, so the practice should build toward "
                "performing a few songs.",
                "performing at an open mic in {weeks} weeks",
                (
                    "I signed up to play at an open mic night in {weeks} weeks.",
                    "There's an open mic I've committed to in {weeks} weeks and I want to be ready.",
                ),
                (
                    "How do I deal with stage fright? I just signed up for my first open mic night in "
                    "{weeks} "
                    "weeks and I'm already nervous about playing in front of people.",
                    "What should I say between songs at an open mic? My first open mic is in {weeks} weeks.",
                    "What do open mic nights usually look like? I signed up to play one in {weeks} weeks "
                    "and have never even watched one.",
                ),
                slots={"weeks": ("four", "six", "eight")},
            ),
            fact(
                "songwriting",
                "Learning theory for songwriting",
                "The user wants to write their own songs, so learning should connect to songwriting.",
                "wants to write original songs",
                (
                    "My real goal is to write my own songs.",
                    "Eventually I want to be writing songs of my own, not just covers.",
                ),
                (
                    "How do songwriters come up with lyrics? I've started a notebook for songwriting and "
                    "have melodies but the words never come.",
                    "Is it worth learning music theory for songwriting? I hum melodies all day and want to "
                    "turn them into my own songs.",
                    "How do you finish a song instead of starting ten? My songwriting folder is full of "
                    "half-finished songs.",
                ),
            ),
        ),
        facet(
            "skill",
            "skill",
            "my guitar level: self-taught, tabs, sheet music, years of playing or a break",
            fact(
                "tabs_only",
                "Learning without sheet music (tabs only)",
                "The user is self-taught and can't read sheet music, so material should use tabs, chord "
                "charts "
                "or video.",
                "self-taught, reads tabs but not sheet music",
                (
                    "I'm self-taught and can't read sheet music, only tabs.",
                    "Please keep in mind I only read tabs; standard notation is a mystery to me.",
                ),
                (
                    "Is it a problem that I can't read sheet music? I'm self-taught from tabs and YouTube "
                    "and "
                    "I wonder if I'm missing something.",
                    "Good websites for accurate tabs? I'm self-taught and never learned to read sheet music.",
                    "Are tabs good enough or should I learn sheet music? I'm self-taught and only ever used "
                    "tabs.",
                ),
            ),
            fact(
                "returning",
                "Returning after a {years}-year break",
                "The user played years ago and is returning after a long break, so they need to rebuild, not "
                "start from zero.",
                "returning player after a {years}-year break",
                (
                    "I played as a teenager and I'm coming back after a {years}-year break.",
                    "I used to play a lot, then took a {years}-year break, and now I'm back.",
                ),
                (
                    "How long until calluses come back? I picked my old guitar up after a {years}-year break "
                    "and my fingertips hurt after ten minutes.",
                    "Should I restring a guitar that sat in its case for {years} years? I'm coming back "
                    "after a long break.",
                    "Getting back into an old hobby after {years} years away? I'm returning to music after "
                    "a {years}-year break and feel rusty.",
                ),
                slots={"years": ("ten", "fifteen", "twenty")},
            ),
        ),
    ),
    fillers(
        "How often should I change guitar strings? The {sound gets dull|strings look dark} after a few "
        "weeks.",
        "What's the difference between a capo and a tuning change? I see both in song videos.",
        "Is a {clip-on|pedal} tuner accurate enough? My guitar never seems perfectly in tune.",
        "Why does my guitar buzz on the {third|fifth} fret? It only happens on the low strings.",
        "How do I store a guitar in winter? The air in my {home|flat} gets very dry when the heating is on.",
        "What's the best metronome app? I keep rushing in the {chorus|fast parts}.",
        "Live albums where the band sounds better than in the studio? I'm collecting {a few|some} favorites.",
        "How do I clean a {fretboard|rosewood fretboard}? It looks grimy after years of use.",
        "Why do some songs give me chills? It happens with {certain choruses|a few old records}.",
        "How do I get rid of a hum from my amp? It appears when I touch the strings less.",
        "Is it worth learning a second instrument? I keep eyeing the {ukulele|harmonica}.",
        "How do concert ticket presales work? I always miss them.",
    ),
)
