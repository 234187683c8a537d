"""What a person may see of a message: personal fields masked unless unmasked (with a reason, audited).

Masking follows the data classification (each service's classification.yaml): a leaf value is shown
only when its canonical path is ``public``; anything else — 氏名, 住所, 個人番号, 宛名番号, and every
field the policy does not list — becomes ``MASK``. Bytes that cannot be parsed are not shown at all
while masked: nobody can say which of them are personal.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from lxml import etree

from adapters.soap import xmlsafe
from broker.services import field_classes

MASK = "＊＊＊"
HEADER_PERSONAL = {"subjectKey", "operatorId", "subject_key", "operator_id"}
CREDENTIALS = {"Password", "Nonce", "BinarySecurityToken", "SignatureValue"}


def fingerprint(secret: str, subject_key: str) -> str:
    """Tells rows of the same subject apart in lists without showing the subject key."""
    return hmac.new(secret.encode(), b"subject:" + subject_key.encode(), hashlib.sha256).hexdigest()[:8]


def _class(service: str, path: str) -> str:
    # policy paths match any tail of the path: ``ido.jumin.x`` is the policy's ``jumin.x``
    return field_classes(service).class_of(path)


def mask_tree(service: str, value: Any, path: str = "") -> Any:
    """A copy of a JSON-like body with every non-public leaf masked."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            if path == "meta" or path.endswith(".meta"):
                out[key] = MASK if key in HEADER_PERSONAL and inner else inner
            else:
                out[key] = mask_tree(service, inner, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(value, list):
        return [mask_tree(service, v, path) for v in value]
    if value is None:
        return None
    return value if _class(service, path) == "public" else MASK


def mask_header(header: dict[str, Any]) -> dict[str, Any]:
    return {k: (MASK if k in HEADER_PERSONAL and v else v) for k, v in header.items()}


def mask_mapped(output: Any) -> Any:
    """Mapped IMI forms: only JSON-LD keywords (``@type``, ``@context``) stay readable."""
    if isinstance(output, dict):
        return {k: (v if k.startswith("@") else mask_mapped(v)) for k, v in output.items()}
    if isinstance(output, list):
        return [mask_mapped(v) for v in output]
    return None if output is None else MASK


def pretty(original: bytes, content_type: str, service: str, *, masked: bool) -> str | None:
    """The original, indented for reading (the stored bytes never change). ``None`` when it is
    masked and cannot be parsed."""
    text = original.lstrip()
    if text[:1] in (b"{", b"["):
        try:
            data = json.loads(original)
        except ValueError:
            return None if masked else original.decode("utf-8", "replace")
        if masked:
            data = mask_tree(service, data)
        return json.dumps(data, ensure_ascii=False, indent=2)
    try:
        root = xmlsafe.parse(original, max(len(original), 1))
    except Exception:  # any refusal by the safe parser: shown raw to those allowed, hidden otherwise
        return None if masked else original.decode("utf-8", "replace")
    if masked:
        _mask_xml(root, service)
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode")


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _mask_xml(root: etree._Element, service: str) -> None:
    body = next((e for e in root.iter() if _local(e.tag) == "Body"), None)
    for elem in root.iter():
        name = _local(elem.tag)
        if (name in HEADER_PERSONAL or name in CREDENTIALS) and elem.text and elem.text.strip():
            elem.text = MASK
    if body is None:
        return
    for request in body:
        for elem in request.iter():
            if len(elem) or not (elem.text and elem.text.strip()):
                continue
            names = [_local(a.tag) for a in elem.iterancestors()]
            path = ".".join([*reversed(names[:names.index("Body")]), _local(elem.tag)])
            if _class(service, path) != "public":
                elem.text = MASK
