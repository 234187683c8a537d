"""The 住民基本台帳 projection: accepted 異動 as resident versions, each valid from its 異動日.

One row per accepted change answers 住民基本情報照会 and 世帯照会 as of any date. The table lives on
the core's metadata (migration 0001 creates it) but only this service reads or writes it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from broker.errors import RequestInvalid
from broker.models import Base, BigInt


class ResidentVersion(Base):
    """The resident record as it stands from ``valid_from``."""

    __tablename__ = "resident_versions"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    lg_code: Mapped[str] = mapped_column(String(6))
    atena_no: Mapped[str] = mapped_column(String(15))
    setai_no: Mapped[str] = mapped_column(String(15))
    valid_from: Mapped[str] = mapped_column(String(10))  # ISO date of the 異動
    message_seq: Mapped[int] = mapped_column(ForeignKey("messages.seq", ondelete="CASCADE"))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    __table_args__ = (
        Index("ix_resident_versions_atena", "lg_code", "atena_no", "valid_from"),
        Index("ix_resident_versions_setai", "lg_code", "setai_no", "valid_from"),
    )


_XS_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?", re.ASCII)


def as_of_day(value: str | None) -> str:
    """The civil date of an xs:date (its zone, if any, names where that date is meant)."""
    if not value:
        return date.today().isoformat()
    match = _XS_DATE.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        return date.fromisoformat(match.group(1)).isoformat()
    except ValueError as exc:
        raise RequestInvalid("asOf must be a date (YYYY-MM-DD, years 0001–9999)") from exc


def resident_as_of(s: Session, lg_code: str, atena_no: str, as_of: str | None) -> dict[str, Any] | None:
    row = s.execute(
        select(ResidentVersion.record)
        .where(ResidentVersion.lg_code == lg_code, ResidentVersion.atena_no == atena_no,
               ResidentVersion.valid_from <= as_of_day(as_of))
        .order_by(ResidentVersion.valid_from.desc(), ResidentVersion.message_seq.desc())
        .limit(1)
    ).scalar()
    return dict(row) if row is not None else None


def version_row(lg_code: str, atena_no: str, ido_date: str, ido: dict[str, Any], seq: int) -> dict[str, Any]:
    """The projection row of one accepted 異動."""
    return {"lg_code": lg_code, "atena_no": atena_no, "setai_no": str(ido["jumin"]["shikibetsu"]["setaiNo"]),
            "valid_from": ido_date, "message_seq": seq, "record": ido["jumin"]}
