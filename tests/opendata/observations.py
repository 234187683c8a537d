"""Observations inserted through the publisher's read interface (the in-memory series): one gauge
with a day of readings rising past 避難判断水位, and two buses, one of them seven minutes late."""

from __future__ import annotations

from datetime import datetime, timedelta

from adapters.outbound.opendata.series import BusPosition, Gauge, MemorySeries, Reading
from broker.clock import JST

NOW = datetime(2026, 11, 27, 7, 41, tzinfo=JST)
GAUGE = Gauge("wl-genroku-01", "源緑輪中 排水路 水位計", 35.0571, 136.7802,
              {"水防団待機水位": 0.80, "氾濫注意水位": 1.10, "避難判断水位": 1.40, "氾濫危険水位": 1.70})


def sample_series() -> MemorySeries:
    series = MemorySeries([GAUGE])
    start = datetime(2026, 11, 27, 0, 0, tzinfo=JST)
    for k in range(48):
        series.add(Reading(GAUGE.id, start + timedelta(minutes=10 * k), 0.50 + 0.02 * k))
    series.add(Reading(GAUGE.id, start - timedelta(minutes=10), 0.4))  # the day before: not in the daily file
    series.add_position(BusPosition("bus-01", "kita_0730", 35.0851, 136.7779, NOW, bearing=10.0, speed=8.0,
                                    stop_id="2_01", delay=420))
    series.add_position(BusPosition("bus-02", "loop-2", 35.0716, 136.7822, NOW))  # not a trip of the feed
    return series
