"""The bundled demo world: generated Chinese government disclosure sites on loopback addresses.

``DemoWorld`` (world.py) generates the units, columns and items for a simulated period ending at E and answers
requests for a simulated day; ``DemoServer`` (server.py) serves it over HTTP, one 127.0.0.N address per unit.
The scenario (who is late, blank, blocked, ...) is data in units.py; catalog.py writes the matching catalog and
the expected verdicts; catalog.toml next to this file is that catalog for port 8700 (the bundled demo catalog).
See ``python -m monitor.demo.server --help``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DemoResponse", "DemoServer", "DemoWorld"]


def __getattr__(name: str) -> Any:
    # Lazy, so that ``python -m monitor.demo.server`` does not import the server module twice.
    if name == "DemoServer":
        from .server import DemoServer
        return DemoServer
    if name in ("DemoWorld", "DemoResponse"):
        from . import world
        return getattr(world, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
