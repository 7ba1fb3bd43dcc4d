"""Evidence snapshots for the pages: where the detector's local folder store keeps them, and how a page
fetches one.

The detector's :class:`~detectors.evidence.stores.LocalFolderStore` writes
``<camera>/<date>/<time>-<seq>.jpg`` under ``$GW_DATA_DIR/evidence`` and puts a ``file://`` URL (or
``base_url`` + key) in the incident. A browser cannot read ``file://``: the API serves that folder read-only
at ``/evidence/<key>`` and every case carries ``evidence_view_url``, the address a page uses. Keys are
checked so that nothing outside the folder is read.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

ROUTE_PREFIX = "/evidence/"
"""Where the API serves the evidence folder."""

_KEY_PART = re.compile(r"[A-Za-z0-9._-]+")


class EvidenceKeyError(ValueError):
    """A requested key that is not a plain relative path inside the evidence folder."""


class EvidenceFolder:
    """The local evidence folder, read-only."""

    def __init__(self, root: Path, public_base_url: str | None = None) -> None:
        self.root = root.resolve()
        self._public_prefix = None if public_base_url is None else public_base_url.rstrip("/") + ROUTE_PREFIX

    def path_of(self, key: str) -> Path:
        """The file of ``key`` (``camera/date/name.jpg``); :class:`EvidenceKeyError` for anything that is
        not a relative path of plain names, or that would leave the folder."""
        if not key or key.startswith("/") or "\\" in key:
            raise EvidenceKeyError(f"evidence key {key!r} is not a relative path like camera/date/name.jpg")
        parts = key.split("/")
        for part in parts:
            if part in (".", "..") or not _KEY_PART.fullmatch(part):
                raise EvidenceKeyError(
                    f"evidence key {key!r} has a part {part!r} that is not a plain name "
                    "(letters, digits, . _ -)"
                )
        path = (self.root / PurePosixPath(*parts)).resolve()
        if not path.is_relative_to(self.root):
            raise EvidenceKeyError(f"evidence key {key!r} leaves the evidence folder")
        return path

    def key_of(self, evidence_url: str) -> str | None:
        """The key of a URL the local store produced (``file://`` under the folder, or the public route)."""
        parts = urlsplit(evidence_url)
        if parts.scheme == "file":
            try:
                relative = Path(unquote(parts.path)).resolve().relative_to(self.root)
            except ValueError:
                return None
            return relative.as_posix()
        if self._public_prefix is not None and evidence_url.startswith(self._public_prefix):
            return unquote(evidence_url[len(self._public_prefix) :])
        return None


def view_url(folder: EvidenceFolder | None, evidence_url: str | None) -> str | None:
    """Where a page loads ``evidence_url`` from: ``/evidence/<key>`` for the local folder (fetched with the
    page's token), the URL itself when it is http(s) elsewhere, None when a browser cannot load it."""
    if not evidence_url:
        return None
    if folder is not None:
        key = folder.key_of(evidence_url)
        if key is not None:
            try:
                folder.path_of(key)
            except EvidenceKeyError:
                return None
            return ROUTE_PREFIX + key
    if urlsplit(evidence_url).scheme in ("http", "https"):
        return evidence_url
    return None
