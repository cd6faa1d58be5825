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


@MIGRATIONS(name="0004_notice_lifecycle")
def m0004_notice_lifecycle(db: Database) -> None:
    """Notices go through a review step: draft → issued → rectified / overdue → escalated → closed, or
    withdrawn. A notice has a kind (lateness, or a faked-disclosure signal), so one column can carry a
    lateness notice and a back-dating one at once. Notices opened before this step were issued at once:
    they become 'issued' (their audit rows keep saying 'open', as written then)."""
    db.executescript(
        """
        alter table notices add column kind text not null default 'lateness';
        alter table notices add column issued_day text;
        alter table notices add column issued_by text;
        alter table notices add column escalated_day text;
        alter table notices add column escalation_level text;
        alter table notices add column closed_day text;
        alter table notices add column withdrawn_day text;
        alter table notices add column withdraw_reason text;
        alter table notices add column internal_note text;
        alter table notices add column catalog_digest text;
        update notices set state = 'issued', issued_day = opened_day where state = 'open';
        update notices set issued_day = opened_day where issued_day is null;
        drop index one_active_notice_per_column;
        create unique index one_active_notice_per_column_kind on notices(unit, column_id, kind)
            where state in ('draft', 'issued', 'overdue', 'escalated');
        """
    )


@MIGRATIONS(name="0005_evidence")
def m0005_evidence(db: Database) -> None:
    """The evidence behind a notice: where each fetch's raw response sits in the sweep's WARC file, with
    its body's SHA-256; and the files of each notice's evidence pack (WARC extract, screenshot, manifest)."""
    db.executescript(
        """
        alter table fetches add column warc_file text;
        alter table fetches add column warc_offset integer;
        alter table fetches add column sha256 text;
        create table evidence_files (
            id integer primary key, notice_id integer not null references notices(id), kind text not null,
            path text not null, sha256 text, bytes integer, created_at text
        );
        create index evidence_files_by_notice on evidence_files(notice_id);
        """
    )


@MIGRATIONS(name="0006_deliveries")
def m0006_deliveries(db: Database) -> None:
    """Messages telling a unit and the office of a notice (monitor.notify, through apprise): one row per
    notice, event and target, queued once, sent with retries. ``target`` is the apprise URL with its
    secrets masked (the real URL stays in the catalog and is looked up again when sending)."""
    db.executescript(
        """
        create table deliveries (
            id integer primary key, notice_id integer not null references notices(id), event text not null,
            recipient text not null, target text not null, channel text, day text not null,
            status text not null default 'pending', attempts integer not null default 0, last_error text,
            next_attempt_at text, created_at text not null, last_attempt_at text, sent_at text,
            subject text not null, body text not null,
            unique (notice_id, event, target)
        );
        create index deliveries_due on deliveries(status, next_attempt_at);
        """
    )


@MIGRATIONS(name="0007_signals")
def m0007_signals(db: Database) -> None:
    """Faked and hollow disclosure (假公开, 一阵风, 为公开而公开): the facts the detectors need and what they found.

    ``item_changes``: a known item's listed published date or title changing between sweeps, and an item
    ceasing to be listed (``field`` 'listed', '1' → '0', after a full check that covered its date) or coming
    back ('0' → '1'). ``items`` gains what its own page showed: body length, a hash of the normalised body
    text (the same document re-posted under another address), attachments or images. ``signals``: one row
    per column, day and kind, with the items behind it and the draft notice it raised."""
    db.executescript(
        """
        create table item_changes (
            id integer primary key, unit text not null, column_id text not null, url text not null,
            day text not null, field text not null, old text, new text
        );
        create index item_changes_by_column on item_changes(unit, column_id, url);
        alter table items add column body_chars integer;
        alter table items add column body_sha256 text;
        alter table items add column body_attachments integer;
        create table signals (
            id integer primary key, unit text not null, column_id text not null, day text not null,
            kind text not null, summary text not null, detail text, items text, notice_id integer,
            found_at text,
            unique (unit, column_id, day, kind)
        );
        create index signals_by_day on signals(day);
        """
    )


@MIGRATIONS(name="0008_job_runs")
def m0008_job_runs(db: Database) -> None:
    """The scheduler's log of work (monitor.scheduler): one row per run of a scheduled or manual job, with
    the time it was planned for and when it really started and ended (both with their zone), how it ended
    (``running``, ``ok``, ``failed``, ``timeout``, ``crashed``, ``refused`` when another run held the work,
    ``missed`` when it came too late for its grace), the child process, its figures as JSON and a message."""
    db.executescript(
        """
        create table job_runs (
            id integer primary key, job text not null, kind text not null, trigger text not null,
            planned_for text, started_at text not null, finished_at text, status text not null,
            pid integer, figures text, message text
        );
        create index job_runs_by_job on job_runs(job, started_at);
        """
    )


@MIGRATIONS(name="0009_verdict_weeks")
def m0009_verdict_weeks(db: Database) -> None:
    """An index that holds what the weekly report's 12-week rates read (day, unit, column, state), so that
    counting a province's quarter of verdicts never touches the wide rows (reports.history)."""
    db.executescript("create index verdicts_states_by_day on verdicts(day, unit, column_id, state);")


@MIGRATIONS(name="0010_history_indexes")
def m0010_history_indexes(db: Database) -> None:
    """Indexes that keep the daily judgement and the weekly report from reading all history (a year of daily
    sweeps is 365 checks and verdicts per column; bench/bench_history.py measures it):

    - ``checks_by_column_day`` also holds each check's outcome and the oldest date it read: the judge's reading
      of a column's successful check days and their depth (``Store.column_history``) is one range of the
      index, not a page of the table per day;
    - ``checks_by_day``: the report's week of checks (``checks_between``) without a pass over every check kept;
    - ``items_by_published``: the report's year of publication days (``publication_days``) without a pass over
      every item ever seen;
    - ``notices_by_column``: a column's notices (``issued_notices``, read for every column a sweep judges)
      without a pass over every notice;
    - ``verdicts_by_day`` goes: ``verdicts_states_by_day`` (0009) starts with the day too and serves every read
      by day, so it only took space and a write per verdict."""
    db.executescript(
        """
        drop index verdicts_by_day;
        drop index checks_by_column_day;
        create index checks_by_column_day on checks(unit, column_id, day, outcome, oldest_date);
        create index checks_by_day on checks(day);
        create index items_by_published on items(published, unit, column_id, first_seen);
        create index notices_by_column on notices(unit, column_id);
        """
    )
