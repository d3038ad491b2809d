"""The one HTTP POST every robot/webhook channel makes, with the idempotency header."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from .base import DeliveryError

IDEMPOTENCY_HEADER = "X-Yuqing-Idempotency-Key"


def header_value(key: str) -> str:
    """HTTP headers are ASCII: a key holding a Chinese channel name is percent-encoded (UTF-8), the
    same way on every retry, so a receiver still sees one stable key per notice."""
    return quote(key, safe=":|-_.~/@+=")


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post_json(
    url: str, body: bytes, *, key: str, timeout: float, headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    """POST a JSON body within `timeout` seconds; any non-2xx answer is a DeliveryError (retried)."""
    all_headers = {"Content-Type": "application/json; charset=utf-8", IDEMPOTENCY_HEADER: header_value(key),
                   **(headers or {})}
    target = httpx.URL(url).copy_merge_params(params) if params else httpx.URL(url)  # keep access_token
    response = httpx.post(target, content=body, headers=all_headers, timeout=timeout)
    if response.status_code // 100 != 2:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")
    return response


def check_robot_reply(response: httpx.Response) -> None:
    """WeCom and DingTalk answer 200 with {"errcode": n}; anything but 0 is a failure."""
    try:
        data = response.json()
    except ValueError as exc:
        raise DeliveryError(f"机器人返回非 JSON：{response.text[:200]}") from exc
    if data.get("errcode", 0) != 0:
        raise DeliveryError(f"机器人返回错误 {data.get('errcode')}: {data.get('errmsg')}")
