"""Many towns on one hub: a system of another 団体 neither sends for 木曽岬町 nor receives its changes,
and its 照会 see only its own residents."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from zeep.exceptions import Fault

from broker.models import Delivery
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.support import RunningHub
from tests.wait import until

CHIYODA = "131016"


def test_another_town_is_kept_apart(hub: RunningHub) -> None:
    reg = hub.parts.registry
    reg.upsert_system({"id": "chiyoda-juki", "lgCode": CHIYODA, "wssUsername": "cj", "wssPassword": "cj-secret-1",
                       "allow": ["jumin/*"]})
    reg.upsert_system({"id": "chiyoda-zei", "lgCode": CHIYODA, "deliveryKind": "webhook",
                       "endpointUrl": f"{hub.receivers['kaigo'].server.url}/webhook"})
    reg.add_subscription("chiyoda-zei", "jumin", "IdoTsuchi")
    kisosaki = JukiSender(hub.url, "juki", hub.juki_password)
    ido = SampleTown().tennyu()
    kisosaki.send(header("juki"), ido)
    until(lambda: len(hub.receivers["zei"].inbox.items) == 1)
    with hub.parts.store.read() as s:
        destinations = set(s.execute(select(Delivery.destination)).scalars())
    assert destinations == {"zei", "kokuho", "kaigo"}  # not chiyoda-zei
    chiyoda = JukiSender(hub.url, "cj", "cj-secret-1")
    with pytest.raises(Fault) as exc:  # may not send as a system of another town
        chiyoda.send(header("chiyoda-juki"), SampleTown(seed=5).tennyu())
    assert exc.value.detail.findtext(".//{urn:chipla:ns:common:1}code") == "2005"
    with pytest.raises(Fault) as exc:  # its 照会 do not see 木曽岬町's residents
        chiyoda.jumin_shokai(header("chiyoda-juki", lg_code=CHIYODA) | {"operation": "JuminShokai"},
                             ido["jumin"]["shikibetsu"]["atenaNo"])
    assert exc.value.detail.findtext(".//{urn:chipla:ns:common:1}code") == "3001"
