#!/usr/bin/env bash
# Servers and the browser the tests need, from Debian's packages: redis-server and rabbitmq-server
# (Celery brokers of the scaled-out dispatcher), mosquitto (MQTT broker of the sensor feeds), chromium and a Japanese font
# (console page test), xmlsec1 (the independent signature check). PostgreSQL binaries are expected at
# /usr/local/bin or on PATH (initdb, pg_ctl); the test suite starts a throw-away cluster itself.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# the other Celery broker the scaled-out dispatcher is tested with
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
# MQTT broker for the sensor feeds (mosquitto_passwd builds the device password file)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
# Japanese glyphs for console screenshots
[ -d /usr/share/fonts/opentype/ipafont-gothic ] || need+=(fonts-ipafont-gothic)
# the independent XML-DSig verifier the signature tests check the hub's signed 正本 with
command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages: ${need[*]} (run as root, or install them)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
for bin in initdb pg_ctl; do
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/local/bin/$bin" ] || {
    echo "PostgreSQL's $bin is missing (expected at /usr/local/bin)" >&2; exit 1; }
done
echo "system dependencies present: redis-server, rabbitmq-server, mosquitto, chromium, xmlsec1, PostgreSQL binaries"
