"""Every operation of the 住民基本台帳 WSDL called with zeep, success and fault paths."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import zeep
from zeep.exceptions import Fault
from zeep.wsse.username import UsernameToken

from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.support import RunningHub


def fault_code(fault: Fault) -> str:
    el = fault.detail.find(".//{urn:chipla:ns:common:1}code")
    assert el is not None, "SOAP Fault without c:ResultFault detail"
    return str(el.text)


@pytest.fixture
def sender(hub: RunningHub) -> JukiSender:
    return JukiSender(hub.url, "juki", hub.juki_password)


def test_ido_tsuchi_is_answered_with_a_receipt(hub: RunningHub, sender: JukiSender) -> None:
    result = sender.send(header("juki"), SampleTown().next_ido())
    assert result["result"]["code"] == "0000"
    assert result["duplicate"] is False
    uuid.UUID(result["receiptId"])


def test_same_message_id_returns_first_receipt(hub: RunningHub, sender: JukiSender) -> None:
    meta, ido = header("juki"), SampleTown().next_ido()
    first = sender.send(meta, ido)
    again = sender.send({**meta, "sentAt": header("juki")["sentAt"]}, ido)
    assert again["receiptId"] == first["receiptId"]
    assert again["duplicate"] is True and again["result"]["code"] == "0001"


def test_same_message_id_with_other_content_is_refused(hub: RunningHub, sender: JukiSender) -> None:
    town = SampleTown()
    meta = header("juki")
    sender.send(meta, town.next_ido())
    with pytest.raises(Fault) as exc:
        sender.send(meta, town.next_ido())
    assert fault_code(exc.value) == "1009"


def test_jumin_shokai_returns_the_record_as_of_a_date(hub: RunningHub, sender: JukiSender) -> None:
    town = SampleTown()
    ido = town.next_ido()
    atena = ido["jumin"]["shikibetsu"]["atenaNo"]
    sender.send(header("juki"), ido)
    moved = town.record(town.people[0], "30", date(2026, 6, 1))
    sender.send(header("juki"), {"idoJiyu": "30", "idoDate": "2026-06-01", "jumin": moved})
    before = sender.jumin_shokai(header("juki") | {"operation": "JuminShokai"}, atena, "2026-05-01")
    after = sender.jumin_shokai(header("juki") | {"operation": "JuminShokai"}, atena)
    assert before["result"]["code"] == "0000"
    assert before["jumin"]["jusho"]["oaza"] == ido["jumin"]["jusho"]["oaza"]
    assert after["jumin"]["jusho"]["oaza"] == moved["jusho"]["oaza"]
    assert after["jumin"]["jotai"]["idoJiyu"] == "30"


def test_kojin_bango_only_for_bango_riyo_purpose(hub: RunningHub, sender: JukiSender) -> None:
    ido = SampleTown().next_ido()
    sender.send(header("juki"), ido)
    atena = ido["jumin"]["shikibetsu"]["atenaNo"]
    plain = sender.jumin_shokai(header("juki") | {"operation": "JuminShokai"}, atena)
    bango = sender.jumin_shokai(header("juki") | {"operation": "JuminShokai", "purposeCode": "bango_riyo"}, atena)
    assert plain["jumin"]["shikibetsu"]["kojinBango"] is None
    assert bango["jumin"]["shikibetsu"]["kojinBango"] == ido["jumin"]["shikibetsu"]["kojinBango"]


def test_unknown_resident_is_3001(hub: RunningHub, sender: JukiSender) -> None:
    with pytest.raises(Fault) as exc:
        sender.jumin_shokai(header("juki") | {"operation": "JuminShokai"}, "999999999")
    assert fault_code(exc.value) == "3001"
    assert exc.value.code.endswith("Client")


def test_ido_ichiran_pages_without_gaps(hub: RunningHub, sender: JukiSender) -> None:
    town = SampleTown()
    sent = [sender.send(header("juki"), town.next_ido())["receiptId"] for _ in range(7)]
    meta = header("juki") | {"operation": "IdoIchiranShokai"}
    seen: list[str] = []
    page = sender.ido_ichiran(meta, since="2000-01-01T00:00:00+09:00", page_size=3)
    while True:
        seen += [e["receiptId"] for e in page["entry"]]
        if not page["hasMore"]:
            break
        page = sender.ido_ichiran(header("juki") | {"operation": "IdoIchiranShokai"},
                                  cursor=page["nextCursor"], page_size=3)
    assert seen == sent
    empty = sender.ido_ichiran(header("juki") | {"operation": "IdoIchiranShokai"}, cursor=page["nextCursor"])
    assert empty["entry"] == [] and empty["hasMore"] is False


def test_setai_shokai_lists_current_members(hub: RunningHub, sender: JukiSender) -> None:
    town = SampleTown()
    ido = town.next_ido()
    sender.send(header("juki"), ido)
    setai = ido["jumin"]["shikibetsu"]["setaiNo"]
    result = sender.setai_shokai(header("juki") | {"operation": "SetaiShokai"}, setai)
    assert result["setaiNo"] == setai
    assert [m["shikibetsu"]["atenaNo"] for m in result["member"]] == [ido["jumin"]["shikibetsu"]["atenaNo"]]
    with pytest.raises(Fault) as exc:
        sender.setai_shokai(header("juki") | {"operation": "SetaiShokai"}, "1")
    assert fault_code(exc.value) == "3002"


def test_wrong_password_is_2002(hub: RunningHub) -> None:
    bad = JukiSender(hub.url, "juki", "not-the-password")
    with pytest.raises(Fault) as exc:
        bad.send(header("juki"), SampleTown().next_ido())
    assert fault_code(exc.value) == "2002"


def test_no_token_is_2001(hub: RunningHub) -> None:
    client = zeep.Client(f"{hub.url}/soap/jumin?wsdl")
    hdr = client.get_element("{urn:chipla:ns:common:1}PfHeader")
    with pytest.raises(Fault) as exc:
        client.service.IdoTsuchi(ido=SampleTown().next_ido(), _soapheaders=[hdr(**header("juki"))])
    assert fault_code(exc.value) == "2001"


def test_operation_outside_acl_is_2005(hub: RunningHub) -> None:
    zei = hub.receivers["zei"]
    hub.parts.registry.upsert_system({"id": "zei-sender", "lgCode": "243035", "wssUsername": "zs",
                                      "wssPassword": "zs-secret-1", "allow": ["jumin/JuminShokai"]})
    client = JukiSender(hub.url, "zs", "zs-secret-1")
    with pytest.raises(Fault) as exc:
        client.send(header("zei-sender"), SampleTown().next_ido())
    assert fault_code(exc.value) == "2005"
    assert zei.inbox.items == []


def test_sender_id_must_match_credentials_2005(hub: RunningHub, sender: JukiSender) -> None:
    with pytest.raises(Fault) as exc:
        sender.send(header("kokuho"), SampleTown().next_ido())
    assert fault_code(exc.value) == "2005"


def test_bad_check_digit_in_lg_code_is_1005(hub: RunningHub, sender: JukiSender) -> None:
    with pytest.raises(Fault) as exc:
        sender.send(header("juki", lg_code="243036"), SampleTown().next_ido())
    assert fault_code(exc.value) == "1005"


def test_unknown_ido_jiyu_is_1004_naming_the_list(hub: RunningHub, sender: JukiSender) -> None:
    ido = SampleTown().next_ido() | {"idoJiyu": "99"}
    with pytest.raises(Fault) as exc:
        sender.send(header("juki"), ido)
    assert fault_code(exc.value) == "1004"
    assert "ido_jiyu" in exc.value.message


def test_older_ido_date_is_stale_1010(hub: RunningHub, sender: JukiSender) -> None:
    town = SampleTown()
    ido = town.next_ido()
    sender.send(header("juki"), ido)
    older = {**ido, "idoDate": "2020-01-01"}
    with pytest.raises(Fault) as exc:
        sender.send(header("juki"), older)
    assert fault_code(exc.value) == "1010"


def test_soap12_binding_is_accepted(hub: RunningHub) -> None:
    client = zeep.Client(f"{hub.url}/soap/jumin?wsdl",
                         wsse=UsernameToken("juki", hub.juki_password, use_digest=True))
    service = client.bind("JuminService", "JuminSoap12Port")
    hdr = client.get_element("{urn:chipla:ns:common:1}PfHeader")
    result = service.IdoTsuchi(ido=SampleTown().next_ido(), _soapheaders=[hdr(**header("juki"))])
    assert result["result"]["code"] == "0000"
    with pytest.raises(Fault) as exc:
        service.JuminShokai(atenaNo="1", _soapheaders=[hdr(**(header("juki") | {"operation": "JuminShokai"}))])
    assert fault_code(exc.value) == "3001"


def test_wsdl_points_clients_at_the_serving_address(hub: RunningHub) -> None:
    client = zeep.Client(f"{hub.url}/soap/jumin?wsdl")
    port = client.wsdl.services["JuminService"].ports["JuminSoap11Port"]
    assert port.binding_options["address"] == f"{hub.url}/soap/jumin"
    assert sorted(port.binding._operations) == ["IdoIchiranShokai", "IdoTsuchi", "JuminShokai", "SetaiShokai"]
