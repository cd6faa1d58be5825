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
