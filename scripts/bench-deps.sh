#!/usr/bin/env bash
# What the benchmarks need beyond the test suite, from Debian's packages: wrk (the HTTP load generator
# of `chipla bench soap`). PostgreSQL binaries for `--db postgresql` are the same as for the tests.
set -euo pipefail
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing system package: wrk (run as root, or install it)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
echo "benchmark dependencies present: wrk"
