"""After a unit's columns are judged: look for faked and hollow disclosure, keep what is found, draft notices.

Glue between the store and ``monitor.signals`` (pure): it reads the unit's items with their changes and each
column's check days and issued notices, runs the detectors as of the day, keeps each new signal (an item is
signalled once per kind; a burst once) in the ``signals`` table, and raises a *draft* notice of the signal's
kind through ``monitor.review.raise_draft``. A person issues it or withdraws it: a signal never publishes
anything by itself (``[notices] auto_issue`` covers lateness notices only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from monitor.config import Catalog, Unit
from monitor.policy import policy_for
from monitor.review import raise_draft
from monitor.signals import KINDS, Signal, SignalPolicy, detect_column
from monitor.store import Store


@dataclass(frozen=True)
class Found:
    """A signal kept, and the notice it drafted (or the active one of its kind it was added to)."""

    id: int
    signal: Signal
    notice_id: int | None


def signal_policy(catalog: Catalog) -> SignalPolicy:
    s = catalog.settings
    return SignalPolicy(
        burst_min_items=s.burst_min_items, burst_within_days=s.burst_within_days,
        burst_silence_days=s.burst_silence_days, empty_body_chars=s.empty_body_chars,
        tolerance_days=s.backdate_tolerance_days, inspection_days=tuple(s.inspection_days),
        workdays=policy_for(catalog).workdays,
    )


def detect_unit(store: Store, catalog: Catalog, unit: Unit, as_of: date, column_ids: set[str] | None = None,
                by: str = "sweep") -> list[Found]:
    """Find, keep and draft the new signals of the unit's columns (or the chosen ones) as of ``as_of``."""
    policy = signal_policy(catalog)
    unit_items = store.signal_items(unit.slug, as_of)
    by_column: dict[str, list] = {}
    for item in unit_items:  # grouped once: the unit's items grow with history
        by_column.setdefault(item.column, []).append(item)
    found = []
    for column in unit.columns:
        if column_ids and column.id not in column_ids:
            continue
        items = by_column.get(column.id, [])
        with store.atomic():
            history = store.column_history(unit.slug, column.id, as_of)
            seen = {kind: store.signalled_keys(unit.slug, column.id, kind) for kind in KINDS}
            signals = detect_column(unit.slug, column.id, items, unit_items, history,
                                    store.issued_notices(unit.slug, column.id, as_of), as_of, policy,
                                    column.retention, column.display_window, seen)
            for signal in signals:
                signal_id = store.save_signal(signal)
                evidence = {
                    "signal": {"id": signal_id, "kind": signal.kind, "day": signal.day.isoformat(),
                               "figures": signal.figures},
                    "items": signal.items,
                    "last_fetch": store.last_list_fetch(unit.slug, column.id, as_of),
                }
                notice_id = raise_draft(store, catalog, column, signal.kind, signal.summary, evidence, as_of, by)
                store.link_signal_notice(signal_id, notice_id)
                found.append(Found(signal_id, signal, notice_id))
    return found
