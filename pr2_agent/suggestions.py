""""Did you mean ...?": the closest known name to a mistyped one, for error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(given: str, known: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` naming the known name closest to ``given``, or ``""`` if none is close.

    >>> did_you_mean("embeded", ["embedded", "embedded-base"])
    " Did you mean 'embedded'?"
    >>> did_you_mean("zzz", ["embedded"])
    ''
    """
    names = [str(name) for name in known]
    close = difflib.get_close_matches(given, names, n=1, cutoff=0.6)
    if not close:
        # A different case or a missing prefix/suffix ("RAG", "pr") is still a likely typo.
        folded = {name.lower(): name for name in names}
        close = [folded[given.lower()]] if given.lower() in folded else []
    return f" Did you mean {close[0]!r}?" if close else ""
