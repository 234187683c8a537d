"""The console's dependencies, assembled from the hub's parts (composition root).

Here live the pieces the console adapter may not import itself: the replay engine, the KPI sources
(procurement registry, sensor store) and the sample requests of the SOAP workbench.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import func, select

import mappings
from adapters.inbound.console import ConsoleDeps, Kpi, ReplayDiff, SoapOperation
from adapters.inbound.rest import procurement
from adapters.outbound.opendata.ckan_api import CkanApi
from adapters.wire import codec
from broker.clock import as_jst, now
from broker.operators import OperatorStore
from broker.services.jumin import JuminService
from broker.services.jumin.replay import replay_message
from broker.services.notify import kpi as notify_kpi
from broker.services.sensors.models import MimamoriTag, Reading, SensorThing
from broker.services.zei import kpi as zei_kpi
from chipla.wiring import Parts
from procurement import kpi, register
from simulators.samples import LG_CODE, SampleTown, header
from vocab.nendo import nendo_of

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NOT_YET = None


def console_deps(parts: Parts) -> ConsoleDeps:
    secret = parts.settings.console_secret or secrets.token_urlsafe(32)
    specs = mappings.registry()

    def replay(seq: int, mapping_id: str, version: str) -> ReplayDiff:
        compared = replay_message(parts.store, specs, seq, mapping_id, version)
        return ReplayDiff(compared.baseline, f"v{version}",
                          [(c.kind, c.path, _plain(c.old), _plain(c.new)) for c in compared.changes])

    def versions() -> dict[str, list[str]]:
        return {i: [str(v) for v in specs.versions(i)] for i in ("ido-imi", "jumin-imi")}

    return ConsoleDeps(store=parts.store, registry=parts.registry, hub=parts.hub,
                       operators=OperatorStore(parts.store), secret=secret, lg_code=LG_CODE,
                       kpis=lambda: plan_kpis(parts), mapping_versions=versions, replay=replay,
                       soap_operations=soap_operations(), max_message_bytes=parts.settings.max_message_bytes)


def _plain(value: Any) -> Any:
    return None if repr(value) == "<absent>" else value


def plan_kpis(parts: Parts) -> list[Kpi]:
    """The plan's KPI table from what this hub holds; ``None`` where the data does not exist yet."""
    store = parts.store
    day_ago = now() - timedelta(days=1)
    with store.read() as s:
        things = s.execute(select(func.count()).select_from(SensorThing)).scalar_one()
        live = s.execute(select(func.count(func.distinct(SensorThing.family)))
                         .join(Reading, Reading.thing_id == SensorThing.id)
                         .where(Reading.result_time >= day_ago)).scalar_one()
        tags = s.execute(select(func.count()).select_from(MimamoriTag)).scalar_one()
        gomi = notify_kpi.compute(s, LG_CODE)["gomiSubscribers"]
        nendo = nendo_of(as_jst(now()).date())
        denshika = zei_kpi.denshika(s, LG_CODE, nendo,
                                    zei_kpi.download_addressees(parts.registry.snapshot(), LG_CODE))
    source = getattr(parts.hub, procurement.HUB_ATTRIBUTE, None) or procurement.RegistryFile.configured("")
    computed = kpi.compute(register.load(source.path))["applic"]
    spec, adopted, total = computed[kpi.SPEC_RATE], computed[kpi.ADOPTION_RATE], computed["denominator"]
    return [
        Kpi("電子申請件数", NOT_YET, "オンラインで受け付けた申請の件数 (年度)",
            "電子申請の受付業務がまだハブにありません"),
        _denshika_kpi(nendo, denshika),
        _opendata_kpi(Path(parts.settings.opendata_dir)),
        Kpi("ごみ分別・収集日メール 登録者数", str(gomi),
            "ごみ収集日の地区を選んで配信に登録している住民の数 (確認済み)",
            "お知らせメール notify_subscribers, notify_topics"),
        Kpi("みまもり 利用者数", str(tags), "登録されている通学路見守りタグの数 (保護者の登録 1 件 = 1 人)",
            "センサー入力 mimamori_tags"),
        Kpi("センサー設置数", str(things), "ハブに登録された機器の数", "センサー入力 sensor_things"),
        Kpi("稼働中の IoT サービス数", str(live), "直近 24 時間にデータが届いた機器の種類 (水位、バス …) の数",
            "センサー入力 sensor_readings"),
        Kpi(kpi.SPEC_RATE, f"{spec['rate'] * 100:.1f} % ({spec['count']} / {total})",
            "標準準拠を仕様書に記載した業務 ÷ 対象業務 (地域情報プラットフォーム 26 業務)",
            f"調達台帳 {source.path.name}"),
        Kpi(kpi.ADOPTION_RATE, f"{adopted['rate'] * 100:.1f} % ({adopted['count']} / {total})",
            "準拠を確認した製品を導入した業務 ÷ 対象業務 (同上)", f"調達台帳 {source.path.name}"),
    ]


