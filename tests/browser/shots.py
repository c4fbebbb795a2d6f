"""Where browser tests save their screenshots: ``$HELPDESK_SHOTS/<name>`` when set, else
``artifacts/screenshots/<name>`` in the checkout (git-ignored); made if missing."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shots_dir(name: str) -> Path:
    base = os.environ.get("HELPDESK_SHOTS")
    folder = (Path(base) if base else ROOT / "artifacts" / "screenshots") / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
