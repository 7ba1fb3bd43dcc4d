"""Camera-verified closure: what an incident message means for a case that was marked handled.

The streams worker owns the state of each zone. While objects stay in the zone it publishes incident
``update`` messages; once the zone has been clear for the rule's ``clear_s`` it publishes ``end``. So:

- after a case is **handled**, an ``end`` of its incident means the camera sees the zone clear: the case is
  **verified** automatically;
- an ``update`` observed later than ``handled_at + grace`` means the camera still sees the problem: the case
  is **returned** for rework, carrying that update's evidence. The grace (``DispatchSettings.verify_grace_s``,
  by default the zone rule's ``clear_s``) lets updates that were already on their way, or that reflect the
  last seconds before the worker cleared the zone, pass without sending the worker back;
- an ``end`` that arrives **before** anyone handled the case means the problem went away by itself: the class
  decides (``on_end_before_handling``): ``close`` resolves the case, ``keep`` records it and keeps it open;
  when such a kept case is later marked handled, no camera message will come for its (ended) incident and
  the camera's last word was "clear", so it is verified at once (see ``handle_case``).

A leader or operator can also verify or return a handled case by hand.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from dispatch.domain.states import CaseState
from dispatch.settings import DispatchSettings
from gridwatch.config import EndBeforeHandling, SiteConfig
from gridwatch.messages import Lifecycle

DEFAULT_GRACE_S = 60.0
"""Grace when neither the settings nor the zone rule say (the rule default of ``clear_s``)."""

BEFORE_HANDLING = frozenset({CaseState.FILED, CaseState.DISPATCHED, CaseState.ACCEPTED, CaseState.RETURNED})


class Verdict(StrEnum):
    """What an incident message does to a case."""

    NOTHING = "nothing"  # refresh the evidence only
    VERIFY = "verify"  # handled, and the zone is clear
    RETURN = "return"  # handled, but the camera still sees the problem
    RESOLVE = "resolve"  # ended before handling; the class says close
    NOTE_END = "note_end"  # ended before handling; the class says keep


def camera_verdict(
    state: CaseState,
    lifecycle: Lifecycle,
    observed_at: datetime,
    handled_at: datetime | None,
    grace_s: float,
    end_policy: EndBeforeHandling,
) -> Verdict:
    """The verdict for one (new, not replayed) incident message about a case in ``state``."""
    if state is CaseState.HANDLED:
        if lifecycle is Lifecycle.END:
            return Verdict.VERIFY
        if handled_at is not None and observed_at > handled_at + timedelta(seconds=grace_s):
            return Verdict.RETURN
        return Verdict.NOTHING
    if lifecycle is Lifecycle.END and state in BEFORE_HANDLING:
        return Verdict.RESOLVE if end_policy is EndBeforeHandling.CLOSE else Verdict.NOTE_END
    return Verdict.NOTHING


def grace_for(site: SiteConfig, settings: DispatchSettings, camera_id: str, zone_id: str, rule: str) -> float:
    """Seconds of grace after handling: the setting, else the zone rule's ``clear_s``, else the default."""
    if settings.verify_grace_s is not None:
        return settings.verify_grace_s
    try:
        zone_rule = site.zone(camera_id, zone_id).rule(rule)
    except (KeyError, ValueError):
        return DEFAULT_GRACE_S
    return DEFAULT_GRACE_S if zone_rule is None else float(zone_rule.clear_s)
