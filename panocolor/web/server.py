"""Running the app with uvicorn: on a socket bound first (so port 0 gives a free port)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free port chosen by the OS).

    It listens before the server starts, so a client that connects as soon as the
    address is printed waits in the backlog instead of being refused. Made with
    ``proto=IPPROTO_TCP``: asyncio sets TCP_NODELAY only on sockets that say so, and
    without it every response waits for a delayed ACK (about 40 ms) before its body
    leaves.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # uvicorn's default backlog
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    """``http://host:port`` of a bound socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def server(app: FastAPI, *, log_level: str = "warning") -> uvicorn.Server:
    """A uvicorn server for ``app`` (run it with ``server.run(sockets=[sock])``)."""
    return uvicorn.Server(uvicorn.Config(app, log_level=log_level, lifespan="on"))


@contextmanager
def running(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` in a background thread; yield its base URL; stop it on exit.

    Examples
    --------
    >>> import httpx
    >>> from panocolor.web import create_app
    >>> with running(create_app(warm_up=False)) as url:
    ...     httpx.get(f"{url}/api/gallery").json()
    {'items': []}
    """
    sock = bind(host, port)
    uv = server(app)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not uv.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the web server did not start")
            time.sleep(0.02)
        yield url_of(sock)
    finally:
        uv.should_exit = True
        thread.join(timeout=30)
        sock.close()
