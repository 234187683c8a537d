"""Sensor feeds (water level, bus, school-route gates, farms, Wi-Fi APs): the observation kind of service.

Readings arrive through the MQTT door; this package holds what is particular to them — the device
registry, the accept-time rules (unknown device, future time, out-of-order, duplicate), the durable
SensorThings-like tables, health and threshold events, and the read side other services use
(latest value, daily series, bus positions).
"""
