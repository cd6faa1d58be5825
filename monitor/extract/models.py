"""What the readers return: plain frozen records, no behaviour (the spider stores and judges them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["ListedItem", "ListPage", "ListHints", "ArticleDates"]


@dataclass(frozen=True)
class ListedItem:
    """One item of a column list."""

    title: str  # full title: the link's title attribute when the shown text is cut short ("...")
    url: str  # absolute, fragment removed
    published: date | None
    date_source: str  # 'list' (shown next to the item), 'json', 'xml', 'url' (date inside the URL), '' none


@dataclass(frozen=True)
class ListPage:
    """One page of a column list, as read."""

    items: tuple[ListedItem, ...]  # in page order
    page_count: int | None  # when the page says how many pages there are
    next_url: str | None  # absolute URL of the next page when it can be known
    empty_marker: bool  # the page says the column is empty (暂无信息, totalrecord 0, createPageHTML(0,...))
    soft_404: bool  # a status-200 page that is really an error page
    record_count: int | None = None  # when the page says how many items the column has in all

    @property
    def newest(self) -> date | None:
        """The newest published date among the items, if any is dated."""
        dates = [i.published for i in self.items if i.published is not None]
        return max(dates) if dates else None


@dataclass(frozen=True)
class ListHints:
    """CSS selectors from the catalog, only where the automatic reading guesses wrong."""

    items: str | None = None  # the repeated item
    link: str | None = None  # the link inside the item
    date: str | None = None  # the date inside the item


@dataclass(frozen=True)
class ArticleDates:
    """The dates an article page carries."""

    published: date | None  # what a reader sees first (发布日期...), else the page's meta tags
    written: date | None  # 成文日期 (or 发文日期 when a separate 发布日期 exists)
    candidates: tuple[tuple[str, date], ...]  # every (source label, date) seen, e.g. ('visible:发布日期', d)
    conflict: bool  # the visible published date and a meta publication date disagree
