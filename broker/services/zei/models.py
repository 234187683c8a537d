"""Tables of the 個人住民税 service, on the same metadata as the rest of the store.

``zei_notices`` is the projection of accepted 特別徴収税額通知 (one row per notice: whose, which 年度);
``zei_seihon`` keeps each signed 正本 as it was given to one recipient system, byte-exact, made once
on first delivery or download and served unchanged after that, with when it was first downloaded.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.models import Base, BigInt


class ZeiNotice(Base):
    __tablename__ = "zei_notices"
    message_seq: Mapped[int] = mapped_column(BigInt, ForeignKey("messages.seq", ondelete="CASCADE"),
                                             primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6))
    nendo: Mapped[int] = mapped_column(Integer)
    shitei_no: Mapped[str] = mapped_column(String(15))
    tsuchi_kubun: Mapped[str] = mapped_column(String(1))
    tsuchi_date: Mapped[str] = mapped_column(String(10))  # ISO date of the notice
    employees: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        Index("ix_zei_notices_employer", "lg_code", "shitei_no", "nendo"),
        Index("ix_zei_notices_nendo", "lg_code", "nendo"),
    )


class ZeiSeihon(Base):
    __tablename__ = "zei_seihon"
    message_seq: Mapped[int] = mapped_column(BigInt, ForeignKey("messages.seq", ondelete="CASCADE"),
                                             primary_key=True)
    system_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    downloaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
