"""Reports are signed with Ed25519: the public key alone verifies them, and a report re-signed with
another key is refused by whoever holds the kit's public key."""

from __future__ import annotations

import json
from pathlib import Path

from conformance import signing, summary


def _report(folder: Path, key: Path) -> Path:
    folder.mkdir()
    (folder / "report.html").write_text("<p>準拠</p>", encoding="utf-8")
    summary.write(folder, {"verdict": "準拠", "requirements": []}, key)
    return folder


def test_public_key_alone_verifies_and_catches_a_forged_signature(tmp_path: Path) -> None:
    kit_key = tmp_path / "kit.key"
    report = _report(tmp_path / "r", kit_key)
    pub = tmp_path / "kit.key.pub"
    assert pub.read_text(encoding="ascii").startswith(signing.PUBLIC_PREFIX)
    assert summary.verify(report, pub)
    doc = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    forged = signing.sign({**doc, "verdict": "準拠"}, signing.load_key(tmp_path / "other.key"))
    forged["verdict"] = "準拠"
    (report / "summary.json").write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    assert not summary.verify(report, pub)  # intact, but not signed by the kit
    altered = {**doc, "verdict": "不準拠"}
    (report / "summary.json").write_text(json.dumps(altered, ensure_ascii=False), encoding="utf-8")
    assert not summary.verify(report, pub)


def test_signing_needs_the_private_key(tmp_path: Path) -> None:
    signing.load_key(tmp_path / "kit.key")
    try:
        signing.load_key(tmp_path / "kit.key.pub")
    except ValueError as exc:
        assert "public key" in str(exc)
    else:
        raise AssertionError("a public key file must not sign")
