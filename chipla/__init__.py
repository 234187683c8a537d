"""chipla: the interoperability hub's composition root (configuration, ASGI app, CLI)."""

__version__ = "0.1.0"
