"""Walking 異動一覧照会 page by page (SOAP and REST) and comparing the walk with one big page.

A walk that loses or repeats entries at page boundaries is the classic paging defect; the big page
(pageSize 1000) taken first is the reference, and entries accepted while walking may only appear at
the end of the walk.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from conformance.client import KitClient
from conformance.contract import NS_JUMIN
from conformance.samples import ido_ichiran

J = f"{{{NS_JUMIN}}}"
MAX_PAGES = 600
BIG_PAGE = 1000


@dataclass
class Page:
    receipts: list[str]
    accepted: list[str]
    has_more: bool
    next_cursor: str
    problem: str | None = None


@dataclass
class Walk:
    pages: list[Page] = field(default_factory=list)

    @property
    def receipts(self) -> list[str]:
        return [r for p in self.pages for r in p.receipts]


def soap_page(client: KitClient, *, since: str | None = None, cursor: str | None = None,
              page_size: int, label: str) -> Page:
    reply = client.soap("IdoIchiranShokai", ido_ichiran(since=since, cursor=cursor, page_size=page_size),
                        label=label)
    if reply.body is None:
        return Page([], [], False, "", problem=reply.describe())
    entries = reply.body.findall(J + "entry")
    return Page([e.findtext(J + "receiptId") or "" for e in entries],
                [e.findtext(J + "acceptedAt") or "" for e in entries],
                (reply.body.findtext(J + "hasMore") or "").strip() == "true",
                (reply.body.findtext(J + "nextCursor") or "").strip())


def rest_page(client: KitClient, *, since: str | None = None, cursor: str | None = None,
              page_size: int, label: str) -> Page:
    reply = client.rest_get("/ido", {"since": None if cursor else since, "cursor": cursor,
                                     "pageSize": page_size}, label=label)
    data = reply.data
    if reply.status != 200 or not isinstance(data, dict):
        return Page([], [], False, "", problem=reply.describe())
    entries = data.get("entry") or []
    return Page([str(e.get("receiptId")) for e in entries], [str(e.get("acceptedAt")) for e in entries],
                data.get("hasMore") is True, str(data.get("nextCursor") or ""))


def walk(fetch, since: str, page_size: int) -> Walk:  # type: ignore[no-untyped-def]
    """Follow nextCursor from ``since`` until hasMore is false (or a page fails)."""
    result = Walk()
    page = fetch(since=since, page_size=page_size, label=f"異動一覧 {page_size} 件ずつ: 1 ページ目")
    result.pages.append(page)
    while page.has_more and not page.problem and len(result.pages) < MAX_PAGES:
        page = fetch(cursor=page.next_cursor, page_size=page_size,
                     label=f"異動一覧 {page_size} 件ずつ: {len(result.pages) + 1} ページ目")
        result.pages.append(page)
    return result


def compare(reference: Page, walked: Walk, page_size: int) -> list[str]:
    """What is wrong with the walk, in words; empty when it is gap-free and repeat-free."""
    problems = [p.problem for p in walked.pages if p.problem]
    if reference.problem:
        problems.append(f"一度に取得できません: {reference.problem}")
    ids = walked.receipts
    repeats = [r for r, n in Counter(ids).items() if n > 1]
    if repeats:
        problems.append(f"重複した異動: {repeats[:5]}")
    reference_ids = reference.receipts if not reference.has_more else reference.receipts[: len(ids)]
    gaps = [r for r in reference_ids if r not in set(ids)]
    if gaps:
        problems.append(f"たどると欠落する異動: {gaps[:5]}（全 {len(gaps)} 件）")
    for i, page in enumerate(walked.pages, 1):
        if len(page.receipts) > page_size:
            problems.append(f"{i} ページ目が {len(page.receipts)} 件（要求 {page_size} 件）")
    return problems


def has_more_flags(walked: Walk) -> list[str]:
    pages = walked.pages
    problems = [f"{i} ページ目の hasMore が false" for i, p in enumerate(pages[:-1], 1) if not p.has_more]
    if pages and pages[-1].has_more:
        problems.append(f"最後のページ（{len(pages)} ページ目）の hasMore が true のまま")
    return problems
