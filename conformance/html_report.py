"""The report for people: one self-contained HTML page in Japanese.

It answers, in order, the questions a procurement officer asks: which product, which role, 準拠 or
不準拠, which 必須 requirements failed, and — for the vendor's engineer — the request and the response
of each failing step.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from conformance.results import CONFORMANT, NON_CONFORMANT, UNCHECKED

ROLE_LABELS = {"provider": "提供側（照会に応答する製品）", "receiver": "受信側（異動通知を受ける製品）",
               "sender": "送信側（異動通知を送る製品）"}
SERVICE_LABELS = {"jumin": "住民基本台帳 (jumin)", "zei": "個人住民税 特別徴収税額通知 (zei)"}
_CSS = """
body{font-family:"Noto Sans JP","Hiragino Sans",Meiryo,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}.v{display:inline-block;padding:.2em .8em;border-radius:4px;color:#fff;font-weight:bold}
.ok{background:#2e7d32}.ng{background:#c62828}.na{background:#757575}
table{border-collapse:collapse;margin:1em 0;width:100%}td,th{border:1px solid #ccc;padding:.3em .5em;
text-align:left;vertical-align:top}th{background:#f3f3f3}pre{background:#f8f8f8;border:1px solid #ddd;
padding:.5em;overflow-x:auto;white-space:pre-wrap;word-break:break-all;font-size:.85em;max-height:30em}
details{margin:.3em 0}.muted{color:#666}
"""


def _badge(verdict: str) -> str:
    cls = "ok" if verdict == CONFORMANT else "ng" if verdict == NON_CONFORMANT else "na"
    return f'<span class="v {cls}">{escape(verdict)}</span>'


def _exchange(ex: dict[str, Any]) -> str:
    req_headers = "\n".join(f"{k}: {v}" for k, v in ex["request_headers"].items())
    resp_headers = "\n".join(f"{k}: {v}" for k, v in ex["response_headers"].items())
    status = ex["status"] if ex["status"] is not None else "応答なし"
    return (f"<details open><summary>{escape(ex['label'])} — {escape(ex['method'])} {escape(ex['url'])}"
            f" → HTTP {escape(str(status))}（{ex['elapsed_ms']} ms）</summary>"
            f"<p>要求</p><pre>{escape(req_headers)}\n\n{escape(ex['request_body'])}</pre>"
            f"<p>応答</p><pre>{escape(resp_headers)}\n\n{escape(ex['response_body'])}</pre></details>")


def _requirement(req: dict[str, Any]) -> str:
    clause = req["clause"]
    rows = []
    for s in req["scenarios"]:
        mark = "合格" if s["outcome"] == "passed" else "不合格"
        detail = ""
        if s["outcome"] != "passed":
            detail = (f"<p>失敗したステップ: {escape(s.get('failed_step') or '（ステップ外）')}</p>"
                      f"<pre>{escape(s.get('message') or '')}</pre>"
                      + "".join(_exchange(e) for e in s.get("evidence") or []))
        rows.append(f"<li>{escape(mark)}: {escape(s['scenario'])}{detail}</li>")
    scenarios = f"<ul>{''.join(rows)}</ul>" if rows else '<p class="muted">実行したシナリオはありません</p>'
    return (f"<tr id=\"{escape(req['id'])}\"><td>{escape(req['id'])}</td><td>{escape(req['level'])}</td>"
            f"<td>{escape(req['title'])}<br><span class=\"muted\">{escape(clause['file'])} — "
            f"{escape(clause['section'])} — {escape(clause['element'])}</span>"
            f"<details{' open' if req['verdict'] == NON_CONFORMANT else ''}><summary>シナリオ "
            f"{len(req['scenarios'])} 件</summary>{scenarios}</details></td>"
            f"<td>{_badge(req['verdict'])}</td></tr>")


def _counts(counts: dict[str, dict[str, int]]) -> str:
    return ", ".join(f"{level}: 準拠 {c.get(CONFORMANT, 0)} / 不準拠 {c.get(NON_CONFORMANT, 0)} / "
                     f"未確認 {c.get(UNCHECKED, 0)}" for level, c in counts.items())


def render(doc: dict[str, Any]) -> str:
    target = doc["target"]
    product = target.get("product") or {}
    service_rows = "".join(
        f"<tr><td>{escape(SERVICE_LABELS.get(name, name))}</td><td>{_badge(s['verdict'])}</td>"
        f"<td>{escape(_counts(s['counts']))}</td></tr>" for name, s in doc["services"].items())
    failing = [r for r in doc["requirements"] if r["verdict"] != CONFORMANT and r["level"] == "必須"]
    failing_list = "".join(f'<li><a href="#{escape(r["id"])}">{escape(r["id"])}</a> '
                           f'{escape(r["title"])}</li>' for r in failing) or "<li>なし</li>"
    reqs = "".join(_requirement(r) for r in doc["requirements"])
    title = escape(product.get("name") or target.get("baseUrl") or "")
    where = target.get("baseUrl") or target.get("triggerUrl") or "（送信側: キットの受信口）"
    counted = doc["scenarios"]
    facts = [
        ("総合判定", _badge(doc["verdict"])),
        ("製品", escape(f"{product.get('name') or '（未記入）'} {product.get('version') or ''}")),
        ("ベンダー", escape(product.get("vendor") or "（未記入）")),
        ("役割", escape(ROLE_LABELS.get(target["role"], target["role"]))),
        ("確認対象", escape(where)),
        ("団体コード", escape(target.get("lgCode") or "")),
        ("実施日時", escape(f"{doc['startedAt']} 〜 {doc['finishedAt']}（{doc['durationSeconds']} 秒）")),
        ("シナリオ", escape(f"全 {counted['total']} 件、合格 {counted['passed']} 件、"
                            f"不合格 {counted['failed']} 件")),
        ("キット", escape(f"{doc['kit']['name']} {doc['kit']['version']}")),
    ]
    fact_rows = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in facts)
    return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>準拠確認報告書 — {title}</title>
<style>{_CSS}</style></head><body>
<h1>地域情報プラットフォーム 準拠確認報告書</h1>
<table>{fact_rows}
</table>
<h2>業務サービス別の判定</h2>
<table><tr><th>業務サービス</th><th>判定</th><th>要件の内訳</th></tr>{service_rows}</table>
<h2>満たしていない必須要件</h2><ul>{failing_list}</ul>
<h2>要件別の判定</h2>
<p class="muted">必須要件がすべて準拠のとき総合判定は準拠。
推奨要件の不準拠は記録するが総合判定には影響しない。
未確認は実行できたシナリオがないことを示し、準拠とはみなさない。</p>
<table><tr><th>要件ID</th><th>区分</th><th>要件（契約の条項）</th><th>判定</th></tr>{reqs}</table>
<p class="muted">この報告書の改ざんは署名付きの summary.json（chipla conformance verify）で検出できる。</p>
</body></html>
"""


def write(report_dir: Path, doc: dict[str, Any], name: str = "report.html") -> Path:
    path = report_dir / name
    path.write_text(render(doc), encoding="utf-8")
    return path
