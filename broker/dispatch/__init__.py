"""Dispatchers: who runs the deliveries the outbox holds. The outbox is always the source of truth."""
