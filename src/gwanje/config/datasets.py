"""Where the public labelled datasets live: one setting, ``GWANJE_DATASETS``, for evaluation, training and tests.

The datasets are never part of the project (licences, size); they sit beside it. The default,
``../shared/datasets``, is read from the working directory, which is the project root for ``make``,
the tests and the documented commands.
"""

from __future__ import annotations

import os
from pathlib import Path

DATASETS_ENV = "GWANJE_DATASETS"
DEFAULT_DATASETS = Path("..") / "shared" / "datasets"


def datasets_root() -> Path:
    """The datasets folder: ``$GWANJE_DATASETS`` when set, else ``../shared/datasets`` (absolute, may not exist)."""
    configured = os.environ.get(DATASETS_ENV, "").strip()
    return Path(configured).expanduser().resolve() if configured else DEFAULT_DATASETS.resolve()


def dataset(name: str) -> Path:
    """One dataset folder under :func:`datasets_root` (may not exist; callers say so and what to do)."""
    return datasets_root() / name
