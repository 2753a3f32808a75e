"""A small OpenID Connect provider for the tests, run as its own process on 127.0.0.1.

It does what the app needs from Microsoft Entra ID and nothing more: a discovery
document, the authorisation code flow with PKCE (S256) and a login form, a token
endpoint with client_secret_basic or client_secret_post, ID tokens signed RS256 with a
key made at start-up and published as a JWKS, a userinfo endpoint, and RP-initiated
logout that ends its own session (a cookie) and sends the person back.

    python tests/oidc_provider.py --port 0 --config users.json

prints "READY <base url>" once it listens. The config holds the client and the users:

    {"client_id": "...", "client_secret": "...", "redirect_uris": ["..."],
     "users": {"vigdis": {"sub": "...", "oid": "...", "email": "...", "name": "..."}}}

A user's claims are what the ID token says; the special keys "_aud" and "_drop" let a
test make a token for another audience or without some claims, as a misconfigured
registration at the real provider would.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import secrets
import sys
import threading
import time
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

SESSION_COOKIE = "op_session"


class Provider:
    def __init__(self, config: dict, issuer: str) -> None:
        self.config = config
        self.issuer = issuer
        self.key = RSAKey.generate_key(
            2048, parameters={"kid": secrets.token_hex(4), "use": "sig", "alg": "RS256"}
        )
        self.codes: dict[str, dict] = {}
        self.sessions: dict[str, str] = {}  # session cookie → username
        self.tokens: dict[str, str] = {}  # access token → username
        self.lock = threading.Lock()

    def metadata(self) -> dict:
        base = self.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "userinfo_endpoint": f"{base}/userinfo",
            "end_session_endpoint": f"{base}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    def id_token(self, username: str, nonce: str, access_token: str) -> str:
        user = dict(self.config["users"][username])
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": user.pop("_aud", self.config["client_id"]),
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "at_hash": _half_hash(access_token),
        }
        drop = user.pop("_drop", [])
        claims.update(user)
        for name in drop:
            claims.pop(name, None)
        header = {"alg": "RS256", "kid": self.key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self.key)


def _half_hash(value: str) -> str:
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


LOGIN_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Test provider – sign in</title></head><body>
<h1>Test identity provider</h1>
<form method="post" action="/authorize">
<label for="username">Account</label>
<input id="username" name="username" autocomplete="username">
{hidden}
<button type="submit">Sign in</button>
</form></body></html>"""


class Handler(BaseHTTPRequestHandler):
    provider: Provider

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass

    # --- helpers ---
    def _send(self, status: int, body: str | bytes, content_type="application/json", headers=()):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, payload: dict) -> None:
        self._send(status, json.dumps(payload))

    def _redirect(self, location: str, headers=()) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8")
        return {key: values[0] for key, values in parse_qs(raw).items()}

    def _session_user(self) -> str | None:
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        token = cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else ""
        return self.provider.sessions.get(token)

    # --- routes ---
    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        route = {
            "/.well-known/openid-configuration": lambda: self._json(200, self.provider.metadata()),
            "/jwks": lambda: self._json(200, KeySet([self.provider.key]).as_dict(private=False)),
            "/authorize": lambda: self._authorize_get(query),
            "/userinfo": self._userinfo,
            "/logout": lambda: self._logout(query),
        }.get(parts.path)
        if route is None:
            self._json(404, {"error": "not_found"})
        else:
            route()

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path == "/authorize":
            self._authorize_post(self._form())
        elif path == "/token":
            self._token(self._form())
        else:
            self._json(404, {"error": "not_found"})

    def _check_request(self, params: dict) -> str | None:
        config = self.provider.config
        if params.get("client_id") != config["client_id"]:
            return "unknown client"
        if params.get("redirect_uri") not in config["redirect_uris"]:
            return "redirect_uri not registered"
        if params.get("response_type") != "code":
            return "only the code flow"
        if "openid" not in (params.get("scope") or "").split():
            return "scope must hold openid"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "PKCE with S256 is required"
        return None

    def _authorize_get(self, params: dict) -> None:
        problem = self._check_request(params)
        if problem:
            self._send(400, problem, "text/plain")
            return
        username = self._session_user()
        if username:  # single sign-on: a live session at the provider needs no form
            self._issue_code(username, params)
            return
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
        )
        self._send(200, LOGIN_PAGE.format(hidden=hidden), "text/html; charset=utf-8")

    def _authorize_post(self, form: dict) -> None:
        username = form.pop("username", "")
        problem = self._check_request(form)
        if problem or username not in self.provider.config["users"]:
            self._send(400, problem or "unknown account", "text/plain")
            return
        session = secrets.token_urlsafe(16)
        self.provider.sessions[session] = username
        cookie = f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax"
        self._issue_code(username, form, headers=[("Set-Cookie", cookie)])

    def _issue_code(self, username: str, params: dict, headers=()) -> None:
        code = secrets.token_urlsafe(24)
        with self.provider.lock:
            self.provider.codes[code] = {
                "username": username,
                "nonce": params.get("nonce", ""),
                "redirect_uri": params["redirect_uri"],
                "challenge": params["code_challenge"],
                "expires": time.time() + 60,
            }
        query = urlencode({"code": code, "state": params.get("state", "")})
        self._redirect(f"{params['redirect_uri']}?{query}", headers)

    def _client_ok(self, form: dict) -> bool:
        config = self.provider.config
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Basic "):
            client_id, _sep, secret = base64.b64decode(auth[6:]).decode("utf-8").partition(":")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        return client_id == config["client_id"] and secrets.compare_digest(
            secret, config["client_secret"]
        )

    def _token(self, form: dict) -> None:
        if not self._client_ok(form):
            self._json(401, {"error": "invalid_client"})
            return
        with self.provider.lock:
            grant = self.provider.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        expected = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest())
            .rstrip(b"=")
            .decode("ascii")
        )
        if (
            grant is None
            or grant["expires"] < time.time()
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant["redirect_uri"]
            or expected != grant["challenge"]
        ):
            self._json(400, {"error": "invalid_grant"})
            return
        access_token = secrets.token_urlsafe(24)
        self.provider.tokens[access_token] = grant["username"]
        id_token = self.provider.id_token(grant["username"], grant["nonce"], access_token)
        self._json(
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
                "scope": "openid email profile",
            },
        )

    def _userinfo(self) -> None:
        auth = self.headers.get("Authorization") or ""
        username = self.provider.tokens.get(auth.removeprefix("Bearer "))
        if username is None:
            self._json(401, {"error": "invalid_token"})
            return
        user = {k: v for k, v in self.provider.config["users"][username].items() if k[0] != "_"}
        self._json(200, user)

    def _logout(self, params: dict) -> None:
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        if SESSION_COOKIE in cookie:
            self.provider.sessions.pop(cookie[SESSION_COOKIE].value, None)
        expired = f"{SESSION_COOKIE}=; Path=/; Max-Age=0"
        target = params.get("post_logout_redirect_uri", "")
        if target and params.get("client_id") == self.provider.config["client_id"]:
            self._redirect(target, headers=[("Set-Cookie", expired)])
        else:
            page = "<!DOCTYPE html><title>Signed out</title><h1>You are signed out</h1>"
            self._send(200, page, "text/html; charset=utf-8", headers=[("Set-Cookie", expired)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    with open(args.config, encoding="utf-8") as handle:
        config = json.load(handle)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    issuer = f"http://127.0.0.1:{server.server_address[1]}"
    Handler.provider = Provider(config, issuer)
    print(f"READY {issuer}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
