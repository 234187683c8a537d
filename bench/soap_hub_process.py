"""The hub under benchmark, as its own process: ``python -m bench.soap_hub_process DB PORT REGISTRY``."""

from __future__ import annotations

import sys

import uvicorn

from chipla.app import build_app
from chipla.config import Settings
from chipla.wiring import build


def main() -> None:
    db_url, port, registry = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    parts = build(Settings(db_url=db_url, registry_file=registry, retry_base_seconds=0.5))
    uvicorn.run(build_app(parts), host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
