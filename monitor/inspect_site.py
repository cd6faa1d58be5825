"""Glue for the national inspection verdict: read a unit's facts from the store, judge, store the verdict.

The judgement itself is ``monitor.inspection`` (pure); this reads the latest verdict of each column
and the probes of the week before ``as_of``, and keeps the result in the ``inspections`` table.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from monitor.policy import policy_for
from monitor.config import Catalog, Unit
from monitor.inspection import PROBE_DAYS, ColumnStanding, Inspection, ProbeDay, inspect_unit
from monitor.store import Store


def standings(store: Store, unit: Unit, as_of: date) -> list[ColumnStanding]:
    """Each configured column of the unit as its latest verdict on or before ``as_of`` left it."""
    types = {c.id: c.type for c in unit.columns}
    result = []
    for row in store.verdicts(as_of, unit.slug):
        if row["column_id"] not in types:
            continue
        evidence = json.loads(row["evidence"] or "{}")
        newest = (evidence.get("newest") or {}).get("effective")
        result.append(ColumnStanding(
            row["column_id"], row["column_name"], types[row["column_id"]], row["state"] or "unknown",
            date.fromisoformat(newest) if newest else None, evidence.get("items", 0), evidence.get("undated", 0),
            tuple(evidence.get("backdated", ())), row["column_url"],
        ))
    return result


def inspect_and_store(store: Store, catalog: Catalog, unit: Unit, as_of: date) -> Inspection:
    probes = [ProbeDay(date.fromisoformat(r["day"]), r["total"], r["failed"] or 0, r["blocked"] or 0)
              for r in store.probe_days(unit.slug, as_of - timedelta(days=PROBE_DAYS), as_of - timedelta(days=1))]
    inspection = inspect_unit(unit.slug, standings(store, unit, as_of), probes, as_of, catalog.inspection_presets,
                              policy_for(catalog).workdays)
    data = inspection.to_json()
    store.save_inspection(unit.slug, as_of, inspection.result, inspection.words(), data["indicators"], catalog.digest)
    return inspection
