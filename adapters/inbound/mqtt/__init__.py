"""The MQTT door: Mosquitto configuration from the device registry, and the persistent-session ingest."""
