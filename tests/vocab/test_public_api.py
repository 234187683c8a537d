import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import vocab

PACKAGES = ["vocab.moji", "vocab.address", "vocab.imi"]
MODULES = [
    "vocab.lgcode",
    "vocab.codelists",
    "vocab.kansuji",
    "vocab.eras",
    "vocab.wareki",
    "vocab.moji.kana",
    "vocab.moji.gaiji",
    "vocab.moji.shrink",
    "vocab.moji.match",
    "vocab.address.normalize",
    "vocab.address.oaza",
    "vocab.address.banchi",
    "vocab.address.regions",
    "vocab.imi.model",
    "vocab.imi.context",
    "vocab.imi.literals",
    "vocab.imi.validator",
]


@pytest.mark.parametrize("name", PACKAGES + MODULES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__
    for exported in module.__all__:
        assert hasattr(module, exported), f"{name}.{exported}"


def test_fixed_public_names() -> None:
    from vocab import codelists, lgcode, wareki
    from vocab.address import OazaList, normalize
    from vocab.imi import is_valid, validate
    from vocab.moji import match_key, matches, resolve_gaiji, shrink

    assert callable(lgcode.check_digit) and callable(lgcode.is_valid)
    assert callable(lgcode.to_six) and callable(lgcode.to_five)
    assert callable(codelists.load) and issubclass(codelists.UnknownCodeError, ValueError)
    assert callable(wareki.parse) and callable(wareki.to_wareki) and callable(wareki.format_wareki)
    assert callable(wareki.from_legacy) and callable(wareki.from_legacy_packed)
    for function in (normalize, OazaList.load, validate, is_valid, match_key, matches, resolve_gaiji, shrink):
        assert callable(function)


def test_vocab_imports_nothing_else_of_the_project() -> None:
    root = Path(vocab.__path__[0])
    others = ("chipla", "broker", "mappings", "adapters", "conformance", "api_specs", "bench")
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for other in others:
            assert f"import {other}" not in text and f"from {other}" not in text, path


def test_importing_vocab_loads_no_project_package() -> None:
    script = (
        "import importlib, json, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    loaded = set(json.loads(output))
    assert "vocab" in loaded
    assert not loaded & {"chipla", "broker", "mappings", "adapters", "conformance"}
