"""An app served for real: uvicorn on a free loopback port, in a background thread.

The browser tests need a server a separate process (the browser) can reach; Starlette's
TestClient only calls the app in-process. The port is chosen by the system (a socket bound to
port 0 handed to uvicorn), so parallel runs never collide.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

HOST = "127.0.0.1"
START_TIMEOUT = 60.0


@contextlib.contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served on loopback for the block (its lifespan runs around it); yields its base
    URL (``http://127.0.0.1:PORT``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {HOST}:{port}")
            time.sleep(0.02)
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
