"""The usage dashboard (``/dashboard/``), its JSON and CSV, and Prometheus ``/metrics``."""

from __future__ import annotations

import asyncio
import csv
import hmac
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from assistant.store import Store
from assistant.usage.log import UsageLog
from assistant.usage.metrics import UsageCollector
from assistant.usage.report import Filters, build_report, daily_rows
from assistant.usage.sources import claims, tickets

from .auth import PageAuth, SignedStaff
from .static_files import static_file

PERMISSION = "usage:read"
MAX_DAYS = 366
Days = Annotated[int, Query(ge=1, le=MAX_DAYS)]
Name = Annotated[str | None, Query(max_length=60, pattern=r"^[a-z_,]*$")]
Table = Annotated[str, Query(pattern="^(daily|channels|roles)$")]


def period(days: int, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """The last ``days`` whole local days up to and including today."""
    today = now.astimezone(tz).date()
    start = datetime.combine(today - timedelta(days=days - 1), time(), tz)
    end = datetime.combine(today + timedelta(days=1), time(), tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def build_router(
    auth: PageAuth,
    open_store: Callable[[], Store],
    *,
    key: str,
    tz: ZoneInfo,
    metrics_token: str = "",
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    flush: Callable[[], Awaitable[None]] | None = None,
) -> APIRouter:
    """``flush`` writes this gateway's waiting usage rows (``assistant.usage.buffer``):
    every read here calls it first, so the figures hold every message it answered."""
    router = APIRouter(tags=["dashboard"])
    viewer = Depends(auth.require(PERMISSION))
    registry = CollectorRegistry(auto_describe=False)
    registry.register(UsageCollector(open_store))

    async def written() -> None:
        if flush is not None:
            await flush()

    def filters(days: int, channel: str | None, role: str | None, practice: bool) -> Filters:
        start, end = period(days, tz, clock())
        return Filters(start, end, channel or None, role or None, practice)

    def report(f: Filters) -> dict[str, Any]:
        store = open_store()
        turns = UsageLog(store).turns(f.start, f.end)
        found = tickets(store, f.start, f.end)
        return build_report(turns, found, claims(store, f.start), f, key=key, tz=tz)

    @router.get("/dashboard/", include_in_schema=False)
    async def page() -> Response:
        return static_file("dashboard.html")

    @router.get("/dashboard/static/{name}", include_in_schema=False)
    async def own_file(name: str) -> Response:
        return static_file(name)

    @router.get("/dashboard/static/vendor/{name}", include_in_schema=False)
    async def vendor_file(name: str) -> Response:
        return static_file(name, "vendor")

    @router.get("/dashboard/api/report")
    async def report_json(
        days: Days = 14,
        channel: Name = None,
        role: Name = None,
        practice: bool = False,
        _: SignedStaff = viewer,
    ) -> Response:
        await written()
        body = await asyncio.to_thread(report, filters(days, channel, role, practice))
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    @router.get("/dashboard/export.csv")
    async def export_csv(
        table: Table = "daily",
        days: Days = 14,
        channel: Name = None,
        role: Name = None,
        practice: bool = False,
        _: SignedStaff = viewer,
    ) -> Response:
        f = filters(days, channel, role, practice)
        await written()
        if table == "daily":
            turns = await asyncio.to_thread(lambda: UsageLog(open_store()).turns(f.start, f.end))
            rows = daily_rows(turns, f, tz)
        else:
            body = await asyncio.to_thread(report, f)
            rows = body["by_channel" if table == "channels" else "by_role"]
        out = io.StringIO()
        fields = list(rows[0]) if rows else ["day"]
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        name = f"usage-{table}-{f.start.date()}-{(f.end - timedelta(days=1)).date()}.csv"
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        given = auth.token_of(request) or ""
        if not (metrics_token and hmac.compare_digest(given, metrics_token)):
            await auth.require(PERMISSION)(request)
        await written()
        payload = await asyncio.to_thread(generate_latest, registry)
        return Response(payload, media_type=CONTENT_TYPE_LATEST)

    return router
