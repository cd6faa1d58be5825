"""A firewall challenge (瑞数, WZWS, 加速乐) is tried once per host in Chromium, for all the host's columns.

A mixin of the unit spider: the first column that meets the challenge asks for its page in the browser; the
host's other columns wait for that answer, then follow it into the browser or are recorded as blocked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from monitor.config import Column
from monitor.outcomes import BLOCKED


@dataclass
class ChallengeTrial:
    """A host's firewall challenge, tried once in Chromium for all its columns."""

    trying: bool = False
    passed: bool | None = None
    waiting: list = field(default_factory=list)  # (column, detail) waiting for the trial


class ChallengeTrials:
    """Needs the spider's ``_challenges`` (host → ChallengeTrial), ``_list_request`` and ``_check``."""

    def _challenge_trial(self, column: Column, detail: str):
        """One column per host tries the challenge in Chromium; the others wait for its result."""
        host = urlsplit(column.url).hostname or ""
        state = self._challenges.setdefault(host, ChallengeTrial())
        if state.passed is None and not state.trying:
            state.trying = True
            yield self._list_request(column, 0, column.url, fallback="challenge")
        elif state.passed is None:
            state.waiting.append((column, detail))
        elif state.passed:
            yield self._list_request(column, 0, column.url, fallback="challenge")
        else:
            yield self._check(column, BLOCKED, f"{detail}（浏览器亦未通过）")

    def _challenge_settled(self, column: Column, passed: bool):
        """The trial column's browser answer decides for the columns waiting on the same host."""
        state = self._challenges.get(urlsplit(column.url).hostname or "")
        if state is None or state.passed is not None:
            return
        state.passed, waiting, state.waiting = passed, state.waiting, []
        for other, detail in waiting:
            if passed:
                yield self._list_request(other, 0, other.url, fallback="challenge")
            else:
                yield self._check(other, BLOCKED, f"{detail}（浏览器亦未通过）")
