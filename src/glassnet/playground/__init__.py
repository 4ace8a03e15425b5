"""The glassnet playground: a local web page to train small networks on 2-D data and watch them learn.

``glassnet playground`` (or ``serve()``) starts it; ``create_app()`` is the ASGI application. It
needs the ``playground`` extra (Starlette, uvicorn, websockets): ``pip install 'glassnet[playground]'``.
The training itself is glassnet's (``session``); the page under ``static/`` only draws and sends
the controls.
"""

from __future__ import annotations


def create_app(hosts=()):
    """The playground as a Starlette (ASGI) application; ``hosts``: names it answers to besides 127.0.0.1,
    localhost and [::1] (requests for any other Host are refused: a guard against DNS rebinding)."""
    from .server import create_app as _create_app

    return _create_app(hosts=hosts)


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False) -> int:
    """Run the playground's web server until Ctrl+C (127.0.0.1 unless told otherwise)."""
    from .server import serve as _serve

    return _serve(host=host, port=port, open_browser=open_browser)


__all__ = ["create_app", "serve"]
