"""Settings of the streams worker (the faust app); the site and the broker come from their own settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from streams.rules.tuning import RuleTuning


class StreamsSettings(BaseModel):
    """How the streams worker names its consumer group and table, and how often it commits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    app_id: str = Field(
        default="gridwatch-streams",
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="faust app id: the consumer group and the prefix of the changelog topic.",
    )
    table_name: str = Field(
        default="camera-rules",
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Name of the table holding each camera's rule state.",
    )
    commit_interval_s: float = Field(
        default=2.0, gt=0, le=60, description="Seconds between offset commits (a crash replays at most this)."
    )
    send_timeout_s: float = Field(
        default=30.0, gt=0, description="Seconds to wait for the broker to acknowledge an incident."
    )
    log_level: str = Field(default="WARNING", description="Log level of the faust worker.")
    tuning: RuleTuning = Field(
        default_factory=RuleTuning, description="Rule engine knobs shared by all zones."
    )

    @property
    def changelog_topic(self) -> str:
        """The table's changelog topic, as faust names it."""
        return f"{self.app_id}-{self.table_name}-changelog"
