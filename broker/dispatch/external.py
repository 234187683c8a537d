"""No dispatcher in this process: another process (``chipla dispatch``) reads the outbox and delivers.

Splitting accepting and delivering over two processes lets each use its own core; the outbox is the
only hand-over, so the delivering process finds new work by polling it.
"""

from __future__ import annotations

from broker.dispatch.base import Dispatcher


class ExternalDispatcher(Dispatcher):
    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def wake(self, destinations: list[str]) -> None:
        pass  # the delivering process polls the outbox
