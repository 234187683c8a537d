"""個人住民税 特別徴収税額通知 end to end: the simulated 個人住民税 system sends over SOAP (zeep on the
hub's own WSDL, every operation called), each notice reaches only its own employer — at its SOAP
endpoint, or downloaded over REST with the employer's own key — as a 正本 signed by the town, and the
電子化率 is counted from what the hub holds."""

from __future__ import annotations

import base64
import random
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from zeep.exceptions import Fault

from broker import xmldsig
from broker.services.zei import seihon
from simulators import zei_samples
from simulators.zei_sender import ZeiSender
from tests.support import RunningHub

SOAP_EMPLOYER, DOWNLOADER, PAPER = zei_samples.EMPLOYERS
NENDO = 2026


def fault_code(fault: Fault) -> str:
    el = fault.detail.find(".//{urn:chipla:ns:common:1}code")
    assert el is not None, "SOAP Fault without c:ResultFault detail"
    return str(el.text)


def _sender(hub: RunningHub) -> ZeiSender:
    r = hub.receivers["zei"]
    return ZeiSender(hub.url, r.username, r.password)


def _send(hub: RunningHub, employer: zei_samples.Employer, seed: int = 1, **kw: Any) -> dict[str, Any]:
    notice = zei_samples.tsuchi(employer, NENDO, random.Random(seed), **kw)
    result = _sender(hub).send(zei_samples.header("zei", employer.shitei_no), notice)
    assert result["result"]["code"] == "0000", result
    return {"receiptId": result["receiptId"], "tsuchi": notice}


def _employer_client(hub: RunningHub, system_id: str) -> httpx.Client:
    key = hub.employers[system_id].api_key
    return httpx.Client(base_url=f"{hub.url}/api/v1", headers={"X-API-Key": key}, timeout=30)


