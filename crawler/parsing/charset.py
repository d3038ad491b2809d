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


# Western single-byte charsets (Apache's default header among them): they never fail to decode
_SINGLE_BYTE = frozenset({"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"})


def _multibyte_utf8(body: bytes) -> str | None:
    """The body as UTF-8 when it is valid UTF-8 whose non-ASCII characters are mostly Chinese, else
    None. UTF-8 read as GB18030 often decodes without error into mojibake ("统计数据显示" ->
    "缁熻鏁版嵁鏄剧ず"), so such UTF-8 wins over a GBK claim; GBK bytes that happen to be valid
    UTF-8 decode to Latin, Greek or Cyrillic letters, not to Chinese, and are left to the claim."""
    if not any(b > 0x7F for b in body):
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    wide = [c for c in text if ord(c) > 0x7F]
    chinese = sum(1 for c in wide if "\u2e80" <= c <= "\u9fff" or "\uf900" <= c <= "\uffef")
    return text if 2 * chinese >= len(wide) else None


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
    candidates = list(dict.fromkeys(
        c for c in (_norm(header_charset), _norm(meta.group(1).decode("ascii") if meta else None)) if c
    ))
    if (utf8 := _multibyte_utf8(body)) is not None:  # whatever is declared (a site moved to UTF-8)
        return Decoded(utf8, "utf-8", declared, not candidates or candidates[0] == "utf-8")
    high = any(b > 0x7F for b in body)
    for candidate in candidates:
        if high and candidate in _SINGLE_BYTE:  # decodes anything: mojibake of GBK, never an error
            continue
        try:
            return Decoded(body.decode(candidate), candidate, declared, candidate == candidates[0])
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
