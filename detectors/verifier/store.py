"""Where trained verifiers are kept by default, and the list of them (for `gridwatch models list`).

``$GW_VERIFIER_DIR``, else ``~/.cache/gridwatch/verifiers``: one folder per verifier, named by its id.
Listing reads each ``verifier.json`` only (no model is opened).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from detectors.verifier.runtime import INFO_FILE, VerifierInfo

VERIFIER_DIR_ENV = "GW_VERIFIER_DIR"


def verifier_store_dir() -> Path:
    """The verifier store's root."""
    configured = os.environ.get(VERIFIER_DIR_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "gridwatch" / "verifiers"


def list_verifiers(root: Path) -> tuple[list[tuple[Path, VerifierInfo]], list[str]]:
    """The verifiers under ``root`` (oldest first) and a line for each folder that is not a readable one."""
    found: list[tuple[Path, VerifierInfo]] = []
    problems: list[str] = []
    if not root.is_dir():
        return found, problems
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            found.append((folder, VerifierInfo.model_validate_json((folder / INFO_FILE).read_text("utf-8"))))
        except (OSError, ValidationError) as error:
            problems.append(f"{folder}: not a verifier ({type(error).__name__})")
    found.sort(key=lambda item: item[1].created_at)
    return found, problems
