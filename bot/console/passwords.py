"""Console passwords: Argon2id (argon2-cffi) with the library's defaults, RFC 9106's
low-memory profile (64 MiB, 3 passes, 4 lanes; about 0.1 s here). Hashing and checking are
CPU-bound: async callers run them in a thread (`asyncio.to_thread`).
"""

from __future__ import annotations

import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 128

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(_normal(password))


@cache
def _stand_in_hash() -> str:
    return _hasher.hash("loa-so: no such account")


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches. An unknown account (no hash) costs the same time as a
    known one, so the answer's delay does not tell which names exist."""
    try:
        matched = _hasher.verify(stored or _stand_in_hash(), _normal(password))
    except (VerificationError, InvalidHashError):
        return False
    return matched and stored is not None


def password_problem(password: str, username: str = "") -> str | None:
    """Why this password cannot be used, in Vietnamese; None if it can."""
    password = _normal(password)
    if len(password) < MIN_LENGTH:
        return (f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự (dễ nhớ mà khó đoán: ghép vài từ, "
                "ví dụ “lua-chin-dong-xanh”).")
    if len(password) > MAX_LENGTH:
        return f"Mật khẩu dài quá {MAX_LENGTH} ký tự."
    if username and password.casefold() == username.casefold():
        return "Mật khẩu không được trùng tên đăng nhập."
    if len(set(password)) < 4:
        return "Mật khẩu quá đơn giản (lặp lại vài ký tự); hãy chọn mật khẩu khác."
    if any(unicodedata.category(char) == "Cc" for char in password):
        return "Mật khẩu có ký tự điều khiển; hãy gõ lại."
    return None


def _normal(password: str) -> str:
    # a phone may type "ữ" decomposed, a desktop composed: both are the same password
    return unicodedata.normalize("NFC", password)
