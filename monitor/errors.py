"""What the monitor raises on purpose, for the CLI to show as a one-line error (exit 2):

    MonitorError
    ├── CatalogError   the catalog file cannot be used (names file, unit, column, field)
    └── UsageError     a command was asked something it cannot do (unknown unit, a day to come)

Anything else is a bug and keeps its traceback.
"""


class MonitorError(Exception):
    """Base of the monitor's deliberate errors."""


class CatalogError(MonitorError):
    """The catalog cannot be used; the message says where and why."""


class UsageError(MonitorError):
    """A command was asked something it cannot do."""
