"""``python -m vocab.imi`` prints the JSON-LD context generated from ``core.json``."""

import sys

from vocab.imi.context import render_context

sys.stdout.write(render_context())
