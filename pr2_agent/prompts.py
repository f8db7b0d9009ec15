"""Every prompt and protocol tag in pr2-agent, in one place.

The agent protocol (tags, instruction, corrective and forced-answer observations) follows PR2's
official instruction text and Search-R1's loop. The LaMP-QA judge and baseline prompts are the
benchmark's own, verbatim: scores are only comparable with published numbers if these strings match.
Change a string here and bump ``PROMPT_VERSION``: exported trajectories record it.
"""

from __future__ import annotations

PROMPT_VERSION = "pr2-v1"

# ---------------------------------------------------------------------------------------------
# Protocol tags. parsing.py builds its patterns from these names; nothing else spells a tag.
THINK_TAG = "think"
SEARCH_TAG = "search"
INFORMATION_TAG = "information"
ANSWER_TAG = "answer"
PROTOCOL_TAGS: tuple[str, ...] = (THINK_TAG, SEARCH_TAG, INFORMATION_TAG, ANSWER_TAG)


def open_tag(name: str) -> str:
    """Return ``<name>``."""
    return f"<{name}>"


def close_tag(name: str) -> str:
    """Return ``</name>``."""
    return f"</{name}>"


# Generation stops right after the model closes one of these: the environment acts next.
STOP_STRINGS: tuple[str, ...] = (close_tag(SEARCH_TAG), close_tag(ANSWER_TAG))

# ---------------------------------------------------------------------------------------------
# PR2 policy instruction (ANS_FORMAT_HEADER in the PR2 authors' code, verbatim).
PR2_INSTRUCTION = (
    "Your task is to generate a personalized response to the user's question. To do this, you can perform "
    "a series of actions, including thinking in <think> and </think> tags, searching for information from "
    "the user's past interactions with the system (i.e., previously asked questions and detailed information "
    "needs) by generating a search query in <search> and </search> tags, and finally providing the answer in "
    "<answer> and </answer> tags. The retrieved information from user history will be provided to you inside "
    "<information> and </information> tags. You need to first think about the question and how to generate a "
    "personalized answer for the user. In this thinking process, you should try to understand the user's "
    "preferences and needs based on their past interactions with the system. The thinking process should be "
    "inside <think> and </think> tags, and the final answer should be inside <answer> and </answer> tags. If "
    "you need to search for information about the user from their history, you can do this by generating a "
    "non-empty search query inside <search> and </search> tags. The retrieved information will be provided to "
    "you inside <information> and </information> tags. You can use this information in the thinking process "
    "and answer generation. Nothing should be outside the mentioned tags except the initial question provided "
    "to you. Now, answer the following question:"
)

# The user turn of the agent: instruction, then the question (PR2's "van" layout; the profile is
# reached only through <search>, never pre-inserted).
PR2_USER_TEMPLATE = "{instruction}\n\nQuestion:\n{question}\n"

# One line per retrieved item inside <information> (PR2's info_block format, 1-based).
INFORMATION_ITEM_TEMPLATE = "[{rank}] (PROFILE, score={score:.3f}) {text}"
# What the environment inserts after a search: blank lines around the block as in Search-R1.
INFORMATION_BLOCK_TEMPLATE = "\n\n<information>\n{items}\n</information>\n\n"
EMPTY_PROFILE_TEXT = "(no matching items in this user's history)"
NO_PROFILE_ACCESS_TEXT = "(the user's history is not available for this question)"

# Search-R1's corrective observation for an action that is neither a search nor an answer.
INVALID_ACTION_OBSERVATION = (
    "\n\nMy previous action is invalid. If I want to search, I should put the query between <search> and "
    "</search>. If I want to give the final answer, I should put the answer between <answer> and </answer>. "
    "Let me try again.\n\n"
)

# Inserted when the search budget is spent (or the corrective turn failed too). It ends by opening
# <answer>, so a completion-style model can only continue with the answer; a chat model sees the
# same text as an instruction.
FORCED_ANSWER_OBSERVATION = (
    "\n\n<information>\nNo more searches are possible. Write the final answer now.\n</information>\n\n<answer>"
)

