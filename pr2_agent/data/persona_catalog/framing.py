"""Neutral sentences that frame a past post, so one template does not read identically across users.

They are what forum posts wrap around a question ("Sorry if this has been asked before.", "Thanks in
advance!"). None of them may imply anything about the person: no family, job, place or habit.
"""

from __future__ import annotations

OPENERS: tuple[str, ...] = (
    "Long-time {lurker|reader} here.",
    "This might be a {basic|beginner|dumb} question.",
    "Hoping someone here has experience with this.",
    "I've searched {but|online but} can't find a clear answer.",
    "Sorry if this has been asked before.",
    "Need some {advice|input} on this one.",
    "Something I've been wondering about for {a while|ages}.",
    "First time posting here.",
    "Quick question for the {group|forum|experts here}.",
)

CLOSERS: tuple[str, ...] = (
    "Thanks in advance!",
    "Any advice is {welcome|appreciated}.",
    "I'd appreciate any tips.",
    "I've read conflicting answers online.",
    "Curious what worked for others.",
    "A friend suggested I ask here.",
    "I keep going back and forth on this.",
    "Would love some honest opinions.",
    "Links to good guides would help too.",
    "It's been on my mind for {a while|weeks|days}.",
    "Any experiences, good or bad, are welcome.",
    "I'm open to {any|all} suggestions.",
    "Not sure where else to ask.",
    "I feel like I'm missing something obvious.",
    "Edit: thanks for the replies so far!",
    "Would {really |}appreciate a pointer in the right direction.",
)
