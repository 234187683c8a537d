"""Retry policy: exponential backoff with jitter, then the dead letter channel."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 1.0
    factor: float = 2.0
    cap_seconds: float = 600.0
    max_attempts: int = 8

    def __post_init__(self) -> None:
        if self.base_seconds <= 0 or self.factor < 1 or self.max_attempts < 1:
            raise ValueError(f"invalid retry policy {self}")

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based): half fixed, half random,
        so a receiver coming back is not hit by every queued delivery in the same instant."""
        ceiling = min(self.cap_seconds, self.base_seconds * self.factor ** max(0, attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def exhausted(self, attempt: int) -> bool:
        return attempt >= self.max_attempts
