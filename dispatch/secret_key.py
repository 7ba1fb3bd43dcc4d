"""The key that signs resident rating links: from the settings, else a random key in the data dir."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dispatch.settings import DispatchSettings

KEY_FILE = "dispatch.key"


def rating_link_key(settings: DispatchSettings) -> bytes:
    """``GW_DISPATCH_SECRET`` when set; else ``DATA_DIR/dispatch.key``, created (mode 600) on first use."""
    if settings.secret is not None:
        value = settings.secret.get_secret_value()
        if len(value) < 16:
            raise ValueError("GW_DISPATCH_SECRET must be at least 16 characters")
        return value.encode("utf-8")
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    text = Path(path).read_text(encoding="ascii").strip()
    if len(text) < 32:
        raise ValueError(f"{path} holds a key shorter than 32 characters; delete it to make a new one")
    return text.encode("ascii")
