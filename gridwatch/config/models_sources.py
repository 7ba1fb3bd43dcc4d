"""Where a camera's images come from. Secrets are never written in the file: only the names of the
environment variables that hold them."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from gridwatch.config.models_common import ConfigModel, EnvVarName


def _check_url(url: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise ValueError(f"{url!r} is not a {' or '.join(s + '://' for s in schemes)} URL")
    if not parts.hostname:
        raise ValueError(f"{url!r} names no host")
    if parts.username or parts.password:
        raise ValueError(
            "credentials do not go in the URL; name environment variables in username_env/password_env"
        )
    return url


class DecodeMode(StrEnum):
    """How much of an RTSP stream is decoded."""

    KEYFRAMES = "keyframes"
    FULL = "full"


class RtspSource(ConfigModel):
    """A live RTSP stream."""

    kind: Literal["rtsp"] = Field(description="Source kind: rtsp.")
    url: str = Field(description="rtsp:// or rtsps:// URL, without credentials.")
    username_env: EnvVarName | None = Field(
        default=None, description="Environment variable holding the user."
    )
    password_env: EnvVarName | None = Field(
        default=None, description="Environment variable holding the password."
    )
    transport: Literal["tcp", "udp"] = Field(default="tcp", description="RTP transport.")
    decode: DecodeMode = Field(
        default=DecodeMode.KEYFRAMES,
        description="keyframes: decode key frames only (cheap, enough at low fps); full: every frame.",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        return _check_url(url, ("rtsp", "rtsps"))


class SnapshotAuth(StrEnum):
    """HTTP authentication of a snapshot URL."""

    NONE = "none"
    BASIC = "basic"
    DIGEST = "digest"


class HttpSnapshotSource(ConfigModel):
    """A still image fetched over HTTP at each sample (e.g. an ONVIF snapshot URI)."""

    kind: Literal["http_snapshot"] = Field(description="Source kind: http_snapshot.")
    url: str = Field(description="http:// or https:// URL of a JPEG snapshot, without credentials.")
    auth: SnapshotAuth = Field(
        default=SnapshotAuth.NONE, description="HTTP authentication: none, basic or digest."
    )
    username_env: EnvVarName | None = Field(
        default=None, description="Environment variable holding the user."
    )
    password_env: EnvVarName | None = Field(
        default=None, description="Environment variable holding the password."
    )
    timeout_s: float = Field(default=5.0, gt=0, le=60, description="Seconds to wait for one snapshot.")

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        return _check_url(url, ("http", "https"))

    @model_validator(mode="after")
    def _credentials_for_auth(self) -> Self:
        if self.auth is not SnapshotAuth.NONE and not (self.username_env and self.password_env):
            raise ValueError(f"auth {self.auth.value} needs username_env and password_env")
        return self


class FileSource(ConfigModel):
    """A recorded video file (replay, demos, tests)."""

    kind: Literal["file"] = Field(description="Source kind: file.")
    path: str = Field(min_length=1, description="Video file; relative paths are from the working directory.")
    realtime: bool = Field(
        default=True, description="Pace frames at their capture times rather than at once."
    )
    loop: bool = Field(default=False, description="Start again at the end of the file.")


class FolderTimestamps(StrEnum):
    """Where an image folder's capture times come from."""

    SIDECAR = "sidecar"
    MTIME = "mtime"


class ImageFolderSource(ConfigModel):
    """A folder of still images taken in order (snapshot archives, tests)."""

    kind: Literal["image_folder"] = Field(description="Source kind: image_folder.")
    path: str = Field(
        min_length=1, description="Folder of images; relative paths are from the working directory."
    )
    pattern: str = Field(default="*.jpg", min_length=1, description="Glob of the image files in the folder.")
    timestamps: FolderTimestamps = Field(
        default=FolderTimestamps.MTIME,
        description="sidecar: a JSON file beside each image has its capture time; mtime: file mtime.",
    )


CameraSource = Annotated[
    RtspSource | HttpSnapshotSource | FileSource | ImageFolderSource, Field(discriminator="kind")
]
"""A camera's image source; ``kind`` selects which."""
