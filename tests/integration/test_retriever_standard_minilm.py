"""langchain-tests' ``RetrieversIntegrationTests`` on the dense retriever with real MiniLM embeddings."""

from __future__ import annotations

import pytest

from tests.unit.test_retriever_standard import _ProfileRetrieverSuite

pytestmark = [pytest.mark.slow, pytest.mark.anyio]  # anyio runs the suite's async test


class TestMiniLMRetrieverStandard(_ProfileRetrieverSuite):
    embedding = "minilm"
    mode = "dense"
