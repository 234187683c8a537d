"""Test helpers: the shared sandbox (a hub with simulated vendors) and hand-built SOAP requests."""

from __future__ import annotations

from simulators.handmade import raw_soap
from simulators.sandbox import LG, RECEIVERS, Receiver, RunningHub, sqlite_url, start_hub

__all__ = ["LG", "RECEIVERS", "Receiver", "RunningHub", "raw_soap", "sqlite_url", "start_hub"]
