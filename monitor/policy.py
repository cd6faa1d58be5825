"""The judgement policy a catalog sets: warning window, back-dating tolerance, working-day calendar."""

from __future__ import annotations

from monitor.config import Catalog
from monitor.judge_model import Policy
from monitor.workdays import Workdays


def policy_for(catalog: Catalog) -> Policy:
    return Policy(
        warn_days=catalog.settings.warn_days,
        backdate_tolerance_days=catalog.settings.backdate_tolerance_days,
        workdays=Workdays(catalog.calendar_overrides, catalog.calendar_years),
    )
