"""Command glue for legacy files: import (read, map, store, send), export, and mapping replay.

The commands in ``chipla.commands`` parse arguments and print; the work is here so tests and the
benchmark call the same code in-process. Modules: ``sources`` (files, layouts, encodings),
``pipeline`` (the import), ``report`` (error CSV), ``sending`` (住民異動通知 through the hub),
``export``, ``replay``.
"""
