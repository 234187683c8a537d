"""Address normalisation for municipal data (大字 + 地番 style first, any municipality generically).

``normalize(text)`` returns ``prefecture, county, city, oaza, banchi, katagaki, postcode, lg_code,
machiaza_id, match_level``; ``OazaList`` loads a municipality's 大字 list.
"""

from vocab.address.normalize import normalize
from vocab.address.oaza import Oaza, OazaList
from vocab.address.regions import Municipality, Prefecture, known_municipalities, prefectures

__all__ = [
    "Municipality",
    "Oaza",
    "OazaList",
    "Prefecture",
    "known_municipalities",
    "normalize",
    "prefectures",
]
