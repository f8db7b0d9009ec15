"""Reading domain (Art_and_Entertainment): choosing books."""

from __future__ import annotations

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.persona_catalog.schema import domain, facet, fact, fillers, need

DOMAIN = domain(
    "reading",
    LAMPQA_CATEGORIES[0],
    (
        need(
            "What books should I read next?",
            "I just finished my last book and have no idea what to pick up next.",
            "I'm building a reading list for the next few months.",
        ),
        need(
            "Can you recommend a few books for {this summer|the holidays}?",
            "I finally have some time off coming up and want good books for it.",
        ),
        need(
            "How can I get back into reading {this year|again}?",
            "I used to read all the time and somehow lost the habit.",
            "I want to read more this year but keep abandoning books halfway.",
        ),
    ),
    (
        facet(
            "genre",
            "taste",
            "favorite book genres: literary fiction, science fiction, thrillers, fantasy",
            fact(
                "literary",
                "Character-driven literary fiction",
                "The user loves character-driven literary fiction and finds plot-only books shallow.",
                "loves character-driven literary fiction",
                (
                    "The books I love most are quiet, character-driven literary fiction.",
                    "I'm happiest with literary fiction where the characters matter more than the plot.",
                ),
                (
                    "Why is literary fiction so slow at the start? I love character-driven literary fiction "
                    "like {Kazuo Ishiguro|Elizabeth Strout|Sally Rooney} but sometimes struggle with the "
                    "openings.",
                    "Book clubs that focus on literary fiction? I want to discuss character-driven novels.",
                    "Literary fiction for someone who loved {Stoner|The Remains of the Day|Olive "
                    "Kitteridge}? I read for character-driven stories, not plot twists.",
                ),
            ),
            fact(
                "scifi",
                "Hard science fiction with real science",
                "The user enjoys hard science fiction and gets annoyed by sloppy science.",
                "enjoys hard science fiction",
                (
                    "My favorite genre is hard science fiction, the kind that gets the physics right.",
                    "I read mostly hard science fiction.",
                ),
                (
                    "Is {The Expanse|Project Hail Mary|Seveneves} accurate science? I love hard science "
                    "fiction "
                    "and want to know which authors do their research.",
                    "Why do I enjoy hard science fiction so much more than fantasy? Realistic science makes "
                    "a "
                    "story feel possible to me.",
                    "Science fiction that gets orbital mechanics right? Hard science fiction is my comfort "
                    "genre.",
                ),
            ),
            fact(
                "thrillers",
                "Fast-paced thrillers",
                "The user likes fast-paced thrillers and gets bored by slow, descriptive books.",
                "likes fast-paced thrillers",
                (
                    "I like fast-paced thrillers that I can't put down.",
                    "Give me a fast-paced thriller over a slow classic any day.",
                ),
                (
                    "Thriller authors like {Lee Child|Gillian Flynn|Harlan Coben}? I devour fast-paced "
                    "thrillers "
                    "on my commute.",
                    "How do thriller writers create so much suspense? I read fast-paced thrillers in one "
                    "sitting.",
                    "Why are fast-paced thrillers so addictive? I finished three thrillers in a week.",
                ),
            ),
        ),
        facet(
            "avoid",
            "limits",
            "content I avoid in books: violence, sad or bleak endings",
            fact(
                "no_violence",
                "No graphic violence",
                "Graphic violence upsets the user, so books with brutal scenes should be avoided.",
                "avoids graphic violence",
                (
                    "I really can't handle graphic violence in books.",
                    "Please nothing with graphic violence; it stays with me for days.",
                ),
                (
                    "How do I check a book for graphic violence before reading? A novel last month had "
                    "graphic "
                    "violence that gave me nightmares.",
                    "Is there a website listing content warnings for books? I avoid graphic violence.",
                    "Crime novels without graphic violence? I like mysteries but graphic violence in books "
                    "upsets me.",
                ),
            ),
            fact(
                "happy_endings",
                "Hopeful or happy endings",
                "The user has had a hard year and wants books that end on a hopeful note.",
                "wants hopeful endings, no bleak tragedies",
                (
                    "After the year I've had, I want books with hopeful endings.",
                    "I need stories that end well; tragic endings really drag me down right now.",
                ),
                (
                    "Why do so many prize-winning novels have sad endings? I've had a rough year and want "
                    "books with hopeful or happy endings.",
                    "Comfort reads with happy endings? {My dad has been ill|I went through a breakup} and "
                    "bleak books make it worse.",
                    "Authors who always write happy endings? I need hopeful books right now, nothing bleak.",
                ),
            ),
        ),
        facet(
            "format",
            "format",
            "how I read: audiobooks, e-reader, print, eyesight",
            fact(
                "audiobooks",
                "Audiobooks for the commute",
                "The user mostly 'reads' through audiobooks while commuting, so narration quality matters.",
                "listens to audiobooks on a {minutes}-minute commute",
                (
                    "I mostly listen to audiobooks on my {minutes}-minute commute.",
                    "Nearly all my reading now is audiobooks while I drive to work, {minutes} minutes each "
                    "way.",
                ),
                (
                    "Do audiobooks count as reading? I drive {minutes} minutes each way and listen to "
                    "audiobooks "
                    "the whole time.",
                    "Best narrators for audiobooks? My commute is {minutes} minutes and a bad narrator "
                    "ruins a book.",
                    "Is a library app good for audiobooks? My daily commute is {minutes} minutes by car and "
                    "audiobooks make it bearable.",
                ),
                slots={"minutes": ("40", "45", "50")},
                tags="car",
                conflicts="no_car",
            ),
            fact(
                "large_print",
                "Large print or adjustable font (poor eyesight)",
                "The user's eyesight is poor, so small print is hard; large print or an e-reader helps.",
                "poor eyesight: needs large print or an e-reader",
                (
                    "My eyesight isn't great anymore, so small print is a struggle.",
                    "With my eyesight, tiny fonts are out of the question.",
                ),
                (
                    "Is an e-reader easier on the eyes than paper? My eyesight has gotten worse and small "
                    "print "
                    "in paperbacks gives me headaches.",
                    "Where can I find large print editions? My eyesight is poor after {an eye "
                    "operation|cataract surgery}.",
                    "Best e-reader for poor eyesight? I need to make the font huge because my eyesight "
                    "keeps getting worse.",
                ),
            ),
        ),
        facet(
            "length",
            "time",
            "how long books can be, pages",
            fact(
                "short_books",
                "Short books under {pages} pages",
                "The user has limited attention and time, so long books get abandoned; short ones get "
                "finished.",
                "prefers short books under {pages} pages",
                (
                    "Long books never get finished in my house; under {pages} pages is ideal.",
                    "I do much better with short books, ideally under {pages} pages.",
                ),
                (
                    "Why do I abandon long books? Anything over {pages} pages and I lose track, while short "
                    "books I finish in a week.",
                    "Are novellas worth reading? Short books under {pages} pages are the only ones I finish "
                    "lately.",
                    "Short books that still feel complete? I rarely finish anything over {pages} pages.",
                ),
                slots={"pages": ("200", "250", "300")},
            ),
        ),
        facet(
            "language",
            "language",
            "reading language and level, English as a second language",
            fact(
                "esl",
                "Readable English for a second-language reader",
                "English is the user's second language, so very dense or archaic prose is hard going.",
                "reads in English as a second language",
                (
                    "English isn't my first language, so very dense prose is hard for me.",
                    "I read in English as my second language.",
                ),
                (
                    "How can I improve my English vocabulary through reading? English is my second language "
                    "and I still look up a lot of words.",
                    "Graded readers for adults? I'm {Brazilian|Polish|Korean} and English is my second "
                    "language.",
                    "Do English audiobooks help with listening skills? English is my second language and "
                    "I'm still improving.",
                ),
            ),
        ),
        facet(
            "access",
            "budget",
            "where I get books: library, buying, ebooks",
            fact(
                "library",
                "Available at the public library",
                "The user borrows books from the library rather than buying them.",
                "borrows from the public library, doesn't buy books",
                (
                    "I don't buy books anymore; I borrow everything from the library.",
                    "Everything I read comes from the public library.",
                ),
                (
                    "How do library holds work? I borrow all my books from the public library and the "
                    "waiting "
                    "list for popular titles is long.",
                    "Can you borrow ebooks from the library? I stopped buying books and use the public "
                    "library.",
                    "How many books can you borrow from a public library at once? I use my library card for "
                    "all my reading.",
                ),
            ),
        ),
    ),
    fillers(
        "How do you keep track of books you want to read? My list is scattered across {notes|screenshots}.",
        "Is it okay to stop reading a book halfway? I feel guilty leaving books unfinished.",
        "How do I clean an old book that smells musty? I found it at a {flea market|garage sale}.",
        "What's the difference between a novella and a novel? I keep seeing both terms.",
        "Best way to organize a bookshelf? Mine is {chaos|sorted by nothing in particular}.",
        "How do you remember what you read? A month later I forget {most of the plot|the characters' names}.",
        "Why do some books have different titles in the UK and the US?",
        "How do book clubs pick their books? A friend asked me to help start one.",
        "Why do paperbacks turn yellow over time?",
        "How do audiobook narrators prepare? Some voices are {amazing|so good}.",
        "What's the longest novel ever published?",
        "How do I get a signed copy from an author? One is touring {nearby|in my city} soon.",
    ),
)
