"""The throw-away PostgreSQL cluster of the test session (shared with the benchmarks)."""

from simulators.throwaway_postgres import ThrowawayPostgres

__all__ = ["ThrowawayPostgres"]
