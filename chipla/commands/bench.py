"""``chipla bench <name>``: one sub-subcommand per benchmark, each a thin call into ``bench.<name>_bench``.

To add a benchmark, write ``bench/<name>_bench.py`` and one ``_<name>`` function here (its parser
and its runner); the benchmark modules are imported only when their command runs.
"""

from __future__ import annotations

import argparse
import sys


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("bench", help="benchmarks (ratios against a baseline measured in the same run)")
    benches = p.add_subparsers(dest="bench_command", required=True)
    _import(benches)
    _soap(benches)
    _mqtt(benches)
    _opendata(benches)
    _notify(benches)
    _audit(benches)


def _soap(benches: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = benches.add_parser("soap", help="concurrent SOAP 住民異動通知 through the hub, beside a raw baseline")
    p.add_argument("--clients", type=int, default=32, help="concurrent connections (default 32)")
    p.add_argument("--seconds", type=float, default=10.0, help="load time per target (default 10)")
    p.add_argument("--workers", type=int, default=None,
                   help="hub processes (default 1; with --topology scaled, of the scaled layout, default 2)")
    p.add_argument("--split", action="store_true",
                   help="deliver from a separate `chipla dispatch` process (CHIPLA_DISPATCHER=external)")
    p.add_argument("--dispatcher", choices=("inline", "process"), default="",
                   help="the hub's CHIPLA_DISPATCHER (default: the hub's default)")
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite",
                   help="store of hub and baseline: SQLite file or a throw-away PostgreSQL (default sqlite)")
    p.add_argument("--no-subscribers", action="store_true", help="no subscribers: the accept path alone")
    p.add_argument("--record", metavar="FILE", help="add the result as the newest row of FILE's results table "
                                                    "(docs/benchmarks.md)")
    p.add_argument("--topology", choices=("single", "scaled"), default="single",
                   help="scaled: PostgreSQL + a Celery broker + --workers hub processes + --celery-workers "
                        "workers, beside one SQLite process in the same run")
    p.add_argument("--celery-workers", type=int, default=2, help="scaled: chipla worker processes (default 2)")
    p.add_argument("--broker", choices=("redis", "rabbitmq"), default="redis", help="scaled: the Celery broker")
    p.set_defaults(func=run_soap)


def run_soap(args: argparse.Namespace) -> int:
    from pathlib import Path

    if args.topology == "scaled":
        from bench import topology

        topology.bench(clients=args.clients, seconds=args.seconds, hub_processes=args.workers or 2,
                       workers=args.celery_workers, broker=args.broker)
        return 0

    from bench import results_table, soap_bench
    from bench.wrk_load import WrkMissing

    try:
        report = soap_bench.run(clients=args.clients, seconds=args.seconds, workers=args.workers or 1,
                                split=args.split, db=args.db, subscribers=not args.no_subscribers,
                                dispatcher=args.dispatcher)
    except WrkMissing as exc:
        print(f"chipla bench soap: {exc}", file=sys.stderr)
        return 2
    if args.record:
        results_table.record(Path(args.record), results_table.row(report))
    return 0


def _import(benches: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = benches.add_parser("import", help="synthetic residents (CP932 CSV) through chipla import")
    p.add_argument("--rows", type=int, default=100_000, help="residents to generate (default 100,000)")
    p.add_argument("--db", help="database URL (default: a fresh SQLite file in a temporary folder)")
    p.add_argument("--profile", action="store_true", help="print the cProfile of the import")
    p.add_argument("--workers", default="default,other", metavar="N[,N…]",
                   help="mapping processes of each import run, in order ('default': the import's default; "
                        "'other': 0 if that is not 0, else 2); default: default,other")
    p.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from bench import import_bench

    result = import_bench.run(args.rows, db_url=args.db, profile=args.profile,
                              processes=import_bench.process_counts(args.workers))
    print(import_bench.report(result))
    return 0


def _mqtt(benches: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = benches.add_parser("mqtt", help="device processes at QoS 1 through Mosquitto into the store, beside a raw "
                                        "paho subscriber")
    p.add_argument("--publishers", type=int, default=4, help="device processes (default 4)")
    p.add_argument("--readings", type=int, default=25_000, help="readings per device (default 25,000)")
    p.add_argument("--paced", type=float, default=1000.0,
                   help="then publish this many readings/s for ten seconds, for the lag (default 1000; 0: skip)")
    p.set_defaults(func=run_mqtt)


def run_mqtt(args: argparse.Namespace) -> int:
    from bench import mqtt_bench

    print(mqtt_bench.report(mqtt_bench.run(args.publishers, args.readings, args.paced)))
    return 0


def _notify(benches: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = benches.add_parser("notify", help="water-level readings → notices → outbox → SMTP, beside an SMTP baseline")
    p.add_argument("--rate", type=float, default=1000.0, help="readings per second (default 1,000)")
    p.add_argument("--seconds", type=float, default=10.0, help="load time (default 10)")
    p.add_argument("--gauges", type=int, default=50, help="gauges, one subscriber each (default 50)")
    p.add_argument("--every", type=int, default=20, help="one reading in N per gauge becomes a mail (default 20)")
    p.set_defaults(func=run_notify)


def run_notify(args: argparse.Namespace) -> int:
    from bench import notify_bench

    result = notify_bench.run(rate=args.rate, seconds=args.seconds, gauges=args.gauges, every=args.every)
    print(notify_bench.report(result))
    return 0


def _opendata(benches: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = benches.add_parser("opendata", help="地域・年齢別人口 with secondary suppression, beside primary only")
    p.add_argument("--size", action="append", metavar="RESIDENTS:REGIONS",
                   help="repeatable (default: 6300:22, 50000:100, 200000:400)")
    p.set_defaults(func=run_opendata)


def run_opendata(args: argparse.Namespace) -> int:
    from bench import opendata_bench

    sizes = [tuple(int(n) for n in s.split(":")) for s in args.size or ["6300:22", "50000:100", "200000:400"]]
    opendata_bench.run([(residents, regions) for residents, regions in sizes])
    return 0


def _audit(benches: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = benches.add_parser("audit", help="an accept group's audit link: one entry per message, or one per group")
    p.add_argument("--group", type=int, default=64, help="messages per group (default 64)")
    p.add_argument("--rounds", type=int, default=150, help="groups written per variant (default 150)")
    p.set_defaults(func=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    from bench import audit_bench

    print(audit_bench.report(audit_bench.run(args.group, args.rounds), args.group, args.rounds))
    print(audit_bench.report_outcomes(audit_bench.outcomes(args.group, args.rounds), args.group))
    return 0
