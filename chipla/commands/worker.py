"""``chipla worker``: a Celery worker delivering what a hub with ``CHIPLA_DISPATCHER=celery`` publishes.

It reads the same ``CHIPLA_*`` settings as the hub (database, broker, lease, retry policy, timeouts);
run as many as the destinations need, on any machine that reaches the database and the broker.
"""

from __future__ import annotations

import argparse
import logging
import os

from broker.dispatch.celery_relay import QUEUE
from chipla.config import Settings
from chipla.worker import create_app

log = logging.getLogger(__name__)

POOLS = ("threads", "prefork", "solo")


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("worker", help="run a Celery worker for the scaled-out dispatcher")
    p.add_argument("--concurrency", type=int, default=8,
                   help="deliveries run at once by this worker (default 8)")
    p.add_argument("--pool", choices=POOLS, default="threads",
                   help="threads (default; deliveries wait on the network), prefork or solo")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.concurrency < 1:
        raise SystemExit("--concurrency must be at least 1")
    settings = Settings.load()
    if not settings.broker_url:
        raise SystemExit("CHIPLA_BROKER_URL is required: the worker takes its tasks from that broker")
    if settings.dispatcher != "celery":
        log.warning("CHIPLA_DISPATCHER is %r: a hub so configured delivers inline and publishes nothing "
                    "for this worker", settings.dispatcher)
    app = create_app(settings, pool=args.pool)
    app.worker_main([
        "worker", f"--pool={args.pool}", f"--concurrency={args.concurrency}", f"--queues={QUEUE}",
        f"--loglevel={settings.log_level}", f"--hostname=chipla-{os.getpid()}@%h",
        "--without-gossip", "--without-mingle",
    ])
    return 0
