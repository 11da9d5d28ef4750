"""Where keepline keeps its data, from the environment."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """``$KEEPLINE_HOME`` (default ``~/.keepline``), created on first use."""
    path = Path(os.environ.get("KEEPLINE_HOME") or Path.home() / ".keepline").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """``$KEEPLINE_DATABASE_URL``, or the embedded SQLite file in :func:`home`."""
    url = os.environ.get("KEEPLINE_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{home() / 'keepline.db'}"