# ---------------------------------------------------------------------------------------------
# LaMP-QA baselines (official data/formetters.py, verbatim). Generators answer in a JSON block.
NOPERS_SYSTEM_PROMPT = (
    "You are a helpful assistant designed to generate personalized responses to user questions.  Your output "
    "should be a valid json object in ```json ``` block that contains the following fields:\n"
    "   - personalized_answer: contains the personalized answer to the user's current question."
)
NOPERS_USER_TEMPLATE = "{question}"

RAG_SYSTEM_PROMPT = (
    "You are a helpful assistant designed to generate personalized responses to user questions. Your task is "
    "to answer a user's question from a post in a personalized way by considering this user's past post "
    "questions and detailed descriptions of these questions.\n"
    "# Your input:\n"
    "    - The user's current question from a post.\n"
    "    - The user's past post questions and detailed descriptions of these questions.\n"
    "# Your task: Answer the user's current question in a personalized way by considering this user's past "
    "post questions and detailed descriptions of these questions, to learn about the user's preferences.\n"
    "# Your output: You should generate personalized answer to the user's current question by considering "
    "this user's past post questions and detailed descriptions of these questions to learn about user's "
    "preferences. Your output should be a valid json object in ```json ``` block that contains the following "
    "fields:\n"
    "    - personalized_answer: contains the personalized answer to the user's current question considering "
    "the this user's past post questions and detailed descriptions of these questions to learn about user's "
    "preferences.\n"
)
RAG_USER_TEMPLATE = (
    "\n# Past post questions and detailed descriptions of these questions:\n{profile}\n"
    "# Current post question:\n{question}\n"
)
# LaMP-QA joins the retrieved profile texts with a blank line.
RAG_PROFILE_SEPARATOR = "\n\n"

# PlanPers (LaMP-QA's planning baseline; data/formetters.py of the benchmark's code, verbatim as kept in
# the oz03-hub/D-RAG fork): a planner lists the aspects the user expects from the question and the
# retrieved profile (user turn = RAG_USER_TEMPLATE), then the generator answers with that plan.
PLANPERS_PLANNER_SYSTEM_PROMPT = (
    "You are a helpful assistant designed to generate the topics that user might expect to see in a response "
    "to their question. Your task is to extract the important aspects that the user expects to see in a "
    "response to their question considering the previous questions asked by the same user and the detailed "
    "information need they provided in the post.\n"
    "# Your input:\n"
    "    - The user's current question.\n"
    "    - The user's past post questions and detailed descriptions of these questions.\n"
    "# Your task: Extract the important aspects that the user expects to see in a response to their question "
    "considering the previous questions asked by the same user and the detailed information need they provided "
    "in the post.\n"
    "# Your output: You should generate a list of aspects that are important for the user to be included in the "
    "response to their question. \n"
)
PLANPERS_SYSTEM_PROMPT = (
    "You are a helpful assistant designed to generate personalized responses to user questions. Your task is "
    "to answer a user's question from a post in a personalized way by considering this user's past post "
    "questions and detailed descriptions of these questions. Additionally, you are provided with the aspects "
    "that the user expects to see in the response to their question, which you can use to generate a "
    "personalized answer.\n\n"
    "# Your input:\n"
    "    - The user's current question from a post.\n"
    "    - The user's past post questions and detailed descriptions of these questions.\n"
    "    - The aspects that the user expects to see in the response to their question.\n"
    "# Your task: Answer the user's current question in a personalized way by considering this user's past "
    "post questions and detailed descriptions of these questions, to learn about the user's preferences. "
    "Additionally, you should consider the aspects that the user expects to see in the response to their "
    "question.\n"
    "# Your output: You should generate personalized answer to the user's current question by considering "
    "this user's past post questions and detailed descriptions of these questions to learn about user's "
    "preferences. Additionally, you should consider the aspects that the user expects to see in the response "
    "to their question. Your output should be a valid json object in ```json ``` block that contains the "
    "following fields: \n"
    "    - personalized_answer: contains the personalized answer to the user's current question considering "
    "the this user's past post questions and detailed descriptions of these questions to learn about user's "
    "preferences.\n"
)
PLANPERS_USER_TEMPLATE = (
    "\n# Past post questions and detailed descriptions of these questions:\n{profile}\n"
    "# Current post question:\n{question}\n"
    "# Aspects expected in the response:\n{aspects}\n"
)

