"""A minimal HTTP/1.1 client for the load bench (bar P4): GET requests on one kept-alive
connection, on asyncio streams.

The bench must measure the server, not its client. httpx2's asyncio client (in the lock for
the test client) costs more than the server's answer to a trivial route: 20 of its clients
at once made 400 requests to a FastAPI route returning a constant in 1.5-3.6 s, some of them
waiting over a second, where these connections made them in 0.14-0.34 s (same server, same
run). So the bounded run speaks HTTP itself: a request line, a few headers, and an answer
read by its ``Content-Length`` or its chunks. Nothing else of HTTP is needed (no redirects,
no compression, no TLS: the server is on loopback).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import TracebackType


@dataclass(frozen=True)
class Answer:
    """A response's status and body."""

    status: int
    body: bytes


class Connection:
    """One kept-alive connection to ``host:port``; requests on it are sent one at a time."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        """``GET path`` with ``headers``; the whole answer read."""
        if self._reader is None or self._writer is None:
            raise RuntimeError("the connection is not open: use it in an async with block")
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await self._writer.drain()
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        fields = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip()
        if b"content-length" in fields:
            body = await self._reader.readexactly(int(fields[b"content-length"]))
        elif b"chunked" in fields.get(b"transfer-encoding", b"").lower():
            body = await self._chunks()
        else:
            raise RuntimeError(f"GET {path}: an answer without a length on a kept-alive connection")
        return Answer(status, body)

    async def _chunks(self) -> bytes:
        assert self._reader is not None
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            parts.append((await self._reader.readexactly(size + 2))[:size])
            if size == 0:
                return b"".join(parts)
