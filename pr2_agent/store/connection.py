"""How the profile store reaches Chroma, and how backend failures are reported.

Three ways to connect, one per deployment:

- a directory (``chromadb.PersistentClient``): simplest, but **one process per directory** - a second
  process opening the same path can block for minutes on SQLite locks (chroma issues #961, #3792);
- a server URL (``chromadb.HttpClient``) of a ``chroma run --path DIR --host 127.0.0.1 --port 8000``
  server: the way to share one store between several processes (dev server, trainer ranks, eval);
- a ready client (tests pass ``chromadb.EphemeralClient()``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.config import Settings
from chromadb.errors import ChromaError

from pr2_agent.context import DEFAULT_STORE_PATH
from pr2_agent.store.errors import ProfileStoreError

logger = logging.getLogger(__name__)

"""Default store directory, relative to the working directory (never a home directory)."""

_BACKEND_ERRORS: tuple[type[BaseException], ...] = (ChromaError, httpx.HTTPError, OSError)


@dataclass(frozen=True)
class Connection:
    """A Chroma client plus what to tell the user when it fails."""

    client: ClientAPI
    """The Chroma client."""
    location: str = "given Chroma client"
    """Human-readable place the data lives, used in messages."""
    hint: str = "Check that the Chroma client passed to the store is still usable."
    """What to check when a backend call fails."""
    shared: bool = False
    """True when other processes may write concurrently (a server), so derived caches can go stale."""


def connect(
    path: str | Path | None = None, *, url: str | None = None, client: ClientAPI | None = None
) -> Connection:
    """Open a Chroma client from exactly one of a directory, a server URL or a ready client.

    Args:
        path: Store directory for an embedded ``PersistentClient`` (default ``./.pr2/store``). Only one
            process may use a directory at a time.
        url: ``http(s)://host:port`` of a ``chroma run`` server, for use from several processes.
        client: An existing Chroma client, used as is.

    Raises:
        ValueError: More than one source was given, or the URL is malformed.
        ProfileStoreError: The directory cannot be opened or the server cannot be reached.
    """
    given = [name for name, value in (("path", path), ("url", url), ("client", client)) if value is not None]
    if len(given) > 1:
        raise ValueError(
            f"Pass only one of path, url or client to open a profile store; got {' and '.join(given)}. "
            "Use url for a shared 'chroma run' server, path for a single-process local directory."
        )
    if client is not None:
        return Connection(client=client)
    if url is not None:
        return _connect_http(url)
    return _connect_directory(_checked_directory(path) if path is not None else Path(DEFAULT_STORE_PATH))


def _checked_directory(path: object) -> Path:
    """Refuse a store path that cannot be meant: blank (it would open the current directory), or a file."""
    if not isinstance(path, str | Path):
        raise ValueError(
            f"The store path must be a directory path (str or Path), got {type(path).__name__} {path!r:.60}. "
            f"Pass e.g. {DEFAULT_STORE_PATH!r}, or url='http://HOST:PORT' for a Chroma server."
        )
    if not str(path).strip():
        raise ValueError(
            f"The store path is empty ({str(path)!r}): it would open the current directory as the store. "
            f"Pass a directory, e.g. {DEFAULT_STORE_PATH!r} (the default when the path is left out)."
        )
    directory = Path(path).expanduser()
    if directory.exists() and not directory.is_dir():
        raise ValueError(
            f"The store path {str(directory)!r} is a file, not a directory. Pass the directory the store "
            f"lives in (created on first use), e.g. {DEFAULT_STORE_PATH!r}."
        )
    return directory


def _settings() -> Settings:
    return Settings(anonymized_telemetry=False)


def _connect_directory(path: Path) -> Connection:
    location = f"store directory {str(path)!r}"
    hint = (
        f"A store directory belongs to one process at a time: if another process has {str(path)!r} open, "
        f"stop it, or serve the directory with `chroma run --path {path} --host 127.0.0.1 --port 8000` "
        "and connect every process through url='http://127.0.0.1:8000' (--chroma-url)."
    )
    try:
        client = chromadb.PersistentClient(path=str(path), settings=_settings())
    except _BACKEND_ERRORS as exc:
        raise ProfileStoreError(f"Could not open the {location}: {exc}. {hint}") from exc
    return Connection(client=client, location=location, hint=hint, shared=False)


def _connect_http(url: str) -> Connection:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
        raise ValueError(
            f"Invalid Chroma server URL {url!r}: expected http://HOST:PORT, e.g. 'http://127.0.0.1:8000'."
        )
    ssl = parts.scheme == "https"
    port = port if port is not None else (443 if ssl else 8000)
    start = f"`chroma run --path {Path(DEFAULT_STORE_PATH)} --host {parts.hostname} --port {port}`"
    hint = (
        f"Check that the Chroma server at {url} is running (start one with {start}; "
        "the `chroma` command ships with the chromadb package)."
    )
    try:
        # Chroma's HTTP client checks the server on construction and raises a bare ValueError.
        client = chromadb.HttpClient(host=parts.hostname, port=port, ssl=ssl, settings=_settings())
    except (ChromaError, httpx.HTTPError, OSError, ValueError) as exc:
        raise ProfileStoreError(
            f"Could not reach a Chroma server at {url} ({exc}). Start one with {start} "
            "(the `chroma` command ships with the chromadb package), or drop the URL to use a local "
            "single-process store directory."
        ) from exc
    return Connection(client=client, location=f"Chroma server {url}", hint=hint, shared=True)


@contextmanager
def backend_errors(action: str, connection: Connection) -> Iterator[None]:
    """Re-raise Chroma/transport failures inside the block as ProfileStoreError with a hint.

    Args:
        action: What was being done, completing "Chroma failed to ..." (e.g. "search user 'u1'").
        connection: Where the data lives and what to check.
    """
    try:
        yield
    except _BACKEND_ERRORS as exc:
        raise ProfileStoreError(
            f"Chroma failed to {action} in the {connection.location}: {type(exc).__name__}: {exc}. "
            f"{connection.hint}"
        ) from exc
