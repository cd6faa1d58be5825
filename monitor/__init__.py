"""Disclosure-timeliness monitor: the library behind the spiders, the CLI and the reports."""

__version__ = "0.1.0"


def user_agent(contact: str = "") -> str:
    """How the monitor names itself to every site it asks: crawls, probes and ad hoc fetches."""
    return f"DisclosureMonitor/{__version__} (government disclosure timeliness monitor{f'; +{contact}' if contact else ''})"
