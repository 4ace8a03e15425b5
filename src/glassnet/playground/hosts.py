"""Which requests the playground answers: those sent to its own name (a guard against DNS rebinding).

A page of a foreign site whose domain name resolves to 127.0.0.1 (DNS rebinding) talks to the
playground as its own origin: its Origin and Host headers agree, so an Origin check alone lets it
in. The Host header still carries the foreign name, so the playground answers only requests that
name it: 127.0.0.1, localhost, [::1] (any port), the address it was started on, and, when it
listens on every interface, any IP address (a rebinding needs a domain name of its own) and this
machine's names. Jupyter's server closes the same hole with the same kind of allowlist.
"""

from __future__ import annotations

import ipaddress
import logging
import socket

from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse

LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")  # the names of this machine no other site can take
EVERY_INTERFACE = ("0.0.0.0", "::", "")

log = logging.getLogger("glassnet.playground")


def host_name(header: str) -> str:
    """The name in a Host header, lower case, without its port: "[::1]:8765" -> "::1", "LocalHost.:80" ->
    "localhost"."""
    host = header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return (host.rsplit(":", 1)[0] if host.count(":") == 1 else host).rstrip(".")


class HostGuard:
    """ASGI middleware against DNS rebinding and framing: a request (page, file or WebSocket) whose Host header
    does not name this server is refused (403; a WebSocket is closed before its handshake), and every answer
    carries ``headers`` (the page's: no page may frame it) unless it sets them itself.

    Allowed: 127.0.0.1, localhost, ::1 and any loopback address, the ``hosts`` the server was started on, and,
    when one of them is every interface (0.0.0.0, ::), any IP address and this machine's own names.
    """

    def __init__(self, app, hosts=(), headers=None):
        self.app, self.headers = app, dict(headers or {})
        hosts = [str(h).strip().lower() for h in hosts]
        self.any_address = any(h in EVERY_INTERFACE for h in hosts)
        self.names = {host_name(h) for h in (*LOCAL_NAMES, *hosts) if h not in EVERY_INTERFACE}
        if self.any_address:
            self.names |= {socket.gethostname().lower(), socket.getfqdn().lower()}

    def allows(self, header: str) -> bool:
        name = host_name(header)
        if name in self.names:
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return False  # a name this server was not started on: maybe a foreign one that resolves here
        return address.is_loopback or self.any_address

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if not self.allows(host):
            log.warning("playground: refused a request for Host %r (not this server's name)", host[:100])
            if scope["type"] == "websocket":
                return await send({"type": "websocket.close", "code": 1008})  # before the handshake: a 403
            text = (f"this playground answers at http://127.0.0.1/ or http://localhost/ (with its port), not at "
                    f"Host {host[:100]!r}: a guard against DNS rebinding; to serve it under another name, start it "
                    "with glassnet playground --host NAME")
            return await PlainTextResponse(text, status_code=403, headers=self.headers)(scope, receive, send)
        if scope["type"] == "websocket":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in self.headers.items():
                    headers.setdefault(key, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
