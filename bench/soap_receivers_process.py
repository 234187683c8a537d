"""Three simulated receivers in their own process: ``python -m bench.soap_receivers_process PORTS…``.

Secrets are fixed here because the benchmark's receivers live for one run on loopback only.
"""

from __future__ import annotations

import sys
import threading

from simulators.loopback import LoopbackServer
from simulators.receiver import receiver_app

RECEIVERS = (("zei", "soap"), ("kokuho", "soap"), ("kaigo", "webhook"))


def main() -> None:
    ports = [int(p) for p in sys.argv[1:4]]
    for (rid, _kind), port in zip(RECEIVERS, ports, strict=True):
        app, _inbox = receiver_app(rid, f"{rid}-hub", f"{rid}-bench-secret")
        LoopbackServer(app, port=port, lifespan="off").start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
