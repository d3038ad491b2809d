"""Registered once on the app: refusals of the service layer as HTTP errors, 422s in Chinese that
name the field without echoing the input, database range errors as 422, security headers on every
response and a cap on request bodies.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yuqing.alerts.errors import InvalidTransition, NotFound

from .auth import AuthError

MAX_MESSAGE = 300  # a refusal's text is cut here: no large input comes back

# Pydantic error types → what a person reads. `{…}` are filled from the error's context.
MESSAGES = {
    "missing": "必填",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "必须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "必须小于 {lt}",
    "literal_error": "应为 {expected} 之一",
    "enum": "应为 {expected} 之一",
    "string_pattern_mismatch": "格式不符",
    "datetime_parsing": "无法识别的时间，请用 ISO 8601，如 2026-11-10T09:30",
    "datetime_from_date_parsing": "无法识别的时间，请用 ISO 8601，如 2026-11-10T09:30",
    "datetime_type": "应为时间（ISO 8601）",
    "date_parsing": "无法识别的日期，请用 YYYY-MM-DD",
    "date_from_datetime_parsing": "无法识别的日期，请用 YYYY-MM-DD",
    "date_type": "应为日期（YYYY-MM-DD）",
    "extra_forbidden": "不认识的字段",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "model_type": "应为 JSON 对象",
}
PLACES = {"body": "请求体", "query": "查询参数", "path": "路径参数", "header": "请求头", "cookie": "Cookie"}


def _clip(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """("body", "matcher", "kind") → "请求体 matcher.kind"; ("query", "limit") → "查询参数 limit"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in PLACES:
        place, rest = PLACES[parts[0]], parts[1:]
        return f"{place} {'.'.join(_clip(p, 60) for p in rest)}".strip()
    return ".".join(_clip(p, 60) for p in parts)


def error_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return _clip(str(ctx["error"]), 200)
    template = MESSAGES.get(kind)
    if template is None:
        return "取值无效"
    try:
        return template.format(**{k: _clip(str(v), 100) for k, v in ctx.items()})
    except (KeyError, IndexError):
        return template.split("{")[0].strip() or "取值无效"


def validation_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The 422 body: one entry per field naming it and why, never the input itself."""
    items = [{"field": field_name(e.get("loc", ())), "message": error_message(e)} for e in errors[:20]]
    summary = "；".join(f"{i['field']}：{i['message']}" for i in items[:5])
    return {"detail": _clip(f"输入有误：{summary}", 600), "errors": items}


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse(validation_body(list(exc.errors())), status_code=422)


# Starlette's and FastAPI's own refusals, in the language of the rest of the API.
ENGLISH_DETAILS = {
    "There was an error parsing the body": "请求体无法解析（应为 UTF-8 编码的 JSON 或表单）",
    "Not Found": "页面或接口不存在",
    "Method Not Allowed": "不支持该请求方法",
}


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if isinstance(exc.detail, str) and exc.detail in ENGLISH_DETAILS:
        exc = StarletteHTTPException(exc.status_code, ENGLISH_DETAILS[exc.detail], exc.headers)
    return await http_exception_handler(request, exc)


async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
    return JSONResponse({"detail": _clip(str(exc))}, status_code=404)


async def _conflict(request: Request, exc: InvalidTransition) -> JSONResponse:
    return JSONResponse({"detail": _clip(str(exc))}, status_code=409)


async def _bad_value(request: Request, exc: ValueError) -> JSONResponse:
    """A service's refusal of bad input (a ValueError with a Chinese message). A pydantic
    ValidationError raised while building a response is a server bug, not bad input."""
    if isinstance(exc, ValidationError):
        return JSONResponse({"detail": "服务器内部错误"}, status_code=500)
    return JSONResponse({"detail": _clip(str(exc))}, status_code=422)


async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
    """Numbers or times the database cannot hold: the input is at fault, not the server."""
    return JSONResponse({"detail": "输入的数值或时间超出可处理的范围"}, status_code=422)


def register_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(NotFound, _not_found)  # type: ignore[arg-type]
    app.add_exception_handler(InvalidTransition, _conflict)  # type: ignore[arg-type]
    app.add_exception_handler(AuthError, _bad_value)  # type: ignore[arg-type]
    app.add_exception_handler(ValueError, _bad_value)  # type: ignore[arg-type]
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)


# ---- headers --------------------------------------------------------------------------------

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI and ReDoc style themselves inline and ReDoc runs a blob: worker; scripts stay 'self'.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# Archived HTML reports are standalone documents (their own <style>, charts as data: images) and
# run no script at all.
REPORT_CSP = (
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
COMMON_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def csp_for(path: str) -> str:
    if path in ("/docs", "/redoc") or path.startswith("/docs-assets"):
        return DOCS_CSP
    if path.startswith("/api/v1/reports/"):
        return REPORT_CSP
    return PAGE_CSP


class SecurityHeaders:
    """Pure ASGI middleware (it leaves the SSE stream's body alone): adds the headers above to every
    response, HSTS in production, and refuses request bodies over `max_body` bytes with 413."""

    def __init__(self, app: ASGIApp, *, production: bool = False, max_body: int = 6 * 1024 * 1024) -> None:
        self.app = app
        self.production = production
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*COMMON_HEADERS, (b"content-security-policy", csp_for(scope["path"]).encode())]
        if self.production:
            extra.append((b"strict-transport-security", b"max-age=31536000"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in names)]
            await send(message)

        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await self._too_large(send_with_headers)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except _TooLarge:
            await self._too_large(send_with_headers)

    async def _too_large(self, send: Send) -> None:
        body = '{"detail":"请求体过大"}'.encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
