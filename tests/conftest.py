"""Test-wide environment: nothing reaches the network or the user's own Prefect home."""

import os
import tempfile
from pathlib import Path

# Before Prefect is imported anywhere: a private home (database, results), no telemetry.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="pressroom-tests-prefect-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_LOGGING_LEVEL"] = os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("PRESSROOM_FETCH_ALLOW_HOSTS", None)
# Content-credential keys made for this session, never the checkout's own .pressroom/keys.
os.environ["PRESSROOM_KEYS_DIR"] = str(Path(os.environ["PREFECT_HOME"]) / "keys")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "pages"
