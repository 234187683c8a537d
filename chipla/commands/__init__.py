"""Subcommands of the ``chipla`` CLI, one module each."""
