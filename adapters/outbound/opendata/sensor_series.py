"""The publisher's :class:`SeriesSource` over the hub's sensor observation store (the read side of
the sensor feeds, ``broker.services.sensors.queries``): water-level gauges with their town-defined
thresholds, their readings, and the latest bus positions. Gate passes are not offered by that read
side at all."""

from __future__ import annotations

from datetime import date, datetime

from adapters.outbound.opendata.series import BusPosition, Gauge, Reading
from broker.services.sensors import queries
from broker.store import Store

__all__ = ["StoreSeries"]

WATER_LEVEL = "waterLevel"


class StoreSeries:
    def __init__(self, store: Store, lg_code: str) -> None:
        self.store, self.lg_code = store, lg_code

    def gauges(self) -> list[Gauge]:
        out = []
        for d in queries.devices(self.store, self.lg_code, "water_level"):
            levels = (d.get("properties") or {}).get("thresholds", {}).get("levels", {})
            out.append(Gauge(d["id"], d["name"], float(d["lat"]), float(d["lon"]),
                             {str(k): float(v) for k, v in levels.items()}))
        return out

    def latest(self, gauge_id: str) -> Reading | None:
        for item in queries.latest(self.store, self.lg_code, gauge_id):
            if item.observed_property == WATER_LEVEL:
                return Reading(gauge_id, datetime.fromisoformat(item.time), item.value)
        return None

    def daily(self, gauge_id: str, day: date) -> list[Reading]:
        return [Reading(gauge_id, datetime.fromisoformat(t), v)
                for t, v in queries.series(self.store, self.lg_code, gauge_id, WATER_LEVEL, day)]

    def bus_positions(self) -> list[BusPosition]:
        return [BusPosition(p.device_id, p.trip_id, p.lat, p.lon, datetime.fromisoformat(p.time))
                for p in queries.bus_positions(self.store, self.lg_code)]
