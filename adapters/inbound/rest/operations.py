"""Operations API: message status with every attempt, and the dead letter channel."""

from __future__ import annotations

from typing import Any

from connexion.lifecycle import ConnexionResponse

from adapters.inbound.rest.context import current_hub
from adapters.inbound.rest.registry import _admin, _run
from broker import audit, deadletter, messages


async def get_message(receiptId: str) -> ConnexionResponse:
    def work() -> Any:
        admin = _admin()
        hub = current_hub()
        result = messages.status(hub.store, receiptId, hub.deriver.catch_up)
        with hub.store.write() as s:
            audit.append(s, admin.id, "message.viewed", receiptId)
        return result
    return await _run(work)


async def list_dead_letters(destination: str | None = None, limit: int = 100, offset: int = 0) -> ConnexionResponse:
    def work() -> Any:
        _admin()
        return deadletter.list_dead(current_hub().store, destination, limit, offset)
    return await _run(work)


async def retry_dead_letter(deliveryId: int) -> ConnexionResponse:
    def work() -> Any:
        admin = _admin()
        hub = current_hub()
        destination = deadletter.retry_one(hub.store, deliveryId, admin.id)
        hub.wake([destination])
        return {"retried": 1}
    return await _run(work, 202)


async def retry_dead_letters_for(destination: str) -> ConnexionResponse:
    def work() -> Any:
        admin = _admin()
        hub = current_hub()
        hub.registry.system(destination)
        count = deadletter.retry_all(hub.store, destination, admin.id)
        hub.wake([destination])
        return {"retried": count}
    return await _run(work, 202)
