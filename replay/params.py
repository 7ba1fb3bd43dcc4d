"""Tunable parameters: the rule fields a sweep or promote may set, and the replay confidence threshold.

A parameter is written ``[SCOPE.]NAME``: NAME is ``dwell`` (``dwell_s``), ``clear`` (``clear_s``),
``cooldown`` (``cooldown_s``), ``min_count``, ``inertia`` or ``conf`` (minimum detection score the rules see,
applied to cached detections); SCOPE, when given, is a rule kind (``ebike_parking``), a camera id
(``cam-0001``) or a camera and zone (``cam-0001/z-1``). Without a scope a rule field is set on every rule of
the replayed cameras. ``conf`` takes no scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from gridwatch.config import Camera, RuleKind, SiteConfig, Zone, ZoneRule
from replay.errors import ReplayError

#: Short names and the rule field each sets, with the smallest value it may take.
RULE_FIELDS: dict[str, tuple[str, float, bool]] = {
    "dwell": ("dwell_s", 1e-9, False),
    "dwell_s": ("dwell_s", 1e-9, False),
    "clear": ("clear_s", 1e-9, False),
    "clear_s": ("clear_s", 1e-9, False),
    "cooldown": ("cooldown_s", 0.0, False),
    "cooldown_s": ("cooldown_s", 0.0, False),
    "min_count": ("min_count", 1, True),
    "inertia": ("inertia", 1, True),
}
CONF = "conf"


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter: where it applies and what it sets."""

    text: str  # as written, e.g. "ebike_parking.dwell"
    name: str  # "conf" or the rule field, e.g. "dwell_s"
    scope: str | None
    integer: bool = False
    minimum: float = 0.0

    def check(self, value: float) -> float | int:
        """``value`` as this parameter takes it; ReplayError when out of range."""
        if self.name == CONF:
            if not 0.0 <= value <= 1.0:
                raise ReplayError(f"{self.text}={value}: a confidence is between 0 and 1")
            return value
        if self.integer:
            if value != int(value):
                raise ReplayError(f"{self.text}={value}: {self.name} is a whole number")
            if value < self.minimum:
                raise ReplayError(f"{self.text}={value}: {self.name} is at least {int(self.minimum)}")
            return int(value)
        if value < self.minimum:
            raise ReplayError(f"{self.text}={value}: {self.name} must be positive")
        return value


def parse_param(text: str) -> Param:
    """The parameter ``[SCOPE.]NAME``; ReplayError naming the known names otherwise."""
    raw = text.strip()
    scope, _, name = raw.rpartition(".")
    if name == CONF:
        if scope:
            raise ReplayError(f"{raw!r}: conf applies to every detection and takes no scope")
        return Param(raw, CONF, None)
    if name not in RULE_FIELDS:
        known = ", ".join(sorted({CONF, *RULE_FIELDS}))
        raise ReplayError(f"unknown parameter {name!r} in {raw!r}; known: {known}")
    field, minimum, integer = RULE_FIELDS[name]
    return Param(raw, field, scope or None, integer, minimum)


def parse_value(param: Param, text: str) -> float | int:
    """One value of ``param``; ReplayError naming it when it is not a number in range."""
    try:
        value = float(text)
    except ValueError:
        raise ReplayError(f"{param.text}: {text!r} is not a number") from None
    return param.check(value)


def _in_scope(scope: str | None, camera: Camera, zone: Zone, rule: ZoneRule) -> bool:
    if scope is None:
        return True
    if scope in {kind.value for kind in RuleKind}:
        return rule.kind.value == scope
    if "/" in scope:
        return scope == f"{camera.id}/{zone.id}"
    return scope == camera.id


def check_scope(param: Param, site: SiteConfig, cameras: list[str]) -> None:
    """ReplayError when ``param``'s scope matches no rule of the replayed cameras."""
    if param.name == CONF:
        return
    for camera in site.cameras:
        if camera.id not in cameras:
            continue
        for zone in camera.zones:
            if any(_in_scope(param.scope, camera, zone, rule) for rule in zone.rules):
                return
    raise ReplayError(f"{param.text}: no rule of the replayed cameras ({', '.join(cameras)}) matches it")


def with_params(site: SiteConfig, values: dict[Param, float | int], cameras: list[str]) -> SiteConfig:
    """A copy of ``site`` whose matching rules of ``cameras`` take the given values (``conf`` is ignored:
    it is not a rule field)."""
    fields = {param: value for param, value in values.items() if param.name != CONF}
    if not fields:
        return site
    new_cameras = []
    for camera in site.cameras:
        if camera.id not in cameras:
            new_cameras.append(camera)
            continue
        zones = []
        for zone in camera.zones:
            rules = []
            for rule in zone.rules:
                update = {p.name: v for p, v in fields.items() if _in_scope(p.scope, camera, zone, rule)}
                rules.append(rule.model_copy(update=update) if update else rule)
            zones.append(zone.model_copy(update={"rules": tuple(rules)}))
        new_cameras.append(camera.model_copy(update={"zones": tuple(zones)}))
    return site.model_copy(update={"cameras": tuple(new_cameras)})


def conf_of(values: dict[Param, float | int], default: float) -> float:
    """The ``conf`` among ``values``, or ``default``."""
    for param, value in values.items():
        if param.name == CONF:
            return float(value)
    return default