def _denshika_kpi(nendo: int, computed: dict[str, Any]) -> Kpi:
    name, source = "特別徴収税額通知 電子化率", f"個人住民税 zei_notices ({nendo} 年度)"
    definition = "電子で届けた (エンドポイントへ配信、または事業者がダウンロード) 通知 ÷ 送った通知の総数 (年度)"
    if not computed["notices"]:
        return Kpi(name, NOT_YET, definition, f"{nendo} 年度の特別徴収税額通知はまだありません")
    value = f"{computed['denshikaRitsu'] * 100:.1f} % ({computed['electronic']} / {computed['notices']})"
    return Kpi(name, value, definition, source)


def _opendata_kpi(folder: Path) -> Kpi:
    """Datasets in the published catalogue (what CKAN's package_list answers at /opendata/)."""
    definition = "公開カタログ (/opendata/ の CKAN package_list) にあるデータセットの数"
    if not (folder / "ckan.json").exists():
        return Kpi("オープンデータ公開件数", NOT_YET, definition, f"公開フォルダ {folder} はまだ作られていません")
    return Kpi("オープンデータ公開件数", str(len(CkanApi(folder, "/opendata").packages())), definition,
               f"公開フォルダ {folder}")


def soap_operations() -> list[SoapOperation]:
    """jumin operations with a sample request built from the town's sample data by the XSD-guided
    encoder and checked against the XSD before it is offered."""
    def make(operation: str, body: Callable[[SampleTown], dict[str, Any]]) -> SoapOperation:
        def sample() -> bytes:
            town = SampleTown(seed=7)
            meta = {**header("juki"), "operation": operation}
            if operation != "IdoTsuchi":
                meta["purposeCode"] = "jumin"
            return soap_envelope(meta, JuminService.contract.request_element(operation), body(town))
        return SoapOperation("jumin", operation, sample)

    return [
        make("IdoTsuchi", lambda t: {"ido": t.tennyu()}),
        make("JuminShokai", lambda t: {"atenaNo": t.tennyu()["jumin"]["shikibetsu"]["atenaNo"]}),
        make("SetaiShokai", lambda t: {"setaiNo": t.tennyu()["jumin"]["shikibetsu"]["setaiNo"]}),
        make("IdoIchiranShokai", lambda t: {"since": "2026-01-01T00:00:00+09:00", "pageSize": 10}),
    ]


def soap_envelope(meta: dict[str, Any], body_qname: str, body: dict[str, Any]) -> bytes:
    env = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soap": SOAP11})
    head = etree.SubElement(env, f"{{{SOAP11}}}Header")
    pf = etree.SubElement(head, f"{{{codec.NS_COMMON}}}PfHeader", nsmap={"c": codec.NS_COMMON})
    for key in ("messageId", "correlationId", "sentAt", "lgCode", "senderSystemId", "receiverSystemId",
                "service", "operation", "specVersion", "operatorId", "purposeCode", "subjectKey"):
        if key in meta:
            etree.SubElement(pf, f"{{{codec.NS_COMMON}}}{key}").text = str(meta[key])
    jumin_codec = codec.for_contract(JuminService.contract)
    element = jumin_codec.to_xml(body_qname, body)
    schema = jumin_codec.lxml_schema
    if not schema.validate(element):
        raise ValueError(f"sample {body_qname} is not valid: {schema.error_log.last_error}")
    etree.SubElement(env, f"{{{SOAP11}}}Body").append(element)
    etree.indent(env, space="  ")
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")
