"""``chipla import FILE --layout NAME``: a legacy file into the store (and, with --send, to the hub).

Exit status: 0 every row accepted, 1 some rows refused (the others are imported; see --errors),
2 the file was refused as a whole (unknown layout or mapping, wrong header, undecodable bytes).
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

import mappings
from adapters.inbound.files.pipeline import MAPPING_PROCESSES, ImportSummary, import_file
from adapters.inbound.files.sending import SendTarget
from adapters.inbound.files.sources import ENCODINGS, FileRefused
from broker.hub import Hub
from broker.registry import SystemRegistry
from broker.store import Store
from chipla.config import Settings
from chipla.services import catalog


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("import", help="import a legacy CSV or fixed-width file")
    p.add_argument("file", help="the file to import")
    p.add_argument("--layout", required=True, help="layout name, e.g. chukan_jumin or kisosaki_jumin")
    p.add_argument("--mapping", help="ID or ID@VERSION (default: the latest mapping of the layout)")
    p.add_argument("--encoding", choices=ENCODINGS, default="auto")
    p.add_argument("--errors", metavar="REPORT.csv",
                   help="write refused values here (row, column, value, reason)")
    p.add_argument("--send", action="store_true",
                   help="also send each record as 住民異動通知 through the hub")
    p.add_argument("--sender", default="juki", help="registered sender system id for --send (default: juki)")
    p.add_argument("--operator", help="職員ID written into the header of sent messages")
    p.add_argument("--workers", type=int, default=MAPPING_PROCESSES, metavar="N",
                   help=f"processes that map rows (default {MAPPING_PROCESSES}; 0: map in this process)")
    p.set_defaults(func=run)


def _send_target(store: Store, specs: mappings.SpecRegistry, args: argparse.Namespace) -> tuple[SendTarget, Hub]:
    """A hub pipeline without a dispatcher: messages wait in the outbox for the running hub's."""
    registry = SystemRegistry(store)
    hub = Hub(store, registry, catalog(specs))
    hub.writer.start()
    return SendTarget(hub, registry.system(args.sender), args.operator), hub


def run(args: argparse.Namespace) -> int:
    console = Console()
    store = Store(Settings.load().db_url)
    store.migrate()
    specs = mappings.registry()
    hub = None
    try:
        send = None
        if args.send:
            send, hub = _send_target(store, specs, args)
        with Progress(TextColumn("[bold]import[/]"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=console, transient=True, disable=not console.is_terminal) as bar:
            task = bar.add_task("rows", total=None)
            summary = import_file(
                args.file, layout=args.layout, store=store, specs=specs, mapping=args.mapping,
                encoding=args.encoding, errors_to=args.errors, send=send, processes=max(args.workers, 0),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except (FileRefused, KeyError) as exc:
        console.print(f"[red]refused:[/] {exc}")
        return 2
    finally:
        if hub is not None:
            hub.writer.stop()
        store.dispose()
    console.print(summary_table(summary))
    return 1 if summary.rejected else 0


def summary_table(summary: ImportSummary) -> Table:
    table = Table(title=f"import {summary.file}", show_header=False, title_justify="left")
    table.add_row("layout / mapping", f"{summary.layout} / {summary.mapping}")
    table.add_row("encoding", summary.encoding)
    table.add_row("file sha256", summary.file_sha256)
    table.add_row("rows", f"{summary.rows:,}")
    table.add_row("accepted (new)", f"{summary.accepted:,}")
    table.add_row("already imported", f"{summary.duplicates:,}")
    table.add_row("rejected", f"{summary.rejected:,} ({summary.quarantined:,} newly quarantined)")
    if summary.send is not None:
        table.add_row("sent to the hub", f"{summary.send.sent:,} (already sent: {summary.send.already:,})")
        table.add_row("not sent", f"{len(summary.send.refused):,}")
    table.add_row("mapped by", f"{summary.processes} worker processes" if summary.processes else "this process")
    table.add_row("time", f"{summary.seconds:.2f} s ({summary.records_per_second:,.0f} records/s)")
    return table
