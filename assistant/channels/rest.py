"""REST channel: ``POST /api/v1/messages`` for the terminal chat, scripts and tests.

The caller authenticates with a staff token (``Authorization: Bearer <token>``, see
``assistant.identity.tokens``). The body is read and checked here (size, JSON, fields)
so each failure gets its own status: 401 token, 413 too large, 400 not JSON, 422 fields.
Message text is never logged.

A caller may give each message a ``message_id``; sending the same message again with the
same id (after a timeout or a 503) never runs it twice: the first attempt's replies come
back. Without one, the load balancer's request id (``X-Request-Id``) is used, so its own
retry of a request on another gateway is safe too. When no Rasa worker can answer the
status is ``503`` with ``Retry-After``.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import TYPE_CHECKING, Annotated, Any, cast

from fastapi import APIRouter, FastAPI, Header, HTTPException, Path, Request
from pydantic import BaseModel, Field, ValidationError

from assistant.conversation import current_message_id
from assistant.conversation.kinds import UnavailableData
from assistant.identity.tokens import StaffLookupFailed, StaffToken, TokenError
from assistant.ratelimit import verified_bearer

if TYPE_CHECKING:
    from assistant.gateway.context import GatewayContext

log = logging.getLogger(__name__)

CHANNEL = "rest"
MAX_TEXT_CHARS = 2000
MAX_BODY_BYTES = 64 * 1024
CONVERSATION_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MESSAGE_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
UNAVAILABLE_KIND = "assistant_unavailable"


class MessageIn(BaseModel):
    text: str = Field(min_length=1, description="What the staff member says (max 2,000 chars)")
    conversation_id: str | None = Field(
        default=None,
        pattern=CONVERSATION_PATTERN,
        description="Letters, digits, '-' and '_' (1-64); a new one is made when absent",
    )
    message_id: str | None = Field(
        default=None,
        pattern=MESSAGE_ID_PATTERN,
        description="Optional idempotency key: a retry with the same id is answered once",
    )
    practice: bool | None = Field(
        default=None,
        description="Switch practice mode (the training hospital) on or off before this message",
    )


class ButtonOut(BaseModel):
    title: str
    payload: str


class ReplyOut(BaseModel):
    text: str
    buttons: list[ButtonOut] | None = None
    custom: dict[str, Any] | None = None


class MessageOut(BaseModel):
    conversation_id: str
    replies: list[ReplyOut]
    practice: bool | None = None  # true while the staff member is in practice mode


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


async def _read_message(request: Request) -> MessageIn:
    length = request.headers.get("content-length")
    declared = int(length) if length and length.isascii() and length.isdigit() else 0
    if declared > MAX_BODY_BYTES:
        raise HTTPException(413, detail=f"request body over {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, detail=f"request body over {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(body)
    except RecursionError as exc:
        raise HTTPException(400, detail="the body is JSON nested too deeply") from exc
    except ValueError as exc:
        raise HTTPException(400, detail='the body must be JSON: {"text": "..."}') from exc
    if not isinstance(data, dict):
        raise HTTPException(400, detail='the body must be a JSON object: {"text": "..."}')
    text = data.get("text")
    if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
        raise HTTPException(413, detail=f"text over {MAX_TEXT_CHARS} characters")
    try:
        return MessageIn.model_validate(data)
    except ValidationError as exc:
        raise HTTPException(
            422,
            detail=[
                {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
            ],
        ) from exc


def _message_id(staff: str, message: MessageIn, request_id: str | None) -> str | None:
    """The caller's id (scoped to the staff member), else the load balancer's, else none."""
    if message.message_id:
        return f"{staff}:{message.message_id}"[:100]
    if request_id and re.fullmatch(MESSAGE_ID_PATTERN, request_id):
        return f"lb:{request_id}"
    return None


def mount(app: FastAPI, ctx: GatewayContext) -> None:
    """Add the REST routes; ``ctx`` is the gateway's ``GatewayContext``."""
    router = APIRouter(prefix="/api/v1", tags=["rest"])

    async def authenticate(authorization: str | None, request: Request) -> StaffToken:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("a staff token is required: Authorization: Bearer <token>")
        checked = verified_bearer(request.scope, token.strip())  # by the rate limiter, just now
        if isinstance(checked, StaffToken):
            return checked
        try:
            return await ctx.tokens.verify(token.strip())
        except StaffLookupFailed as exc:
            raise HTTPException(
                503, detail="cannot check your account in the HMS right now; try again shortly"
            ) from exc
        except TokenError as exc:
            raise _unauthorized(str(exc)) from exc

    @router.post(
        "/messages",
        response_model=MessageOut,
        response_model_exclude_none=True,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": MessageIn.model_json_schema()}},
            }
        },
        responses={401: {}, 413: {}, 400: {}, 422: {}, 503: {}},
    )
    async def post_message(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        x_request_id: Annotated[str | None, Header()] = None,
    ) -> MessageOut:
        staff = await authenticate(authorization, request)
        message = await _read_message(request)
        practice = ctx.practice
        if practice is None:
            return await _answer(staff, message, x_request_id)
        with practice.one_request():  # the practice mode is read once for the request
            return await _answer(staff, message, x_request_id)

    async def _answer(
        staff: StaffToken, message: MessageIn, x_request_id: str | None
    ) -> MessageOut:
        conversation = message.conversation_id or uuid.uuid4().hex
        practice = ctx.practice
        switched: list[Any] = []
        if practice is not None and message.practice is not None:  # assistant/practice
            if await practice.is_on(staff.staff) != message.practice:
                switched = await practice.set_mode(staff.staff, message.practice)
        token = current_message_id.set(_message_id(staff.staff, message, x_request_id))
        try:
            replies = await ctx.assistant.send(
                staff=staff.staff, channel=CHANNEL, conversation=conversation, text=message.text
            )
        finally:
            current_message_id.reset(token)
        if len(replies) == 1 and replies[0].kind == UNAVAILABLE_KIND:
            retry = str(cast(UnavailableData, replies[0].data).get("retry_after", 5))
            raise HTTPException(503, detail=replies[0].text, headers={"Retry-After": retry})
        return MessageOut(
            conversation_id=conversation,
            replies=[ReplyOut.model_validate(r.to_json()) for r in [*switched, *replies]],
            practice=await practice.is_on(staff.staff) if practice is not None else None,
        )

    @router.get(
        "/messages/{conversation_id}",
        response_model=MessageOut,
        response_model_exclude_none=True,
        responses={401: {}, 422: {}},
    )
    async def pending_messages(
        request: Request,
        conversation_id: Annotated[str, Path(pattern=CONVERSATION_PATTERN)],
        authorization: Annotated[str | None, Header()] = None,
    ) -> MessageOut:
        """Messages waiting for this conversation (the help desk's, during a handoff)."""
        staff = await authenticate(authorization, request)
        service = ctx.handoff
        items: list[dict[str, Any]] = []
        if service is not None:
            items = await service.inbox.pull(f"{CHANNEL}:{staff.staff}:{conversation_id}")
        return MessageOut(
            conversation_id=conversation_id,
            replies=[
                ReplyOut.model_validate({k: v for k, v in item.items() if k in ("text", "buttons")})
                for item in items
            ],
        )

    app.include_router(router)
    log.info("REST channel is on: POST /api/v1/messages, GET /api/v1/messages/<conversation>")
