"""The push channels, keyed by kind, and the push settings file built from their sections.

Every channel is one module that defines its settings section (a
:class:`~dispatch.push.settings.ChannelSettings` with ``kind: Literal[...]``), its sender and a
:class:`~dispatch.push.channel.ChannelPlugin`; registering it is one line in :data:`CHANNELS`. The settings
file has one optional section per registered kind, under the kind's name, plus ``retry``::

    webpush: {vapid_private_key_file: var/vapid_private.pem, subject: "mailto:ops@example.org"}
    wecom: {corp_id: ww1, agent_id: 1000002, secret_env: GW_WECOM_SECRET}
    retry: {attempts_per_channel: 3}

The sections are validated as one pydantic union discriminated by ``kind`` (filled in from the key), so a
section is checked against the model of exactly its channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, Union

import yaml
from pydantic import Field, ValidationError, model_validator

from dispatch.push import dingtalk, sms_gateway, webpush, wecom
from dispatch.push.channel import ChannelPlugin
from dispatch.push.settings import ChannelSettings, RetrySettings, _Settings
from dispatch.push.webpush import WebPushSettings

CHANNELS: tuple[ChannelPlugin[Any], ...] = (
    webpush.PLUGIN,
    wecom.PLUGIN,
    dingtalk.PLUGIN,
    sms_gateway.PLUGIN,
)
"""Every channel a dispatch process can send on (a new channel: its module, and one line here)."""

PLUGINS: Mapping[str, ChannelPlugin[Any]] = {plugin.kind: plugin for plugin in CHANNELS}
"""The channels by kind (the ``kind`` of the people's channels in the site file)."""

if len(PLUGINS) != len(CHANNELS):  # pragma: no cover - a registration mistake, caught by any test run
    raise RuntimeError("two push channel plugins share a kind")

if TYPE_CHECKING:
    AnyChannelSettings = ChannelSettings
else:
    AnyChannelSettings = Annotated[
        Union[tuple(plugin.settings_model for plugin in CHANNELS)],  # noqa: UP007 - built from a tuple
        Field(discriminator="kind"),
    ]

SettingsT = TypeVar("SettingsT", bound=ChannelSettings)


def plugin_for(kind: str) -> ChannelPlugin[Any]:
    """The plugin of channel ``kind``; :class:`KeyError` naming the known kinds when there is none."""
    try:
        return PLUGINS[kind]
    except KeyError:
        raise KeyError(f"no push channel {kind!r}; known: {', '.join(PLUGINS)}") from None


class PushSettings(_Settings):
    """Every push channel of a dispatch process, and how hard each one is tried."""

    channels: dict[str, AnyChannelSettings] = Field(
        default_factory=dict,
        description="Channel sections by kind (in the file: each at the top level, under its kind); "
        "a kind without a section is skipped.",
    )
    retry: RetrySettings = Field(default_factory=RetrySettings, description="Tries and backoff per channel.")

    @model_validator(mode="before")
    @classmethod
    def _sections_by_kind(cls, data: Any) -> Any:
        """The file's top-level channel sections go into ``channels``, each tagged with its kind."""
        if not isinstance(data, Mapping):
            return data
        document = dict(data)
        channels: dict[str, Any] = dict(document.pop("channels", None) or {})
        for kind in PLUGINS:
            if kind not in document:
                continue
            section = document.pop(kind)
            if section is None:
                continue
            channels[kind] = {"kind": kind, **section} if isinstance(section, Mapping) else section
        document["channels"] = channels
        return document

    @model_validator(mode="after")
    def _keys_match_kinds(self) -> PushSettings:
        for key, section in self.channels.items():
            if key != section.kind:
                raise ValueError(f"channel section {key!r} holds settings of kind {section.kind!r}")
        return self

    def section(self, model: type[SettingsT]) -> SettingsT | None:
        """The section of the channel whose settings model is ``model``, or None when it is not configured."""
        kind = model.model_fields["kind"].default
        found = self.channels.get(kind)
        if found is None:
            return None
        if not isinstance(found, model):  # pragma: no cover - the union tags each section by its kind
            raise TypeError(f"the {kind} section is a {type(found).__name__}, not a {model.__name__}")
        return found

    @property
    def webpush(self) -> WebPushSettings | None:
        """The Web Push section (the API hands its public key to phones), or None."""
        return self.section(WebPushSettings)

    @classmethod
    def from_mapping(cls, document: Any, source: str = "push settings") -> PushSettings:
        """Validate a parsed document; a :class:`ValueError` names the source and every bad field."""
        if document is None:
            return cls()
        if not isinstance(document, dict):
            raise ValueError(f"{source} must be a mapping of field names, not {type(document).__name__}")
        try:
            return cls.model_validate(document)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in _file_location(item['loc'])) or '(root)'}: {item['msg']}"
                for item in error.errors()
            )
            raise ValueError(f"{source}: {problems}") from None

    @classmethod
    def load(cls, path: Path) -> PushSettings:
        """Settings from a YAML (or JSON) file."""
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ValueError(f"cannot read push settings {path}: {error.strerror}") from None
        except yaml.YAMLError as error:
            raise ValueError(f"push settings {path} is not valid YAML: {error}") from None
        return cls.from_mapping(document, f"push settings {path}")


def _file_location(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """A validation error's location as the file spells it: ``channels.wecom.wecom.x`` is ``wecom.x``."""
    if len(loc) >= 2 and loc[0] == "channels" and loc[1] in PLUGINS:
        rest = loc[2:]
        if rest and rest[0] == loc[1]:  # the union's tag
            rest = rest[1:]
        return (loc[1], *rest)
    return loc
