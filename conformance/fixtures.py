"""Fixtures shared by the steps: the settings, the HTTP client, the per-scenario state.

Session-scoped pieces (client, the provider's known records, the sender's deliveries) are made once
per run: a run against one product should take seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from lxml import etree

from conformance.client import DEFAULT, KitClient
from conformance.contract import SOAP11
from conformance.evidence import Recorder
from conformance.kit_hub import Delivery
from conformance.known import KnownData, establish
from conformance.options import KitOptions
from conformance.samples import fresh_resident, ido_tsuchi, jumin_shokai
from conformance.samples_zei import fresh_notice, tsuchi_ichiran, zeigaku_tsuchi
from conformance.sender_capture import capture
from conformance.soap import SoapReply


@dataclass
class ScenarioState:
    """What a scenario builds up: the request being prepared and the replies received."""

    operation: str = ""
    body: etree._Element | None = None
    header: Any = DEFAULT
    token: Any = DEFAULT
    wrong_password: bool = False
    version: str = SOAP11
    raw: bytes | None = None
    check: bool = True
    sent: list[bytes] = field(default_factory=list)
    replies: list[SoapReply] = field(default_factory=list)
    elapsed: list[float] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def reply(self) -> SoapReply:
        assert self.replies, "まだ要求を送信していません"
        return self.replies[-1]


class RoleProbe:
    """The role's standard request: what "a normal request" means for a provider or a receiver."""

    def __init__(self, options: KitOptions, client: KitClient, request: pytest.FixtureRequest) -> None:
        self.options = options
        self.client = client
        self.request = request

    @property
    def operations(self) -> tuple[str, ...]:
        if self.options.service == "zei":
            return ("TsuchiIchiranShokai", "SeihonShutoku") if self.options.role == "provider" \
                else ("ZeigakuTsuchi",)
        if self.options.role == "provider":
            return ("JuminShokai", "IdoIchiranShokai", "SetaiShokai")
        return ("IdoTsuchi",)

    def standard(self) -> tuple[str, etree._Element, str]:
        """(operation, body, subject key) of a fresh request that a conformant product answers 0000."""
        if self.options.service == "zei":
            if self.options.role == "provider":
                return "TsuchiIchiranShokai", tsuchi_ichiran(), self.options.shitei_no or ""
            notice = fresh_notice(self.options.lg_code)
            return "ZeigakuTsuchi", zeigaku_tsuchi(notice), notice.shitei_no
        if self.options.role == "provider":
            known: KnownData = self.request.getfixturevalue("known")
            return "JuminShokai", jumin_shokai(known.atena_no), known.atena_no
        res = fresh_resident(self.options.lg_code)
        return "IdoTsuchi", ido_tsuchi(res), res.atena_no


@pytest.fixture(scope="session")
def kit_options(pytestconfig: pytest.Config) -> KitOptions:
    from conformance.plugin import OPTIONS_KEY

    options = pytestconfig.stash.get(OPTIONS_KEY, None)
    if options is None:
        pytest.skip("no --role given: the conformance scenarios need a target")
    return options


@pytest.fixture(scope="session")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="session")
def kit_client(kit_options: KitOptions, recorder: Recorder) -> Iterator[KitClient]:
    client = KitClient(kit_options, recorder)
    yield client
    client.close()


@pytest.fixture
def scene() -> ScenarioState:
    return ScenarioState()


@pytest.fixture
def probe(kit_options: KitOptions, kit_client: KitClient, request: pytest.FixtureRequest) -> RoleProbe:
    return RoleProbe(kit_options, kit_client, request)


@pytest.fixture(scope="session")
def known(kit_options: KitOptions, kit_client: KitClient) -> KnownData:
    return establish(kit_options, kit_client)


@pytest.fixture(scope="session")
def deliveries(kit_options: KitOptions, kit_client: KitClient) -> list[Delivery]:
    return capture(kit_options, kit_client)
