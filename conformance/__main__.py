"""``python -m conformance …`` is the runner's command line."""

from __future__ import annotations

import sys

from conformance.runner import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
