#!/usr/bin/env bash
# Run the whole suite in two phases, with any pytest arguments given passed to both:
#   1. everything but the kill / fault / broker tests, two at a time (pytest-xdist, one module per
#      worker so a module's servers start once);
#   2. the kill / fault / broker tests (markers `slow`, `celery`) one at a time: their drain and
#      recovery bounds are about the hub, not about sharing two cores with another test.
# pytest's exit status 5 (no tests collected) fails unless the other phase ran tests.
set -uo pipefail
cd "$(dirname "$0")/.."
workers="${CHIPLA_TEST_WORKERS:-2}"
.venv/bin/python -m pytest -p no:cacheprovider -m "not slow and not celery" -n "$workers" --dist loadfile "$@"
parallel=$?
.venv/bin/python -m pytest -p no:cacheprovider -m "slow or celery" "$@"
alone=$?
if [ "$parallel" -eq 5 ] && [ "$alone" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
for status in "$parallel" "$alone"; do
  if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then
    exit "$status"
  fi
done
exit 0
