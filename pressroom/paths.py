"""Where Pressroom finds the files it ships beside its code."""

import os
from pathlib import Path

ASSETS_DIR_ENV = "PRESSROOM_ASSETS_DIR"


def assets_dir() -> Path:
    """The `assets/` folder beside the `pressroom/` package, or $PRESSROOM_ASSETS_DIR if set."""
    override = os.environ.get(ASSETS_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1] / "assets"
