"""``chipla mqtt config``: the broker files for an external Mosquitto, from the device registry.

Writes ``mosquitto.conf`` (the settings the hub relies on: persistence, ``max_queued_messages``,
in-flight window, no anonymous access), ``acl`` (each device or gateway writes only its own topics,
the hub reads them all), ``passwd`` (hashed with ``mosquitto_passwd``) and ``credentials`` (the
plaintext logins, mode 0600, to hand to the devices; existing ones are kept). Run it again after a
change to the registry and send Mosquitto a SIGHUP to reload the ACL and password file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from adapters.inbound.mqtt.mosquitto import HUB_USER, write_broker_files
from broker.services.sensors.devices import DeviceRegistry
from chipla.config import Settings


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("mqtt", help="MQTT broker files generated from the device registry")
    cmds = p.add_subparsers(dest="mqtt_command", required=True)
    c = cmds.add_parser("config", help="write mosquitto.conf, acl, passwd and credentials into a folder")
    c.add_argument("--out", required=True, help="folder for the files (the broker's persistence goes there too)")
    c.add_argument("--port", type=int, default=1883)
    c.add_argument("--host", default="127.0.0.1", help="listener address (default 127.0.0.1)")
    c.add_argument("--registry", help="device registry YAML (default CHIPLA_SENSOR_REGISTRY or the demo registry)")
    c.set_defaults(func=run_config)


def run_config(args: argparse.Namespace) -> int:
    registry = DeviceRegistry.load(args.registry or Settings.load().sensor_registry or None)
    files = write_broker_files(Path(args.out), registry, args.port, args.host)
    print(f"{files.config}\n{files.folder / 'acl'}\n{files.folder / 'passwd'}\n{files.credentials.path} (0600)")
    print(f"{len(registry.devices)} devices; hub login: {HUB_USER} "
          f"(CHIPLA_MQTT_URL=mqtt://{HUB_USER}:<password from credentials>@{args.host}:{args.port})")
    return 0
