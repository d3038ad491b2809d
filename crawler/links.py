"""Which links a spider may follow: one unusable href (javascript:, mailto:, a malformed URL) is
skipped and counted with its reason, never raised inside a callback where it would cost the page."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

# why a link on a list page or in a feed is not followed (stats key suffix -> what people read)
SKIP_REASONS = {
    "empty": "链接为空",
    "javascript": "javascript: 伪链接",
    "scheme": "非 http(s) 链接（mailto:、tel:、data: 等）",
    "invalid": "无法解析的链接",
}


def link_target(base: str, href: str | None) -> tuple[str | None, str | None]:
    """(absolute http(s) URL, None) for a followable link, else (None, reason key of SKIP_REASONS)."""
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None, "empty"
    try:
        scheme = urlsplit(href).scheme.lower() if ":" in href.split("/", 1)[0] else ""
    except ValueError:
        return None, "invalid"
    if scheme == "javascript":
        return None, "javascript"
    if scheme and scheme not in ("http", "https"):
        return None, "scheme"
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises on "host:abc" or a port past 65535, as scrapy.Request would
    except ValueError:
        return None, "invalid"
    if parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"\s", parts.netloc):
        return None, "invalid"
    return url, None
