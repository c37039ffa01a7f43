"""A fake Zalo OA API and OAuth server on loopback, for tests and benchmarks.

It answers like the real ones (docs/platforms.md, Zalo Official Account): HTTP 200 with
`{"error": 0, "message": "Success", "data": {...}}` or a negative `error` and `message`;
`access_token` checked from its header; the OAuth v4 token endpoint with the app secret in
a `secret_key` header, single-use refresh tokens (reuse answers -14020) and the PKCE code
grant. It also plays Zalo's side of the webhook: `webhook(event)` gives the signed bytes and
headers Zalo would POST. Faults are switchable: scripted per call, tokens expired on demand,
latency.

Run standalone (benchmarks): `python -m tests.fakes.zalo_oa_api --port PORT`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from tests.fakes.telegram_api import configure, running, running_in_thread  # noqa: F401

MESSAGES = {
    -32: "Your application reached limit call api",
    -201: "Parameters are invalid",
    -210: "Parameter exceeds the limit",
    -213: "User has not followed OA",
    -216: "Access token is invalid",
    -217: "User has blocked OA",
    -220: "Access token has expired or removed",
    -224: "The OA needs to upgrade OA Tier Package",
    -230: "User has not interacted with the OA in the past 7 days",
    -232: "User has not interacted or the interaction has expired",
}


@dataclass
class FakeZaloOA:
    app_id: str = "1234567890123456789"
    app_secret: str = "fakeAppSecretForTests_0123456789"
    secret_key: str = "fakeOASecretKeyForTests_abcdefgh"
    oa_id: str = "1640000000000000002"
    refresh_token: str = "fake-refresh-0"  # the one refresh token that currently works
    expires_in: str = "90000"
    latency: float = 0.0
    script: deque = field(default_factory=deque)  # ("-230",) | ("500",) | ("401",) per send
    sent: list[dict[str, Any]] = field(default_factory=list)
    valid_access: set[str] = field(default_factory=set)
    refreshes: int = 0
    refresh_latency: float = 0.0
    verifiers: list[str] = field(default_factory=list)  # code_verifier of each code exchange
    codes: dict[str, str] = field(default_factory=dict)  # issued code → code_challenge
    on_send: Any = None  # callback(user_id, text, monotonic time): benchmarks measure latency

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)

    # -- state helpers for tests -----------------------------------------------------------

    def texts_to(self, user_id: str) -> list[str]:
        return [message["text"] for message in self.sent if message["user_id"] == user_id]

    def issue_access(self) -> str:
        token = f"fake-access-{next(self._ids)}"
        self.valid_access.add(token)
        return token

    def expire_access(self) -> None:
        """Every access token issued so far stops working (-216), as after a revocation."""
        self.valid_access.clear()

    def reset(self) -> None:
        self.sent.clear()
        self.script.clear()

    def webhook(self, event: dict[str, Any], *, now_ms: int | None = None,
                variant: str = "app_id/secret_key",
                extra_raw: str | None = None) -> tuple[bytes, dict[str, str]]:
        """The bytes and headers Zalo would POST: timestamp set to now, body signed.
        `extra_raw`: JSON text added as the field "extra" (for bodies json.dumps cannot
        write, e.g. nested deeper than its recursion limit)."""
        event = dict(event)
        event["timestamp"] = str(now_ms if now_ms is not None else int(time.time() * 1000))
        body = json.dumps(event, ensure_ascii=False).encode("utf-8")
        if extra_raw is not None:
            body = body[:-1] + b', "extra": ' + extra_raw.encode() + b"}"
        return body, {"X-ZEvent-Signature": f"mac={self.sign(body, event, variant)}",
                      "content-type": "application/json"}

    def sign(self, body: bytes, event: dict[str, Any], variant: str = "app_id/secret_key") -> str:
        first, key = variant.split("/")
        ident = self.app_id if first == "app_id" else self.oa_id
        secret = self.secret_key if key == "secret_key" else self.app_secret
        return hashlib.sha256(ident.encode() + body + str(event["timestamp"]).encode()
                              + secret.encode()).hexdigest()

    # -- the API ---------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/v3.0/oa/message/cs", self._send_cs, methods=["POST"]),
            Route("/v2.0/oa/getoa", self._getoa, methods=["GET"]),
            Route("/v4/oa/access_token", self._access_token, methods=["POST"]),
            Route("/v4/oa/permission", self._permission, methods=["GET"]),
            Route("/_fake/stats", self._stats, methods=["GET"]),
            Route("/_fake/config", self._configure, methods=["POST"]),
        ])

    async def _send_cs(self, request: Request) -> JSONResponse:
        if self.latency:
            await asyncio.sleep(self.latency)
        if request.headers.get("access_token") not in self.valid_access:
            return _error(-216)
        if self.script:
            kind, *_ = self.script.popleft()
            if kind.lstrip("-").isdigit() and kind.startswith("-"):
                return _error(int(kind))
            return JSONResponse({"error": int(kind), "message": "Server error"},
                                status_code=int(kind))
        try:
            body = json.loads(await request.body())
            user_id = str(body["recipient"]["user_id"])
            message = body["message"]
            text = message.get("text") or ""
        except (ValueError, KeyError, TypeError):
            return _error(-201)
        if not text.strip():
            return _error(-201)
        if len(text) > 2000:
            return _error(-210)
        buttons = ((message.get("attachment") or {}).get("payload") or {}).get("buttons")
        if buttons is not None and (len(buttons) > 5 or any(
                len(b.get("title", "")) > 100 or not b.get("payload") for b in buttons)):
            return _error(-201)
        message_id = f"{next(self._ids):020x}"
        self.sent.append({"user_id": user_id, "text": text, "buttons": buttons,
                          "at": time.monotonic()})
        if self.on_send is not None:
            self.on_send(user_id, text, time.monotonic())
        return JSONResponse({"error": 0, "message": "Success",
                             "data": {"message_id": message_id, "user_id": user_id}})

    async def _getoa(self, request: Request) -> JSONResponse:
        if request.headers.get("access_token") not in self.valid_access:
            return _error(-216)
        return JSONResponse({"error": 0, "message": "Success", "data": {
            "oa_id": self.oa_id, "name": "UBND xã Thử Nghiệm", "is_verified": True,
            "package_name": "Gói Nâng cao"}})

    async def _access_token(self, request: Request) -> JSONResponse:
        if self.refresh_latency:
            await asyncio.sleep(self.refresh_latency)
        form = dict(parse_qsl((await request.body()).decode()))  # x-www-form-urlencoded
        if request.headers.get("secret_key") != self.app_secret:
            return _oauth_error(-14014, "Invalid secret key")
        if form.get("app_id") != self.app_id:
            return _oauth_error(-14001, "Invalid app_id")
        grant = form.get("grant_type")
        if grant == "refresh_token":
            if form.get("refresh_token") != self.refresh_token:
                return _oauth_error(-14020, "Invalid refresh token")
            self.refreshes += 1
        elif grant == "authorization_code":
            challenge = self.codes.pop(str(form.get("code")), None)
            verifier = str(form.get("code_verifier", ""))
            self.verifiers.append(verifier)
            if challenge is None:
                return _oauth_error(-14019, "Invalid authorization code")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
                return _oauth_error(-14022, "Invalid code verifier")
        else:
            return _oauth_error(-14003, "Invalid grant type")
        self.refresh_token = f"fake-refresh-{next(self._ids)}"
        return JSONResponse({"access_token": self.issue_access(),
                             "refresh_token": self.refresh_token,
                             "expires_in": self.expires_in})

    async def _permission(self, request: Request) -> RedirectResponse | JSONResponse:
        """The page an OA administrator approves; it redirects back with a code."""
        params = request.query_params
        if params.get("app_id") != self.app_id or not params.get("code_challenge"):
            return _oauth_error(-14003, "Invalid parameters")
        code = f"fake-code-{next(self._ids)}"
        self.codes[code] = params["code_challenge"]
        query = urlencode({"code": code, "oa_id": self.oa_id, "state": params.get("state", "")})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)

    async def _stats(self, request: Request) -> JSONResponse:
        return JSONResponse({"sent": len(self.sent), "refreshes": self.refreshes})

    async def _configure(self, request: Request) -> JSONResponse:
        return await configure(self, request)


def _error(code: int) -> JSONResponse:
    return JSONResponse({"error": code, "message": MESSAGES.get(code, "Unknown error")})


def _oauth_error(code: int, name: str) -> JSONResponse:
    return JSONResponse({"error_name": name, "error_reason": name, "ref_doc": "",
                         "error_description": name, "error": code})


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Zalo OA API and OAuth server")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(FakeZaloOA().app(), host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
