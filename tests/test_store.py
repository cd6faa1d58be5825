"""The store: dates by their source, history that never runs backwards, writers that wait their turn."""

from __future__ import annotations

import multiprocessing
from datetime import date

from monitor.store import Store

DAY = date(2026, 11, 20)


def item(url: str, published: str | None, source: str) -> dict:
    return {"url": url, "title": "关于开展调研的通知", "published": published, "published_source": source}


def published(store: Store, url: str) -> tuple[str | None, str]:
    row = store._rows("select published, published_source from items where url = ?", [url])[0]
    return row["published"], row["published_source"]


def test_a_date_guessed_from_the_url_gives_way_to_the_page_and_the_list(tmp_path):
    store = Store(tmp_path / "m.db")
    store.save_items("u", "c", DAY, 1, [item("http://x/202611/a.html", "2026-11-01", "url"),
                                        item("http://x/b.html", "2026-11-05", "list")])
    store.save_article_dates("u", "c", "http://x/202611/a.html", "2026-11-18", "2026-11-10", [], False)
    store.save_article_dates("u", "c", "http://x/b.html", "2026-11-09", None, [], False)
    assert published(store, "http://x/202611/a.html") == ("2026-11-18", "article")
    assert published(store, "http://x/b.html") == ("2026-11-05", "list")  # what the list shows stays


def test_last_seen_never_moves_back_and_first_seen_stays(tmp_path):
    store = Store(tmp_path / "m.db")
    store.save_items("u", "c", DAY, 1, [item("http://x/a.html", "2026-11-19", "list")])
    store.save_items("u", "c", date(2026, 11, 10), 2, [item("http://x/a.html", "2026-11-19", "list")])
    row = store._rows("select first_seen, last_seen from items")[0]
    assert row == {"first_seen": "2026-11-20", "last_seen": "2026-11-20"}


def _writer(path: str, unit: str, n: int) -> None:
    store = Store(path)
    for k in range(n):
        store.save_items(unit, "c", DAY, 1, [item(f"http://x/{unit}/{k}.html", "2026-11-19", "list")])
    store.close()


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "m.db")
    Store(path).close()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(path, unit, 300)) for unit in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    assert Store(path).count("items") == 600


def _check(store: Store, day: date, oldest: str | None, outcome: str = "ok") -> None:
    store.add_check({"sweep_id": store.begin_sweep(day, "adhoc", "test", 1), "unit": "u", "column_id": "c", "day": day.isoformat(),
                     "outcome": outcome, "items_found": 1, "newest_date": None, "oldest_date": oldest, "pages": 1,
                     "detail": "", "checked_at": f"{day}T08:00:00+08:00"})


def changes(store: Store) -> list[tuple]:
    return [(r["url"][9:], r["day"], r["field"], r["old"], r["new"])
            for r in store._rows("select * from item_changes order by id")]


def test_a_listed_date_or_title_that_changes_is_kept_as_a_change_and_the_first_date_stays(tmp_path):
    store = Store(tmp_path / "m.db")
    store.save_items("u", "c", date(2026, 11, 1), 1, [item("http://x/a.html", "2026-09-01", "list")])
    store.save_items("u", "c", date(2026, 11, 2), 2, [item("http://x/a.html", "2026-09-01", "list")])
    store.save_items("u", "c", DAY, 3, [{**item("http://x/a.html", "2026-11-20", "list"), "title": "关于开展调研的通知（更新）"}])
    store.save_items("u", "c", date(2026, 11, 21), 4, [item("http://x/a.html", "2026-11-20", "list")])
    assert changes(store) == [("a.html", "2026-11-20", "published", "2026-09-01", "2026-11-20"),
                              ("a.html", "2026-11-20", "title", "关于开展调研的通知", "关于开展调研的通知（更新）"),
                              ("a.html", "2026-11-21", "title", "关于开展调研的通知（更新）", "关于开展调研的通知")]
    assert published(store, "http://x/a.html") == ("2026-09-01", "list")  # the judge counts the first claim


def test_an_item_is_unlisted_only_after_a_full_check_that_read_past_its_date(tmp_path):
    store = Store(tmp_path / "m.db")
    first = date(2026, 11, 18)
    store.save_items("u", "c", first, 1, [item(f"http://x/{d}.html", f"2026-11-{d}", "list") for d in (10, 12, 15)])
    _check(store, first, "2026-11-10")
    store.save_items("u", "c", date(2026, 11, 19), 2, [item("http://x/15.html", "2026-11-15", "list")])
    _check(store, date(2026, 11, 19), None, outcome="unreachable")  # not read: no evidence
    _check(store, date(2026, 11, 19), "2026-11-12")  # read down to the 12th: the 12th may sit on the next page
    assert changes(store) == []
    store.save_items("u", "c", DAY, 3, [item("http://x/15.html", "2026-11-15", "list")])
    _check(store, DAY, "2026-11-11")
    assert changes(store) == [("12.html", "2026-11-20", "listed", "1", "0")]
    store.save_items("u", "c", date(2026, 11, 21), 4, [item("http://x/12.html", "2026-11-12", "list")])
    assert changes(store)[-1] == ("12.html", "2026-11-21", "listed", "0", "1")
    record = next(i for i in store.signal_items("u", date(2026, 11, 21)) if i.url.endswith("12.html"))
    assert record.listed_on(DAY) is False and record.listed_on(date(2026, 11, 21)) is True


def test_what_an_items_page_held_is_kept_with_its_dates(tmp_path):
    store = Store(tmp_path / "m.db")
    store.save_items("u", "c", DAY, 1, [item("http://x/a.html", "2026-11-20", "list")])
    store.save_article_dates("u", "c", "http://x/a.html", "2026-11-20", None, [], False, 0, None, 0)
    [record] = store.signal_items("u", DAY)
    assert (record.article_read, record.body_chars, record.body_sha256, record.body_attachments) == (True, 0, None, 0)
