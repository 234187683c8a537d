"""``chipla registry check FILE``: validate a registry file without starting the hub."""

from __future__ import annotations

import argparse

from chipla import registry_file
from chipla.wiring import delivery_kinds


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("registry", help="the systems registry file (CHIPLA_REGISTRY_FILE)")
    s = p.add_subparsers(dest="registry_command", required=True)
    check = s.add_parser("check", help="validate a registry file: keys, secrets from the environment, "
                                       "団体コード check digits, delivery kinds, subscriptions")
    check.add_argument("file", help="the YAML file")
    check.set_defaults(func=check_cmd)


def check_cmd(args: argparse.Namespace) -> int:
    loaded = registry_file.read(args.file, delivery_kinds=delivery_kinds())
    admins = sum(1 for s in loaded.systems if "admin" in s.get("roles", []))
    print(f"{args.file}: valid — {len(loaded.systems)} systems ({admins} admin), "
          f"{len(loaded.subscriptions)} subscriptions, sync: {loaded.sync}")
    if not admins:
        print("  note: no system has roles: [admin]; the management API and console need one")
    return 0
