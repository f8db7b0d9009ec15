"""LaMP-QA records as GRPO training rows, and the profile store the rollouts search.

One LaMP-QA question belongs to one user, so a record's ``id`` is both the question id and the
user id its profile is stored under (the same convention ``pr2 eval`` uses). A row carries what the
trainer and reward functions need; the profile itself lives only in the store and is reached by
the policy through ``<search>``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pr2_agent.data.lampqa import LaMPQARecord
from pr2_agent.parsing import render_user_prompt
from pr2_agent.store import DEFAULT_COLLECTION, ProfileStore, RetrievalMode, open_profile_store

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from datasets import Dataset

logger = logging.getLogger(__name__)

ROW_FIELDS: tuple[str, ...] = (
    "prompt",
    "record_id",
    "user_id",
    "question",
    "narrative",
    "rubric_aspects",
    "category",
)
"""Columns of a training row. ``prompt`` is the agent's user turn (conversational format)."""


def record_to_row(record: LaMPQARecord) -> dict[str, Any]:
    """Convert one LaMP-QA record into a training row.

    The prompt is the same user message the graph sends the policy, so TRL's logs and the
    rollouts agree on what the model saw.
    """
    return {
        "prompt": [{"role": "user", "content": render_user_prompt(record.question)}],
        "record_id": record.id,
        "user_id": record.id,
        "question": record.question,
        "narrative": record.narrative,
        "rubric_aspects": [
            {"aspect": a.aspect, "reason": a.reason, "evidence": a.evidence} for a in record.rubric_aspects
        ],
        "category": record.category or "",
    }


def records_to_rows(records: Sequence[LaMPQARecord]) -> list[dict[str, Any]]:
    """Convert records into rows, rejecting an empty list (nothing to train on)."""
    if not records:
        raise ValueError(
            "no LaMP-QA records to train on: the data file is empty. Point --train_file at a LaMP-QA "
            "JSON file (e.g. pr2_agent/data/devset/train.json)."
        )
    return [record_to_row(r) for r in records]


def records_dataset(records: Sequence[LaMPQARecord]) -> Dataset:
    """Return the rows as a ``datasets.Dataset`` (the form ``GRPOTrainer`` takes)."""
    from datasets import Dataset

    return Dataset.from_list(records_to_rows(records))


def ensure_profile_store(
    records: Sequence[LaMPQARecord],
    path: str | Path | None,
    *,
    url: str | None = None,
    collection: str = DEFAULT_COLLECTION,
    embedding: str = "minilm",
    retriever: RetrievalMode = "dense",
    client: ClientAPI | None = None,
    progress: bool = False,
) -> ProfileStore:
    """Open the profile store and make sure every record's user profile is in it.

    Ingestion is the evaluator's (``pr2 eval``), so training and evaluation store profiles the
    same way: users already stored with the right item count are skipped (a second run costs one
    count query per user), a user with a different count is replaced, over-long texts are cut to
    the store's limit.

    Args:
        records: The training records; each record's ``profile`` is stored under ``record.id``.
        path: Store directory (ignored with ``url`` or ``client``).
        url: A ``chroma run`` server instead of a directory.
        collection: Chroma collection name.
        embedding: ``minilm`` or ``hash``; must match how the collection was built.
        retriever: ``dense`` or ``bm25``.
        client: A ready Chroma client (tests pass ``chromadb.EphemeralClient()``).
        progress: Show a progress bar while ingesting.

    Returns:
        The open store.
    """
    from pr2_agent.evaluation.runner import ensure_profiles

    store = open_profile_store(
        None if (url or client) else path,
        url=url,
        collection=collection,
        embedding=embedding,
        retriever=retriever,
        client=client,
    )
    empty = [r.id for r in records if not r.profile]
    if empty:
        logger.warning("%d record(s) have an empty profile (their searches find nothing): %s", len(empty), empty[:5])
    ensure_profiles(store, records, progress=progress)
    return store
