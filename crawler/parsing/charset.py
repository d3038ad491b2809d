"""Decoding pages whose charset declaration is wrong or missing (GBK/GB18030 forums).

Declarations are tried first but only trusted when they decode cleanly; GB18030 is used in place of
GBK/GB2312 because it is a strict superset. charset-normalizer decides when nothing declared works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "x-gbk": "gb18030", "utf8": "utf-8"}


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we could establish."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    declared: str | None  # what the server or page claimed
    trusted_declaration: bool  # False: the claim was wrong or missing and we detected instead


def _norm(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    return _SUPERSETS.get(name, name)


def decode_html(body: bytes, header_charset: str | None = None) -> Decoded:
    """Text of an HTML/JSON body. Raises UndecodableError for empty or binary bodies."""
    if not body or not body.strip():
        raise UndecodableError("空响应体")
    meta = _META.search(body[:4096])
    declared = header_charset or (meta.group(1).decode("ascii") if meta else None)
    for candidate in dict.fromkeys(
        c for c in (_norm(header_charset), _norm(meta.group(1).decode("ascii") if meta else None)) if c
    ):
        try:
            return Decoded(body.decode(candidate), candidate, declared, True)
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        return Decoded(body.decode("utf-8"), "utf-8", declared, declared is None)
    except UnicodeDecodeError:
        pass
    best = from_bytes(body, cp_isolation=["gb18030", "big5", "utf_16"]).best()
    if best is None:
        best = from_bytes(body).best()
    if best is None:
        raise UndecodableError(f"无法识别字符集（声明为 {declared or '无'}）")
    encoding = _norm(best.encoding) or best.encoding
    try:
        return Decoded(body.decode(encoding), encoding, declared, False)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UndecodableError(f"按 {encoding} 解码失败（声明为 {declared or '无'}）") from exc
