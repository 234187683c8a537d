"""Refusal reasons name the field and the rule, never the value.

Validators quote the offending value ("The value '12345678901' is not accepted by the pattern …",
"'zzzz' is not a 'date'"). A refused value may be a 個人番号 or a name, and a reason is stored in
quarantine, written into the hash-chained audit log (where it can never be removed) and shown in the
console. So every reason passes through ``scrub`` before it is kept or answered: the quoted value is
replaced by ``***`` and the rest — the field path and the rule — stays, which is all a sender needs to
find the mistake in its own copy of the message.
"""

from __future__ import annotations

import re

MASK = "***"

# lxml / libxml2 (XSD): "[facet 'pattern'] The value 'V' is not accepted …", "… The value 'V' has a length …"
_LIBXML_FACET = re.compile(r"The value '.*' (?=is |has )", re.DOTALL)
# lxml / libxml2 (XSD): "Element 'x': 'V' is not a valid value of the atomic type …"
_LIBXML_TYPE = re.compile(r"(Element '[^']*'(?:, attribute '[^']*')?: )'.*' (?=is not a valid value)", re.DOTALL)
# jsonschema (connexion): "'V' does not match '…'", "123 is not of type 'string'", "'V' is not a 'date'"
_JSONSCHEMA = re.compile(
    r"^.+ (?=(does not match|is not of type|is not one of|is too long|is too short|is not valid under"
    r"|is less than|is greater than|is not a multiple of|is not a '|has non-unique elements|should be non-empty"
    r"|is not allowed for|is expected to be|was expected)\b)", re.DOTALL)


def scrub(reason: str) -> str:
    """``reason`` without any value a validator quoted from the refused input."""
    out = _LIBXML_FACET.sub(f"The value '{MASK}' ", reason)
    out = _LIBXML_TYPE.sub(rf"\1'{MASK}' ", out)
    lines: list[str] = []
    in_instance = False
    for line in out.split("\n"):
        if in_instance and line.startswith(" "):
            lines.append("    " + MASK)  # jsonschema's "On instance[...]:" block quotes the value whole
            continue
        in_instance = line.startswith("On instance")
        lines.append(_scrub_jsonschema_line(line))
    return "\n".join(lines)


def _scrub_jsonschema_line(line: str) -> str:
    if line.startswith(("Element ", "スキーマ検証エラー", "The value")):
        return line
    return _JSONSCHEMA.sub(f"{MASK} ", line, count=1)
