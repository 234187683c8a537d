"""The baseline: a bare Starlette route + lxml XSD validation + one insert, no hub.

Same documents, same server (uvicorn), same durability as the hub's store: SQLite in WAL mode with
``synchronous=FULL``, or one committed insert per request on PostgreSQL. Run as its own process:
``python -m bench.raw_baseline DB PORT`` where DB is a SQLite file path or a ``postgresql://`` URL.
"""

from __future__ import annotations

import sqlite3
import sys
import uuid
from collections.abc import Callable

import psycopg
import uvicorn
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import api_specs

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def _sqlite_insert(db_path: str) -> Callable[[str, bytes], None]:
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, body BLOB)")

    def insert(receipt: str, raw: bytes) -> None:
        conn.execute("INSERT INTO messages VALUES (?, ?)", (receipt, raw))

    return insert


def _postgres_insert(url: str) -> Callable[[str, bytes], None]:
    conn = psycopg.connect(url, autocommit=True)
    conn.execute("CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, body BYTEA)")

    def insert(receipt: str, raw: bytes) -> None:
        conn.execute("INSERT INTO messages VALUES (%s, %s)", (receipt, raw))

    return insert


def make_app(db: str) -> Starlette:
    schema = etree.XMLSchema(etree.parse(str(api_specs.path("xsd", "jumin.xsd"))))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    insert = _postgres_insert(db) if db.startswith("postgresql://") else _sqlite_insert(db)

    async def receive(request: Request) -> Response:
        raw = await request.body()
        body = etree.fromstring(raw, parser).find(f"{{{SOAP}}}Body")[0]
        if not schema.validate(body):
            return Response("invalid", status_code=500)
        receipt = str(uuid.uuid4())
        insert(receipt, raw)
        return Response(f"<ok>{receipt}</ok>", media_type="text/xml")

    return Starlette(routes=[Route("/soap/jumin", receive, methods=["POST"])])


if __name__ == "__main__":
    uvicorn.run(make_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
                access_log=False)