# ---------------------------------------------------------------------------------------------
# LaMP-QA evaluator (official evaluation/evaluator.py, verbatim). One call per (response, aspect).
LAMPQA_JUDGE_SYSTEM_PROMPT = """You are a fair and insightful judge with exceptional reasoning and analytical abilities. Your task is to evaluate a user's question, a generated response to that question, and an aspect that is important to the user. Based on this information, identify if the aspect is addressed in the generated response. Provide a clear and accurate assessment.

# your input:
    - question: the question asked by the user.
    - details: the detailed explanation of the question from the user.
    - response: a generated response to the user's question
    - aspect: the aspect that is important to the user, consisting of the following fields:
        - aspect: the title for the aspect.
        - reason: the reason that this aspect is important for the user.
        - evidence: the evidence from the user detailed explanation that the aspect extracted from.

# your output: Your output should be only a valid json object in ```json ``` block without any explanations that contains the following fields:
    - match_score: A score between 0 to 2 that indicates how well the generated response addresses this aspect, where: 0 means the response does not cover this aspect, 1 means the response somewhat covers this aspect, and 2 means the response covers this aspect very well."""  # noqa: E501

LAMPQA_JUDGE_USER_TEMPLATE = (
    "\nquestion: {question}\ndetails: {narrative}\nresponse: {response}\n"
    "aspect: -aspect: {aspect}\n    -reason: {reason}\n    -evidence: {evidence}\n\n"
    "Your output should be only a valid json object in ```json ``` block without any explanations.\n"
)

# Offline proxy judge (yes/no question per aspect, scored from the local model's probabilities).
# Not the benchmark's protocol: outputs that use it are labelled as a proxy.
PROXY_JUDGE_TEMPLATE = (
    "Question: {question}\nWhat the user needs: {aspect} ({reason})\nResponse: {response}\n\n"
    "Does the response address what the user needs? Answer Yes or No."
)

# ---------------------------------------------------------------------------------------------
# PrLM (Zhang et al., 2025; config_lamp{4,5,7}.yaml of the authors' code): the system prompt verbatim
# (including its closing full-width full stop). PrLM's user turn is LaMP's RAG prompt with a per-task
# instruction and a {'title': ...} reply format; here the LaMP input already carries the task's
# instruction, so the user turn keeps PrLM's frame (profiles first, then the input) and the task
# parses the <answer> span as it parses any output.
PRLM_SYSTEM_PROMPT = (
    "You are a professional personalized recommendation assistant, capable of accurately inferring user "
    "preferences as well as the preferences implied by the current query based on historical records, and the "
    "content of the query. You first analyze the user's historical behavior patterns, past expressions of "
    "preferences, and the context of the current query, and then combine this information for comprehensive "
    "reasoning. You treat the reasoning process as an internal monologue, then provide the answer to the user. "
    "Use the following format to reply: <think>\n...\n</think>\n<answer>\n......\n</answer>。"
)
PRLM_USER_TEMPLATE = (
    "The historical profiles are as follows:\n{profiles}\n"
    "Based on the historical profiles provided, reply to the user's input without explanation, and use only "
    "English.\n{question}"
)
# One retrieved item per line, best first (PrLM joins its rendered profiles with newlines).
PRLM_PROFILE_ITEM_TEMPLATE = "{text}"
# Without profile access (the reward model's rejected outputs; an empty profile): the input alone.
PRLM_NO_PROFILE_TEMPLATE = "{question}"

