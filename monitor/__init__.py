"""Disclosure-timeliness monitor: the library behind the spiders, the CLI and the reports."""

__version__ = "0.1.0"
