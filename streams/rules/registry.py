"""Which logic runs a zone rule, by the rule's configured ``kind``.

A rule kind is its configuration model (``gridwatch.config.models_rules``, one member of the ``ZoneRule``
union, with its ``kind`` value and standard class in ``gridwatch.messages.incidents``) and its logic: a
module here whose class builds itself from the rule (:class:`RuleLogicFactory`), registered in
:data:`RULE_LOGIC` below. The engine knows no kind by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from gridwatch.config import RuleKind, ZoneRule
from streams.rules.parking import ParkingLogic
from streams.rules.trading import TradingLogic
from streams.rules.tuning import RuleTuning
from streams.rules.vendor import VendorLogic
from streams.rules.zones import RuleLogic


class RuleLogicFactory(Protocol):
    """A rule kind's logic, built from the configured rule and the engine-wide tuning."""

    def __call__(self, rule: ZoneRule, tuning: RuleTuning) -> RuleLogic: ...


#: The registration table: one line per rule kind.
RULE_LOGIC: Mapping[RuleKind, RuleLogicFactory] = {
    RuleKind.EBIKE_PARKING: ParkingLogic.for_rule,
    RuleKind.STOREFRONT_TRADING: TradingLogic.for_rule,
    RuleKind.MOBILE_VENDOR: VendorLogic.for_rule,
}


def logic_for(rule: ZoneRule, tuning: RuleTuning) -> RuleLogic:
    """The logic of ``rule``'s kind; LookupError naming the kinds known when none is registered."""
    factory = RULE_LOGIC.get(rule.kind)
    if factory is None:
        known = ", ".join(sorted(kind.value for kind in RULE_LOGIC))
        raise LookupError(f"no logic registered for rule kind {rule.kind.value!r} (registered: {known})")
    return factory(rule, tuning)
