"""The kit's settings: one dataclass, filled from the command line of the runner or of pytest.

Bad settings fail before any request is sent (a run against the wrong role or without a URL would
otherwise produce a report full of misleading 不準拠 verdicts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.lgcode import is_valid

ROLES = ("provider", "receiver", "sender")
SERVICES = ("jumin", "zei")
KIT_SENDER_ID = "conformance-kit"  # only when neither --sender-id nor --username is given


class OptionsError(ValueError):
    """A setting that makes the run meaningless."""


@dataclass(frozen=True)
class KitOptions:
    role: str
    service: str = "jumin"
    base_url: str | None = None
    report_dir: Path | None = None
    username: str | None = None
    password: str | None = None
    api_key: str | None = None
    lg_code: str = "243035"
    sender_id: str = KIT_SENDER_ID
    trigger_url: str | None = None
    wait_seconds: float = 10.0
    expect_count: int = 3
    listen: str = "127.0.0.1:0"
    atena_no: str | None = None
    setai_no: str | None = None
    seed: bool = True
    shitei_no: str | None = None
    town_cert: Path | None = None
    key_path: Path | None = None
    timeout: float = 10.0
    product: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise OptionsError(f"--role must be one of {', '.join(ROLES)}: {self.role!r}")
        if self.service not in SERVICES:
            raise OptionsError(f"--service must be one of {', '.join(SERVICES)}: {self.service!r}")
        if self.role != "sender" and not self.base_url:
            raise OptionsError(f"--base-url is needed for the {self.role} role")
        if not is_valid(self.lg_code):
            raise OptionsError(f"--lg-code {self.lg_code} has a wrong check digit")
        if self.role != "sender" and not (self.username and self.password):
            raise OptionsError(f"--username and --password are needed for the {self.role} role")
        if self.service == "zei" and self.role == "provider" and not (self.shitei_no and self.town_cert):
            raise OptionsError("--shitei-no and --town-cert are needed for the zei provider role")
        if self.service == "zei" and self.role == "sender":
            raise OptionsError("the zei service has no sender role in this kit version")

    @property
    def soap_url(self) -> str:
        return (self.base_url or "").rstrip("/") + f"/soap/{self.service}"

    @property
    def rest_url(self) -> str:
        return (self.base_url or "").rstrip("/") + f"/api/v1/{self.service}"


# name, dest, default, help (type is taken from the default)
OPTIONS: tuple[tuple[str, str, Any, str], ...] = (
    ("--base-url", "base_url", None, "base URL of the product under test (provider, receiver)"),
    ("--role", "conformance_role", None, "the part the product plays: provider (answers 照会), "
                                        "receiver (accepts 住民異動通知) or sender (sends them)"),
    ("--service", "conformance_service", "jumin", "業務 service (jumin | zei)"),
    ("--report", "conformance_report", None, "directory for JUnit, cucumber JSON, summary and HTML"),
    ("--username", "wss_username", None, "UsernameToken user (the kit's, or the sender's)"),
    ("--password", "wss_password", None, "UsernameToken password"),
    ("--api-key", "api_key", None, "X-API-Key for the REST twin"),
    ("--lg-code", "lg_code", "243035", "団体コード used in headers (default 243035; against a hub, "
                                       "the test tenant of the kit's system, docs/conformance.md)"),
    ("--sender-id", "sender_id", None, "senderSystemId the kit puts in every header (default: the "
                                       "--username; give it when the product registers the kit's "
                                       "system under another id)"),
    ("--trigger-url", "trigger_url", None, "sender role: URL asked to send to the kit (README)"),
    ("--wait", "wait_seconds", "10", "sender role: seconds to wait for deliveries (default 10)"),
    ("--expect-count", "expect_count", "3", "sender role: deliveries asked for and awaited (default 3)"),
    ("--listen", "listen", "127.0.0.1:0", "sender role: host:port of the kit's endpoint "
                                             "(default 127.0.0.1:0, a free port)"),
    ("--atena-no", "atena_no", None, "provider role: a 宛名番号 known to the product"),
    ("--setai-no", "setai_no", None, "provider role: a 世帯番号 known to the product"),
    ("--no-seed", "no_seed", False, "provider role: do not send sample 異動 before 照会 "
                                    "(then name a resident with --atena-no and --setai-no)"),
    ("--shitei-no", "shitei_no", None, "zei provider role: the 指定番号 of the employer the kit signs in as"),
    ("--town-cert", "town_cert", None, "zei provider role: PEM certificate the 正本 must be signed with"),
    ("--key", "conformance_key", None, "signing key file (default $CHIPLA_CONFORMANCE_KEY, "
                                            "else ~/.config/chipla/conformance.key, made on first use)"),
    ("--http-timeout", "http_timeout", "10", "seconds per HTTP exchange (default 10)"),
    ("--product", "product_name", None, "product name for the report"),
    ("--vendor", "product_vendor", None, "vendor name for the report"),
    ("--product-version", "product_version", None, "product version for the report"),
)


def add_options(parser: pytest.Parser) -> None:
    """Register the options; ones another plugin already defines are left to it."""
    group = parser.getgroup("conformance", "chipla conformance kit")
    for name, dest, default, help_text in OPTIONS:
        try:
            if default is False:
                group.addoption(name, dest=dest, action="store_true", default=False, help=help_text)
            else:
                group.addoption(name, dest=dest, default=default, help=help_text)
        except ValueError:
            continue


def from_pytest(config: pytest.Config) -> KitOptions:
    opt = config.getoption
    report = opt("conformance_report")
    key = opt("conformance_key")
    product = {k: v for k, v in (("name", opt("product_name")), ("vendor", opt("product_vendor")),
                                 ("version", opt("product_version"))) if v}
    return KitOptions(
        role=opt("conformance_role") or "", service=opt("conformance_service"),
        base_url=opt("base_url"), report_dir=Path(report) if report else None,
        username=opt("wss_username"), password=opt("wss_password"), api_key=opt("api_key"),
        lg_code=opt("lg_code"), sender_id=opt("sender_id") or opt("wss_username") or KIT_SENDER_ID,
        trigger_url=opt("trigger_url"),
        wait_seconds=float(opt("wait_seconds")), expect_count=int(opt("expect_count")),
        listen=opt("listen"), atena_no=opt("atena_no"), setai_no=opt("setai_no"),
        seed=not opt("no_seed"), key_path=Path(key) if key else None,
        shitei_no=opt("shitei_no"), town_cert=Path(opt("town_cert")) if opt("town_cert") else None,
        timeout=float(opt("http_timeout")), product=product,
    )
