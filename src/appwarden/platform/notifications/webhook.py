"""POST a signed JSON body to a webhook URL, safely.

* Only ``http``/``https`` URLs with a host and without user info.
* **SSRF guard**: the host name is resolved once per request; unless ``allow_private`` every address it resolves
  to must be a global unicast address (no loopback, private RFC 1918 / ULA, link-local, CGNAT, multicast, reserved
  or unspecified ranges, IPv4-mapped forms included), and the connection goes to that checked address (pinned:
  a DNS answer that changes between the check and the connection cannot redirect it). TLS still verifies the
  certificate for the host name (SNI).
* **Redirects**: followed only to the same scheme, host and port, at most ``MAX_REDIRECTS`` times, re-POSTing the
  same body; a redirect to another host is refused (not followed).
* **Timeouts**: ``timeout`` seconds for the connection and each read, and the whole exchange is abandoned after
  ``2 × timeout``; at most 64 KB of the answer are read.

:func:`post` never raises for network trouble: it returns a :class:`Result` whose ``retryable`` says whether a
later attempt may succeed (connection errors, timeouts, any non-2xx answer) or not (a refused URL or redirect).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 3
MAX_READ = 64 * 1024
USER_AGENT = "appwarden-webhook/1"


class UrlRefused(Exception):
    """A URL the platform will not call (bad form, SSRF guard); the message is one line, Chinese first."""


@dataclass
class Result:
    ok: bool
    status_code: int | None = None
    error: str = ""
    retryable: bool = True
    duration_ms: int = 0
    body_excerpt: str = ""


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    elif isinstance(ip, ipaddress.IPv6Address) and ip.sixtofour is not None:
        ip = ip.sixtofour  # 2002::/16 embeds an IPv4 address (Python 3.11 calls every 6to4 address global)
    return ip.is_global and not ip.is_multicast and not ip.is_reserved and not ip.is_unspecified


def check_url(url: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, path_with_query)`` of a well-formed webhook URL; :class:`UrlRefused` otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused("回调地址格式错误 malformed URL") from None
    if parts.scheme not in ("http", "https"):
        raise UrlRefused("回调地址须为 http(s) 地址 the URL must be http:// or https://")
    if not parts.hostname:
        raise UrlRefused("回调地址缺少主机名 the URL has no host")
    if parts.username or parts.password:
        raise UrlRefused("回调地址不得包含用户名或密码 the URL must not carry credentials")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to for ``host``; :class:`UrlRefused` when it does not resolve or (unless
    ``allow_private``) any address it resolves to is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlRefused(f"无法解析回调主机 {host} cannot resolve the host ({exc})") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise UrlRefused(f"无法解析回调主机 {host} cannot resolve the host")
    if not allow_private:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not _is_public(ip):
                raise UrlRefused(
                    f"回调地址指向内网或本机地址 {address}，已拒绝 the URL resolves to a private or local address "
                    "(set APPWARDEN_WEBHOOK_ALLOW_PRIVATE=1 to allow it)"
                )
    return addresses[0]


def validate(url: str, *, allow_private: bool) -> None:
    """Check a webhook URL when it is registered (form, SSRF guard); :class:`UrlRefused` with the reason."""
    _, host, port, _ = check_url(url)
    resolve(host, port, allow_private=allow_private)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float = 10.0,
    allow_private: bool = False,
    ssl_context: ssl.SSLContext | None = None,
) -> Result:
    """POST ``body`` to ``url`` under the rules of the module docstring."""
    started = time.monotonic()
    deadline = started + 2 * timeout
    current = url
    origin: tuple[str, str, int] | None = None

    def done(**kw) -> Result:
        return Result(duration_ms=int((time.monotonic() - started) * 1000), **kw)

    for _hop in range(MAX_REDIRECTS + 1):
        try:
            scheme, host, port, path = check_url(current)
            if origin is not None and (scheme, host.lower(), port) != origin:
                return done(
                    ok=False,
                    error=f"拒绝跳转到其他主机 redirect to another host refused: {current[:200]}",
                    retryable=False,
                )
            origin = origin or (scheme, host.lower(), port)
            address = resolve(host, port, allow_private=allow_private)
        except UrlRefused as exc:
            return done(ok=False, error=str(exc), retryable=False)
        left = deadline - time.monotonic()
        if left <= 0:
            return done(ok=False, error="超时 timed out")
        step = min(timeout, left)
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = _PinnedHTTPSConnection(
                host, port, address, step, ssl_context or ssl.create_default_context()
            )
        else:
            conn = _PinnedHTTPConnection(host, port, address, step)
        try:
            conn.request(
                "POST",
                path,
                body=body,
                headers={"User-Agent": USER_AGENT, "Content-Length": str(len(body)), **headers},
            )
            resp = conn.getresponse()
            chunks: list[bytes] = []
            size = 0
            while size < MAX_READ:
                if time.monotonic() > deadline:
                    return done(ok=False, status_code=resp.status, error="读取回应超时 timed out reading")
                chunk = resp.read1(MAX_READ - size) if hasattr(resp, "read1") else resp.read(4096)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            status = resp.status
            location = resp.getheader("Location")
        except (OSError, http.client.HTTPException) as exc:
            kind = (
                "超时 timed out"
                if isinstance(exc, TimeoutError | socket.timeout)
                else "连接失败 connection failed"
            )
            return done(ok=False, error=f"{kind}: {type(exc).__name__}: {str(exc)[:200]}")
        finally:
            conn.close()
        excerpt = b"".join(chunks)[:500].decode("utf-8", "replace")
        if status in (301, 302, 303, 307, 308) and location:
            current = urljoin(current, location)
            continue
        if 200 <= status < 300:
            return done(ok=True, status_code=status, body_excerpt=excerpt)
        return done(ok=False, status_code=status, error=f"HTTP {status}", body_excerpt=excerpt)
    return done(ok=False, error="跳转次数过多 too many redirects", retryable=False)