def _wait(predicate: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_zeep_loads_the_wsdl_unmodified_and_calls_every_operation(hub: RunningHub) -> None:
    sent = _send(hub, DOWNLOADER)
    unso = hub.employers[DOWNLOADER.system_id or ""]
    employer = ZeiSender(hub.url, unso.username, unso.password)
    meta = zei_samples.header(unso.id, DOWNLOADER.shitei_no)
    listing = employer.ichiran(meta | {"operation": "TsuchiIchiranShokai"}, NENDO)
    assert listing["result"]["code"] == "0000"
    assert [e["receiptId"] for e in listing["entry"]] == [sent["receiptId"]]
    fetched = employer.shutoku(meta | {"operation": "SeihonShutoku"}, sent["receiptId"])
    content = seihon.read(xmldsig.verify(fetched["seihon"], hub.town_cert))
    assert content["receiptId"] == sent["receiptId"]
    assert content["tsuchi"]["tokuchoGimusha"]["shiteiNo"] == DOWNLOADER.shitei_no
    ops = {name for s in employer.client.wsdl.services.values() for p in s.ports.values()
           for name in p.binding._operations}
    assert ops == {"ZeigakuTsuchi", "TsuchiIchiranShokai", "SeihonShutoku"}


def test_each_notice_reaches_only_its_own_employer_signed(hub: RunningHub) -> None:
    soap = _send(hub, SOAP_EMPLOYER, seed=2)
    _send(hub, DOWNLOADER, seed=3)
    _send(hub, PAPER, seed=4)
    inbox = hub.employers[SOAP_EMPLOYER.system_id or ""].inbox
    assert inbox is not None
    _wait(lambda: len(inbox.items) == 1)
    kept = inbox.items[0]
    assert kept["receiptId"] == soap["receiptId"] and kept["signatureValid"] and kept["hasKojinBango"]
    assert kept["shiteiNo"] == SOAP_EMPLOYER.shitei_no and not inbox.refused
    time.sleep(0.3)  # nothing else may follow: the other two notices have no endpoint to go to
    assert len(inbox.items) == 1
    for r in hub.receivers.values():  # the 住民異動通知 receivers never see a tax notice
        assert all("tsuchi" not in str(item) for item in r.inbox.items)


def test_an_employer_downloads_its_own_and_never_anothers(hub: RunningHub) -> None:
    mine = _send(hub, DOWNLOADER, seed=5)
    theirs = _send(hub, SOAP_EMPLOYER, seed=6)
    with _employer_client(hub, DOWNLOADER.system_id or "") as api:
        listing = api.get("/zei/tsuchi", params={"nendo": NENDO}).json()
        assert [e["receiptId"] for e in listing["entry"]] == [mine["receiptId"]]
        assert listing["entry"][0]["status"] == "pending"
        resp = api.get(f"/zei/tsuchi/{mine['receiptId']}/seihon")
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/xml")
        content = seihon.read(xmldsig.verify(resp.content, hub.town_cert))
        assert all("kojinBango" not in p for p in content["tsuchi"]["nozeiGimusha"])  # not entitled
        assert content["tsuchi"]["nozeiGimusha"][0]["nenzeigaku"] == mine["tsuchi"]["nozeiGimusha"][0]["nenzeigaku"]
        again = api.get(f"/zei/tsuchi/{mine['receiptId']}/seihon")
        assert again.content == resp.content  # served byte-exact, made once
        twin = api.get(f"/zei/tsuchi/{mine['receiptId']}").json()  # the JSON twin of SeihonShutoku
        assert twin["result"]["code"] == "0000" and base64.b64decode(twin["seihon"]) == resp.content
        other = api.get(f"/zei/tsuchi/{theirs['receiptId']}/seihon")
        assert other.status_code == 404 and other.json()["code"] == "3003"
        missing = api.get("/zei/tsuchi/00000000-0000-4000-8000-000000000000/seihon")
        assert missing.status_code == 404 and missing.json()["code"] == "3003"
        after = api.get("/zei/tsuchi").json()["entry"]
        assert [e["status"] for e in after] == ["downloaded"]
    anonymous = httpx.get(f"{hub.url}/api/v1/zei/tsuchi/{mine['receiptId']}/seihon")
    assert anonymous.status_code == 401


@pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 is not installed (scripts/system-deps.sh)")
def test_a_downloaded_seihon_verifies_with_xmlsec1(hub: RunningHub, tmp_path: Path) -> None:
    mine = _send(hub, DOWNLOADER, seed=7)
    with _employer_client(hub, DOWNLOADER.system_id or "") as api:
        (tmp_path / "seihon.xml").write_bytes(api.get(f"/zei/tsuchi/{mine['receiptId']}/seihon").content)
    (tmp_path / "town.pem").write_bytes(hub.town_cert)
    done = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", str(tmp_path / "town.pem"),
                           str(tmp_path / "seihon.xml")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_contradicting_amounts_and_an_older_notice_are_refused(hub: RunningHub) -> None:
    sender = _sender(hub)
    notice = zei_samples.tsuchi(DOWNLOADER, NENDO, random.Random(8))
    notice["nozeiGimusha"][0]["getsugaku"][1]["gaku"] += 100
    with pytest.raises(Fault) as exc:
        sender.send(zei_samples.header("zei", DOWNLOADER.shitei_no), notice)
    assert fault_code(exc.value) == "1013"
    newer = zei_samples.tsuchi(DOWNLOADER, NENDO, random.Random(9), kubun="2")
    newer["tsuchiDate"] = f"{NENDO}-08-01"
    assert sender.send(zei_samples.header("zei", DOWNLOADER.shitei_no), newer)["result"]["code"] == "0000"
    with pytest.raises(Fault) as exc:
        sender.send(zei_samples.header("zei", DOWNLOADER.shitei_no), zei_samples.tsuchi(DOWNLOADER, NENDO,
                                                                                     random.Random(10)))
    assert fault_code(exc.value) == "1010"


def test_an_employer_may_not_send_notices(hub: RunningHub) -> None:
    unso = hub.employers[DOWNLOADER.system_id or ""]
    notice = zei_samples.tsuchi(DOWNLOADER, NENDO, random.Random(11))
    with pytest.raises(Fault) as exc:
        ZeiSender(hub.url, unso.username, unso.password).send(zei_samples.header(unso.id, DOWNLOADER.shitei_no),
                                                              notice)
    assert fault_code(exc.value) == "2005"


def test_denshika_ritsu_from_hub_data(hub: RunningHub) -> None:
    _send(hub, SOAP_EMPLOYER, seed=12)
    downloaded = _send(hub, DOWNLOADER, seed=13)
    _send(hub, PAPER, seed=14)
    admin = httpx.Client(base_url=f"{hub.url}/api/v1", headers={"X-API-Key": hub.admin_key}, timeout=30)
    inbox = hub.employers[SOAP_EMPLOYER.system_id or ""].inbox
    assert inbox is not None
    _wait(lambda: len(inbox.items) == 1)
    with _employer_client(hub, DOWNLOADER.system_id or "") as api:
        assert api.get(f"/zei/tsuchi/{downloaded['receiptId']}/seihon").status_code == 200
        assert api.get("/zei/kpi", params={"nendo": NENDO}).status_code == 403
    _wait(lambda: admin.get("/zei/kpi", params={"nendo": NENDO}).json()["delivered"] == 1)
    kpi = admin.get("/zei/kpi", params={"nendo": NENDO}).json()
    assert (kpi["notices"], kpi["electronic"], kpi["paper"]) == (3, 2, 1)
    assert (kpi["delivered"], kpi["downloaded"], kpi["pending"]) == (1, 1, 0)
    assert kpi["denshikaRitsu"] == round(2 / 3, 4) and kpi["juryoRitsu"] == 1.0
    assert admin.get("/zei/kpi", params={"nendo": NENDO + 1}).json()["denshikaRitsu"] is None
    admin.close()
