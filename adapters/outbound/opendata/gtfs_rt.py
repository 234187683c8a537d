"""GTFS-Realtime feeds of the town's bus (TripUpdate, VehiclePosition, Alert), built with
``gtfs-realtime-bindings`` from the latest bus positions and the static GTFS-JP feed.

A TripUpdate carries the vehicle's delay (seconds, positive = late) for the rest of its trip; an Alert
is raised for a delay of ``delay_alert_seconds`` or more, in Japanese with a reading and English.
"""

from __future__ import annotations

from datetime import datetime

from google.transit import gtfs_realtime_pb2 as rt

from adapters.outbound.opendata.gtfs import BusFeed
from adapters.outbound.opendata.series import BusPosition

__all__ = ["FEEDS", "alerts", "feed_bytes", "trip_updates", "vehicle_positions"]

FEEDS = ("trip_updates", "vehicle_positions", "alerts")


def _message(now: datetime) -> rt.FeedMessage:
    message = rt.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = rt.FeedHeader.FULL_DATASET
    message.header.timestamp = int(now.timestamp())
    return message


def _trip(descriptor: rt.TripDescriptor, feed: BusFeed, position: BusPosition) -> None:
    route = feed.route_of(position.trip_id or "")
    descriptor.trip_id = position.trip_id or ""
    if route is not None:
        descriptor.route_id = route.id
    descriptor.start_date = position.observed_at.strftime("%Y%m%d")
    descriptor.schedule_relationship = rt.TripDescriptor.SCHEDULED


def trip_updates(feed: BusFeed, positions: list[BusPosition], now: datetime) -> rt.FeedMessage:
    message = _message(now)
    for p in positions:
        trip = feed.trip(p.trip_id or "")
        if trip is None:
            continue
        entity = message.entity.add()
        entity.id = f"tu-{p.vehicle_id}"
        update = entity.trip_update
        _trip(update.trip, feed, p)
        update.vehicle.id = p.vehicle_id
        update.timestamp = int(p.observed_at.timestamp())
        delay = p.delay or 0
        update.delay = delay
        stops = [s for s, _ in trip.times]
        start = stops.index(p.stop_id) if p.stop_id in stops else 0
        for sequence in range(start, len(stops)):
            stu = update.stop_time_update.add()
            stu.stop_sequence = sequence + 1
            stu.stop_id = stops[sequence]
            stu.arrival.delay = delay
            stu.departure.delay = delay
    return message


def vehicle_positions(feed: BusFeed, positions: list[BusPosition], now: datetime) -> rt.FeedMessage:
    message = _message(now)
    for p in positions:
        entity = message.entity.add()
        entity.id = f"vp-{p.vehicle_id}"
        vehicle = entity.vehicle
        if p.trip_id and feed.trip(p.trip_id) is not None:  # a trip the static feed does not know is not named
            _trip(vehicle.trip, feed, p)
        vehicle.vehicle.id = p.vehicle_id
        vehicle.position.latitude = p.lat
        vehicle.position.longitude = p.lon
        if p.bearing is not None:
            vehicle.position.bearing = p.bearing
        if p.speed is not None:
            vehicle.position.speed = p.speed
        if p.stop_id:
            vehicle.stop_id = p.stop_id
            vehicle.current_status = rt.VehiclePosition.IN_TRANSIT_TO
        vehicle.timestamp = int(p.observed_at.timestamp())
    return message


def _text(target: rt.TranslatedString, texts: dict[str, str]) -> None:
    for language, text in texts.items():
        translation = target.translation.add()
        translation.language, translation.text = language, text


def alerts(feed: BusFeed, positions: list[BusPosition], now: datetime,
           delay_alert_seconds: int = 300) -> rt.FeedMessage:
    message = _message(now)
    for p in positions:
        route = feed.route_of(p.trip_id or "")
        if route is None or (p.delay or 0) < delay_alert_seconds:
            continue
        minutes = (p.delay or 0) // 60
        trip = feed.trip(p.trip_id or "")
        departs = f"{trip.times[0][1] // 60}:{trip.times[0][1] % 60:02d}" if trip else ""
        entity = message.entity.add()
        entity.id = f"delay-{p.trip_id}"
        alert = entity.alert
        period = alert.active_period.add()
        period.start = int(p.observed_at.timestamp())
        informed = alert.informed_entity.add()
        informed.route_id = route.id
        informed.trip.trip_id = p.trip_id or ""
        alert.cause = rt.Alert.OTHER_CAUSE
        alert.effect = rt.Alert.SIGNIFICANT_DELAYS
        _text(alert.header_text, {"ja": f"{route.short_name} {departs}発の便が約{minutes}分遅れています",
                                  "ja-Hrkt": f"{route.kana} {departs}はつのびんがやく{minutes}ふんおくれています",
                                  "en": f"The {departs} {route.id} bus is running about {minutes} min late"})
        _text(alert.description_text, {"ja": "道路の混雑などにより遅れています。ご迷惑をおかけします。",
                                       "en": "Delayed by traffic. We apologise for the inconvenience."})
    return message


def feed_bytes(kind: str, feed: BusFeed, positions: list[BusPosition], now: datetime) -> bytes:
    build = {"trip_updates": trip_updates, "vehicle_positions": vehicle_positions, "alerts": alerts}[kind]
    return build(feed, positions, now).SerializeToString()  # type: ignore[operator]
