"""Numbered migrations of the monitor's database (sqlite-utils ``Migrations``).

Never edit a migration once released: add the next one. docs/schema.md documents each table.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("disclosure-monitor")


@MIGRATIONS(name="0001_initial")
def m0001_initial(db: Database) -> None:
    db.executescript(
        """
        create table catalog_versions (
            digest text primary key, path text, loaded_at text, body text
        );
        create table units (
            slug text primary key, name text not null, site text not null,
            catalog_digest text, updated_at text
        );
        create table columns (
            unit text not null references units(slug), id text not null, name text not null,
            url text not null, type text, focus integer, rule_name text, rule_kind text, rule_words text,
            catalog_digest text, updated_at text,
            primary key (unit, id)
        );
        create table sweeps (
            id integer primary key, kind text not null, as_of text not null,
            started_at text not null, finished_at text, status text not null,
            catalog_digest text, units_total integer, units_done integer,
            columns_checked integer, columns_late integer, notices_opened integer, pid integer, note text
        );
        create table fetches (
            id integer primary key, sweep_id integer references sweeps(id), unit text, column_id text,
            kind text, page integer, url text, fetched_at text, duration_ms integer, status integer,
            error text, bytes integer, items_found integer, newest_date text, outcome text, detail text
        );
        create index fetches_by_column on fetches(unit, column_id, fetched_at);
        create table checks (
            sweep_id integer not null references sweeps(id), unit text not null, column_id text not null,
            day text not null, outcome text not null, items_found integer, newest_date text,
            oldest_date text, pages integer, detail text, checked_at text,
            primary key (sweep_id, unit, column_id)
        );
        create index checks_by_column_day on checks(unit, column_id, day);
        create table items (
            id integer primary key, unit text not null, column_id text not null, url text not null,
            title text, published text, published_source text, written text, written_source text,
            date_evidence text, first_seen text not null, first_seen_at text, first_sweep_id integer,
            last_seen text, still_listed integer,
            unique (unit, column_id, url)
        );
        create table verdicts (
            unit text not null, column_id text not null, day text not null, state text not null,
            due text, days_late integer, late_since text, newest_published text, newest_title text,
            newest_url text, provisional integer, reason text, evidence text, rule_words text,
            sweep_id integer, judged_at text,
            primary key (unit, column_id, day)
        );
        create index verdicts_by_day on verdicts(day);
        create table flips (
            id integer primary key, unit text not null, column_id text not null, day text not null,
            old_state text, new_state text not null, reason text, at text
        );
        create table notices (
            id integer primary key, unit text not null, column_id text not null, state text not null,
            opened_day text not null, deadline text not null, rectified_day text, overdue_day text,
            days_late_at_open integer, rule_words text, reason text, evidence text,
            opened_at text, updated_at text
        );
        create unique index one_active_notice_per_column on notices(unit, column_id)
            where state in ('open', 'overdue');
        create table notice_events (
            id integer primary key, notice_id integer not null references notices(id), day text not null,
            at text not null, old_state text, new_state text not null, by text, why text
        );
        """
    )


@MIGRATIONS(name="0002_learned_browser")
def m0002_learned_browser(db: Database) -> None:
    """Columns found to need a browser (their list is filled by JavaScript), remembered across crawls;
    and whether each fetch was rendered in Chromium."""
    db.executescript(
        """
        create table column_hints (
            unit text not null, column_id text not null, needs_browser integer not null,
            learned_on text not null, why text,
            primary key (unit, column_id)
        );
        alter table fetches add column rendered integer not null default 0;
        """
    )


@MIGRATIONS(name="0003_inspection")
def m0003_inspection(db: Database) -> None:
    """Availability probes of each unit's site, and the national inspection verdict per unit and day."""
    db.executescript(
        """
        create table probes (
            id integer primary key, unit text not null, url text not null, day text not null,
            at text not null, outcome text not null, status integer, elapsed_ms integer, error text
        );
        create index probes_by_unit_day on probes(unit, day);
        create table inspections (
            unit text not null, day text not null, result text not null, words text, indicators text,
            catalog_digest text, computed_at text,
            primary key (unit, day)
        );
        """
    )
