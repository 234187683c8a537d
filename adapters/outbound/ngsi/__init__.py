"""NGSI-v2 (FIWARE Orion-compatible) entities and subscriptions for the sensor feeds."""
