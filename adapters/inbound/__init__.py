"""Inbound adapters turn wire input into an envelope and hand it to ``broker.hub.Hub``."""
