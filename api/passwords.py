"""Password policy (口令要求): a minimum length and no common or guessable passwords.

Applied wherever a person chooses a password (`yuqing user add`, `yuqing user passwd`). The one
exception is `api.auth.ensure_user`, which the development demo (`demo` / `demo`) and test fixtures
use: `yuqing demo` refuses to run outside the development environment, so that account never
exists in production.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
DEFAULT_MIN_LENGTH = 10


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(
    password: str, *, username: str = "", min_length: int = DEFAULT_MIN_LENGTH
) -> str | None:
    """Why `password` is refused (a Chinese sentence), or None when it is acceptable."""
    if len(password) < min_length:
        return f"密码至少需要 {min_length} 个字符"
    if len(password) > 1000:
        return "密码过长（上限 1000 个字符）"
    lowered = password.lower()
    core = re.sub(r"[\d\W_]+$", "", lowered)  # "password2026!" is still "password"
    common = common_passwords()
    if lowered in common or (core and core in common):
        return "该密码过于常见，容易被猜中，请换一个"
    if len(set(password)) < 4:
        return "密码由太少的不同字符组成，请换一个"
    if username and username.lower() in lowered:
        return "密码不能包含用户名"
    return None
