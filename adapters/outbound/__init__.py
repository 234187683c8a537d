"""Outbound adapters implement ``broker.outbound.OutboundAdapter`` for one delivery kind each."""
