"""Pets domain (Lifestyle_and_Personal_Development): caring for a dog."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "pets",
    LAMPQA_CATEGORIES[1],
    (
        need(
            "How can I keep my dog {happy|entertained} during the week?",
            "I feel like my dog is bored during the week and I want to do better by him.",
            "I want to make sure my dog has a good life on ordinary weekdays, not just weekends.",
        ),
        need(
            "What should I change in my dog's daily routine?",
            "I think my dog's routine could be better and I'd like to rethink it.",
        ),
        need(
            "Any advice for my dog's exercise and daily care?",
            "I'd like advice on how to care for my dog day to day.",
        ),
    ),
    (
        facet(
            "dog",
            "pet",
            "my dog's age, breed and energy: senior, arthritis, young, high-energy",
            fact(
                "senior",
                "Senior dog with arthritis",
                "The user's dog is {age} years old with arthritis, so exercise must be gentle.",
                "{age}-year-old dog with arthritis",
                (
                    "My dog is {age} now and has arthritis in his hips.",
                    "He's a senior dog ({age} years old) with stiff, arthritic joints.",
                ),
                (
                    "Do joint supplements help dogs with arthritis? My {age}-year-old lab is stiff every "
                    "morning.",
                    "How do I make stairs easier for an old dog with arthritis? He's {age} and slips on the "
                    "steps.",
                    "Best bed for a senior dog with arthritis? My dog is {age} and struggles to get up.",
                ),
                slots={"age": ("eleven", "twelve", "thirteen")},
            ),
            fact(
                "high_energy",
                "A high-energy {breed}",
                "The user's dog is a young, high-energy {breed} that needs a lot of physical and mental "
                "work.",
                "young high-energy {breed}",
                (
                    "He's a two-year-old {breed} with endless energy.",
                    "My dog is a young {breed}, so his energy is off the charts.",
                ),
                (
                    "Why does my {breed} never get tired? He's two and has endless energy even after a long "
                    "walk.",
                    "Is a {breed} a good first dog? Mine is young and high-energy and I'm exhausted.",
                    "Puzzle toys for a high-energy {breed}? Mine is young and chews the house when bored.",
                ),
                slots={"breed": ("Border Collie", "German Shepherd", "Vizsla")},
            ),
        ),
        facet(
            "behavior",
            "behavior",
            "my dog's behavior problems: reactive to other dogs, separation anxiety, barking",
            fact(
                "reactive",
                "Reactive to other dogs on walks",
                "The user's dog lunges and barks at other dogs, so busy parks and dog runs are stressful.",
                "dog is reactive to other dogs",
                (
                    "He's reactive to other dogs and lunges when they get close.",
                    "Walks are tricky because he barks and lunges at other dogs.",
                ),
                (
                    "How do I train a reactive dog? Mine lunges and barks at other dogs on every walk.",
                    "Is a head halter good for a reactive dog? He pulls toward other dogs and I can barely "
                    "hold him.",
                    "Quiet walking spots for a reactive dog? He goes crazy when other dogs pass.",
                ),
            ),
            fact(
                "separation",
                "Separation anxiety when left alone",
                "The user's dog has separation anxiety and panics when alone.",
                "dog has separation anxiety",
                (
                    "He has separation anxiety and howls when he's alone.",
                    "Being left alone is really hard for him; he has separation anxiety.",
                ),
                (
                    "Do calming collars work for separation anxiety? My dog howls and scratches the door "
                    "when I "
                    "leave.",
                    "Should I get a second dog for separation anxiety? Mine panics when left alone.",
                    "How long does it take to fix separation anxiety in dogs? Mine cries whenever I leave.",
                ),
            ),
        ),
        facet(
            "housing",
            "home",
            "where my dog and I live: apartment, yard, house",
            fact(
                "apartment",
                "Apartment with no yard",
                "The user lives in an apartment without a yard, so all exercise happens on walks.",
                "apartment, no yard",
                (
                    "We live in an apartment with no yard.",
                    "There's no yard; we're in a {third|fourth}-floor apartment.",
                ),
                (
                    "How do I potty train a puppy in an apartment without a yard?",
                    "Is an apartment with no yard fair to a dog? People keep telling me he needs a garden.",
                    "How do I keep a dog fit in an apartment with no yard? We moved and there's no yard for "
                    "him to run in.",
                ),
                tags="renter",
                conflicts="homeowner",
            ),
        ),
        facet(
            "schedule",
            "schedule",
            "how many hours my dog is alone on workdays",
            fact(
                "long_shifts",
                "Alone for {hours} hours on workdays",
                "The user works long days, so the dog is alone about {hours} hours on workdays.",
                "dog is alone about {hours} hours on workdays",
                (
                    "On workdays he's alone for about {hours} hours.",
                    "I work long shifts, so he's home alone for {hours} hours.",
                ),
                (
                    "Is it cruel to leave a dog alone for {hours} hours? My shifts are long and I feel "
                    "guilty.",
                    "How much does a dog walker cost? I'm gone {hours} hours on workdays.",
                    "Is doggy daycare worth it? I'm out for {hours} hours on workdays and my dog is alone.",
                ),
                slots={"hours": ("eight", "nine", "ten")},
                tags="employed",
                conflicts="retired",
            ),
        ),
        facet(
            "diet",
            "diet",
            "my dog's food and health: allergy, chicken, overweight, weight",
            fact(
                "chicken_allergy",
                "Dog food allergy to chicken",
                "The user's dog is allergic to chicken, so treats and food must be chicken-free.",
                "dog is allergic to chicken",
                (
                    "He's allergic to chicken, which rules out most treats.",
                    "My dog has a chicken allergy.",
                ),
                (
                    "Why does my dog scratch so much? The vet says he's allergic to chicken.",
                    "Chicken-free dog treats? My dog has a food allergy to chicken and most treats contain "
                    "it.",
                    "Which dog foods have no chicken at all? My dog is allergic to chicken and it's in "
                    "everything.",
                ),
            ),
            fact(
                "overweight",
                "Helping an overweight dog lose weight",
                "The user's dog is overweight and the vet wants him to lose weight.",
                "dog is overweight",
                (
                    "The vet says he's overweight and needs to lose a few kilos.",
                    "He's overweight, according to the vet.",
                ),
                (
                    "How many treats is too many? The vet says my dog is overweight by {three|four} kilos.",
                    "Best diet food for an overweight dog? Mine has been gaining weight all year.",
                    "How much should an overweight dog walk? The vet put my dog on a diet to lose weight.",
                ),
            ),
        ),
        facet(
            "owner",
            "health",
            "my own limits for walking the dog: hip, knee, health",
            fact(
                "hip",
                "Owner can't do long walks (bad hip)",
                "The user has a bad hip and can't walk far, so exercise can't rely on long walks.",
                "owner has a bad hip and can't walk far",
                (
                    "I have a bad hip myself, so long walks are hard for me.",
                    "My own hip problem means I can't walk for long.",
                ),
                (
                    "How long is recovery from hip surgery? My bad hip makes walking more than 20 minutes "
                    "painful.",
                    "Walking aids for a bad hip? I can't walk far anymore.",
                    "Can you exercise a dog without long walks? My bad hip stops me from walking far.",
                ),
            ),
        ),
        facet(
            "others",
            "pet",
            "other animals at home: cat, pets",
            fact(
                "cat",
                "Getting along with a cat at home",
                "The user also has a cat, so routines and games must keep the cat safe and calm.",
                "also has a cat at home",
                (
                    "We also have a cat, who is not a fan of the dog.",
                    "There's also a cat in the house.",
                ),
                (
                    "How do I stop my cat from scratching the sofa? She ignores the scratching post.",
                    "Why does my cat knock things off tables? She does it every morning at 5.",
                    "How do I introduce a new dog to a cat? Our cat hides under the bed since the dog "
                    "arrived.",
                ),
                tags="cat",
                conflicts="pet_allergy",
            ),
        ),
    ),
    fillers(
        "How often should I brush my dog's teeth? He hates the toothbrush.",
        "Why does my dog eat grass? He does it on {every walk|most walks}.",
        "How do I cut a dog's nails without hurting him? They click on the floor.",
        "What vaccines does an adult dog need? I'm confused by the {vet's list|schedule}.",
        "Why does my dog spin before lying down?",
        "How do I get dog hair off the sofa? It's {everywhere|on everything}.",
        "Is it safe to give my dog {peanut butter|carrots} as a treat?",
        "How do I choose a good dog groomer?",
        "Why does my dog bark at the mail carrier every day?",
        "How do I pick a good dog leash? Ours {snapped|broke} last week.",
        "Is it okay for dogs to eat snow?",
        "How do I get my dog used to the car? He whines on every trip.",
    ),
    tags="dog",
    reveals="pet",
)
