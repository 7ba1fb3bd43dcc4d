"""What the supervisor runs: one component of the pipeline as a child process."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ComponentSpec:
    """A component started as its own process (its own composition root).

    ``argv`` is the full command line; ``env`` is added to the supervisor's environment;
    ``min_restart_delay_s`` is the shortest wait before a restart (e.g. a Kafka consumer-group member must let
    its dead predecessor's session expire first, or the broker may give the newcomer no partitions).
    """

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    min_restart_delay_s: float = 0.0

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("-", "").isalnum():
            raise ValueError(f"component name {self.name!r} must be letters, digits and '-'")
        if not self.argv:
            raise ValueError(f"component {self.name!r} has an empty command line")


@dataclass(frozen=True)
class RestartPolicy:
    """Exponential backoff between restarts of a component that exited on its own."""

    initial_delay_s: float = 1.0
    max_delay_s: float = 30.0
    healthy_after_s: float = 60.0  # a run this long resets the backoff

    def delay(self, consecutive_failures: int) -> float:
        if consecutive_failures <= 0:
            return 0.0
        return float(min(self.max_delay_s, self.initial_delay_s * 2 ** (consecutive_failures - 1)))
