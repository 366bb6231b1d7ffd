"""The trainer's review page (``/review/``): label or discard messages not understood."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from assistant.review.markup import LabelError, check_label
from assistant.review.queue import ItemNotFound, ReviewError, ReviewQueue

from .auth import PageAuth, SignedStaff
from .static_files import static_file

PERMISSION = "nlu:review"
ItemId = Annotated[int, Path(ge=1)]


class LabelIn(BaseModel):
    intent: str = Field(min_length=1, max_length=120)
    text: str = Field(min_length=1, max_length=300)


def build_router(
    auth: PageAuth,
    queue: Callable[[], ReviewQueue],
    *,
    intents: tuple[tuple[str, str], ...],
    entities: tuple[str, ...],
) -> APIRouter:
    """``intents``: (name, description) pairs from the catalog; ``entities``: their names."""
    router = APIRouter(tags=["review"])
    trainer = Depends(auth.require(PERMISSION))
    names = frozenset(name for name, _ in intents)
    entity_names = frozenset(entities)

    @router.get("/review/", include_in_schema=False)
    async def page() -> Response:
        return static_file("review.html")

    @router.get("/review/static/{name}", include_in_schema=False)
    async def own_file(name: str) -> Response:
        return static_file(name)

    @router.get("/review/api/items")
    async def items(signed: SignedStaff = trainer) -> Response:
        found = await asyncio.to_thread(lambda: queue().items(("new",)))
        return JSONResponse(
            {
                "reviewer": signed.staff,
                "items": [i.to_json() for i in found],
                "intents": [{"name": n, "description": d} for n, d in intents],
                "entities": list(entities),
            },
            headers={"Cache-Control": "no-store"},
        )

    def _change(fn: Callable[[], object]) -> Response:
        try:
            item = fn()
        except ItemNotFound as exc:
            raise HTTPException(404, detail=str(exc)) from exc
        except LabelError as exc:
            raise HTTPException(422, detail=str(exc)) from exc
        except ReviewError as exc:
            raise HTTPException(409, detail=str(exc)) from exc
        return JSONResponse(item.to_json())  # type: ignore[attr-defined]

    @router.post("/review/api/items/{item_id}")
    async def label(item_id: ItemId, body: LabelIn, signed: SignedStaff = trainer) -> Response:
        def run() -> object:
            checked = check_label(body.intent, body.text, intents=names, entities=entity_names)
            return queue().label(item_id, checked, signed.staff)

        return await asyncio.to_thread(_change, run)

    @router.post("/review/api/items/{item_id}/discard")
    async def discard(item_id: ItemId, signed: SignedStaff = trainer) -> Response:
        return await asyncio.to_thread(_change, lambda: queue().discard(item_id, signed.staff))

    return router