# ---------------------------------------------------------------------------------------------
# TagPR: tagged reasoning chains over the user's history (issue 13). The paper ("Tagging the Thought",
# arXiv 2509.23140) reports nine primary tags but publishes neither their names nor their text: the
# nine below, their definitions, examples and order rules (pr2_agent/tags.py) are this project's design.
# Each entry: (tag, definition, example). Order here is the canonical order of a chain.
TAGPR_PROMPT_VERSION = "tagpr-v1"
TAGPR_TAGS: tuple[tuple[str, str, str], ...] = (
    (
        "analyze_input",
        "what the current input is about and which outputs it allows",
        "The movie fits sci-fi, psychology and thought-provoking.",
    ),
    (
        "examine_history",
        "read the user's past items that bear on this input, citing them by number",
        "[1] and [3] are headlines this user wrote for local news articles.",
    ),
    (
        "identify_pattern",
        "name what recurs across those past items",
        "Every title in [1]-[4] starts with 'Explainer: why'.",
    ),
    (
        "weigh_evidence",
        "settle conflicting or thin evidence: which items count and how much",
        "[5] breaks the pattern, but it is one item against four, so the pattern holds.",
    ),
    (
        "infer_preference",
        "state the user's habit or preference as a rule",
        "This user frames headlines as explainers of why something matters.",
    ),
    (
        "relate_to_input",
        "apply that rule to the current input",
        "Here the article is about a heatwave in Lakeview, so explain why it matters there.",
    ),
    (
        "consider_alternatives",
        "name another output the input allows and why it fits this user less",
        "A neutral 'Heatwave hits Lakeview' fits the article but not this user's frame.",
    ),
    (
        "draft",
        "write a candidate output",
        "Explainer: why a heatwave matters for Lakeview",
    ),
    (
        "check_draft",
        "check the draft against the user's pattern and the input before answering",
        "The draft keeps the 'Explainer: why ... matters for ...' frame and names the article's topic.",
    ),
)

# The policy's user turn: short tag list (a 135M model pays for every prompt token), the user's
# history as numbered items, then the input. {tags} is one "<tag>: definition" line per tag.
TAGPR_INSTRUCTION = (
    "Write the output this user would write for the input below. First reason about the user's history, "
    "one step per tag, choosing from these tags:\n{tags}\n"
    "Always use <examine_history>, <infer_preference> and <relate_to_input>. Then write only the final output "
    "inside <answer> and </answer>. Nothing may appear outside the tags."
)
TAGPR_USER_TEMPLATE = "{instruction}\n\nThe user's history:\n{history}\n\nInput:\n{question}\n"
TAGPR_HISTORY_ITEM_TEMPLATE = "[{rank}] {text}"
TAGPR_EMPTY_HISTORY_TEXT = "(no items in this user's history)"

# A teacher (any OpenAI-compatible model) gets every tag with its definition and example.
TAGPR_TEACHER_SYSTEM_PROMPT = (
    "You reason about one user's history before writing the output that user would write. Write each "
    "reasoning step inside exactly one of these tags (definition, then an example):\n{tags}\n"
    "Use <examine_history>, <infer_preference> and <relate_to_input> in every answer, keep each step to one "
    "or two sentences, then give only the final output inside <answer> and </answer>."
)
TAGPR_TEACHER_TAG_LINE = "<{tag}>: {definition}. Example: <{tag}>{example}</{tag}>"

# Labelling a step of free-form reasoning with one tag (teacher labelling of untagged chains).
TAGPR_LABEL_SYSTEM_PROMPT = (
    "You label one step of a reasoning chain about a user's history with exactly one tag. Tags:\n{tags}\n"
    "Reply with the tag name only."
)
TAGPR_LABEL_USER_TEMPLATE = "Step: {step}\nTag:"
