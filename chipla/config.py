"""Configuration: ``CHIPLA_*`` environment variables, or one TOML file named by ``CHIPLA_CONFIG``.

Defaults are the embedded engines (SQLite file, inline dispatcher). Bad values fail here, at start,
not at the first request.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    db_url: str = "sqlite:///var/chipla.db"
    host: str = "127.0.0.1"
    port: int = 8000
    # auto (process under `chipla serve`, inline in an embedded hub) | inline (in the serving process)
    # | process (`chipla serve` starts one `chipla dispatch` beside itself) | celery | external (a
    # separate `chipla dispatch`, started by the operator, delivers)
    dispatcher: str = "auto"
    broker_url: str = ""  # Celery broker (redis:// or amqp://) when dispatcher = celery
    registry_file: str = ""  # YAML of systems, ACL and subscriptions loaded at start
    procurement_registry: str = ""  # 業務 system registry for KPIs; empty: the kit example, read-only
    retry_base_seconds: float = 1.0
    retry_max_attempts: int = 8
    retry_cap_seconds: float = 600.0
    delivery_timeout: float = 10.0
    delivery_parallel: int = 4  # deliveries in flight per destination (different residents only)
    max_message_bytes: int = 1024 * 1024
    sqlite_synchronous: str = "FULL"
    lease_seconds: float = 60.0
    max_in_flight: int = 50  # Celery: rows in flight per destination, for all hub processes together
    registry_stale_seconds: float = 300.0  # store away: authenticate from the last registry read this long
    ready_stall_seconds: float = 30.0  # /readyz: due work waiting this long with no attempt finishing = stalled
    log_level: str = "INFO"
    # sensor feeds: "embedded" starts Mosquitto on 127.0.0.1:mqtt_port; "off"; or mqtt://user:pw@host:port
    mqtt_url: str = "embedded"
    mqtt_port: int = 1883
    mqtt_folder: str = "var/mqtt"  # embedded broker's configuration, ACL, password file and persistence
    sensor_registry: str = ""  # device registry YAML; empty: the 木曽岬町 demo registry
    quarantine_retention_days: int = 90  # refused input older than this is removed (audited)
    quarantine_max_bytes: int = 1024 * 1024 * 1024  # oldest entries go first past this total
    refusals_per_minute: int = 300  # per client address; past it the address is turned away (2007)
    anonymous_samples_per_minute: int = 5  # unauthenticated refusals kept per client address
    console_secret: str = ""  # signs console sessions (>= 32 chars); empty: random per start (sign in again)
    metrics_token: str = ""  # bearer token for /metrics; empty: /metrics answers loopback clients only
    gate_pass_retention_days: int = 90  # school-route gate passes are deleted after this many days
    opendata_dir: str = "var/opendata"  # the published open-data folder served at /opendata/
    opendata_refresh_seconds: float = 300.0  # rebuild the folder when it is older than this
    smtp_url: str = "embedded"  # embedded: an SMTP sink on loopback writing to mail_folder; or smtp(s)://…
    mail_folder: str = ""  # the embedded sink's Maildir; empty: "mail" beside the SQLite file, else var/mail
    mail_from: str = "noreply@chipla.invalid"
    public_url: str = ""  # base of the links in mails; empty: http://host:port
    notify_rules: str = ""  # the town's notification rules (YAML); empty: 木曽岬町's
    notify_gtfs: str = ""  # GTFS-JP folder of the bus timetable; empty: 木曽岬町's demo feed
    notify_gomi: str = ""  # ごみ calendar folder (calendar.yaml or 5374.jp); empty: towndata/243035/gomi
    notify_tick_seconds: float = 30.0  # clock-driven rules (stale gauges, ごみ evening) and digests
    signing_key: str = ""  # PEM key of the town's organisation certificate (signs 正本); empty: throw-away
    signing_cert: str = ""  # PEM certificate of that key (chain may follow)
    signing_issuer: str = "木曽岬町長"  # issuer named in signed 正本

    def __post_init__(self) -> None:
        if self.dispatcher not in ("auto", "inline", "process", "celery", "external"):
            raise ConfigError("CHIPLA_DISPATCHER must be auto, inline, process, celery or external, "
                              f"not {self.dispatcher!r}")
        if self.dispatcher == "celery" and not self.broker_url:
            raise ConfigError("CHIPLA_BROKER_URL is required with CHIPLA_DISPATCHER=celery")
        if self.broker_url.startswith(("sqla+", "db+", "filesystem")):
            raise ConfigError("use redis:// or amqp:// for CHIPLA_BROKER_URL; database and filesystem "
                             "transports poll and lose messages when a worker dies")
        if self.sqlite_synchronous not in ("FULL", "NORMAL", "EXTRA"):
            raise ConfigError("CHIPLA_SQLITE_SYNCHRONOUS must be FULL, NORMAL or EXTRA")
        if self.mqtt_url not in ("embedded", "off") and not self.mqtt_url.startswith(("mqtt://", "tcp://")):
            raise ConfigError(f"CHIPLA_MQTT_URL must be embedded, off or mqtt://…, not {self.mqtt_url!r}")
        for name in ("quarantine_retention_days", "quarantine_max_bytes", "refusals_per_minute",
                     "anonymous_samples_per_minute", "max_in_flight"):
            if getattr(self, name) < 1:
                raise ConfigError(f"CHIPLA_{name.upper()} must be at least 1")
        try:
            make_url(self.db_url)
        except ArgumentError as exc:
            raise ConfigError(f"CHIPLA_DB_URL {self.db_url!r} is not a database URL: write sqlite:///relative/path.db, "
                              "sqlite:////absolute/path.db or postgresql://user@host:port/database") from exc
        if self.smtp_url != "embedded" and not self.smtp_url.startswith(("smtp://", "smtps://")):
            raise ConfigError(f"CHIPLA_SMTP_URL must be embedded, smtp://… or smtps://…, not {self.smtp_url!r}")
        if bool(self.signing_key) != bool(self.signing_cert):
            raise ConfigError("CHIPLA_SIGNING_KEY and CHIPLA_SIGNING_CERT go together")
        if not self.db_url.startswith(("sqlite", "postgresql")):
            raise ConfigError(f"CHIPLA_DB_URL must be sqlite:/// or postgresql://, not {self.db_url!r}")

    @classmethod
    def load(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        if env.get("CHIPLA_CONFIG"):
            try:
                values.update(tomllib.loads(Path(env["CHIPLA_CONFIG"]).read_text(encoding="utf-8")))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"CHIPLA_CONFIG {env['CHIPLA_CONFIG']}: {exc}") from exc
        for f in fields(cls):
            key = f"CHIPLA_{f.name.upper()}"
            if key in env:
                values[f.name] = env[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        typed: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in values:
                typed[f.name] = _coerce(f.type, values[f.name], f.name)
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown configuration keys: {', '.join(sorted(unknown))}")
        return cls(**typed)


def _coerce(kind: Any, value: Any, name: str) -> Any:
    try:
        if kind in ("int", int):
            return int(value)
        if kind in ("float", float):
            return float(value)
        return str(value)
    except ValueError as exc:
        raise ConfigError(f"CHIPLA_{name.upper()}: {value!r} is not a {kind}") from exc
