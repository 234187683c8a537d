"""``chipla deadletters list|retry ID|retry-all DESTINATION``."""

from __future__ import annotations

import argparse
import json

from broker import deadletter
from broker.store import Store
from chipla.store_access import open_existing


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("deadletters", help="the dead letter channel")
    s = p.add_subparsers(dest="dl_command", required=True)
    ls = s.add_parser("list", help="list dead letters")
    ls.add_argument("--destination")
    ls.set_defaults(func=list_cmd)
    r = s.add_parser("retry", help="queue one dead letter again")
    r.add_argument("delivery_id", type=int)
    r.set_defaults(func=retry_cmd)
    ra = s.add_parser("retry-all", help="queue every dead letter of a destination again")
    ra.add_argument("destination")
    ra.set_defaults(func=retry_all_cmd)


def _store() -> Store:
    return open_existing()


def list_cmd(args: argparse.Namespace) -> int:
    print(json.dumps(deadletter.list_dead(_store(), args.destination, limit=1000), ensure_ascii=False, indent=2))
    return 0


def retry_cmd(args: argparse.Namespace) -> int:
    dest = deadletter.retry_one(_store(), args.delivery_id, "cli")
    print(f"delivery {args.delivery_id} to {dest} queued again")
    return 0


def retry_all_cmd(args: argparse.Namespace) -> int:
    n = deadletter.retry_all(_store(), args.destination, "cli")
    print(f"{n} dead letters to {args.destination} queued again")
    return 0
