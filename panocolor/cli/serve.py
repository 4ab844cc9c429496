"""``panocolor serve``: the web app on this computer (http://127.0.0.1:PORT)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from panocolor.cli._app import app, console, handle_errors
from panocolor.errors import PanocolorError


@app.command(
    epilog="""[bold]Examples[/]

  panocolor serve

  panocolor serve --port 8000 --gallery ~/Pictures/colour --model-dir ~/models
""",
)
@handle_errors
def serve(
    host: Annotated[
        str,
        typer.Option(help="Address to listen on; other than 127.0.0.1 opens it to the network."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.", min=0, max=65535)] = 0,
    gallery: Annotated[
        Path | None,
        typer.Option(help="Folder of colour photos offered as references (and suggestions)."),
    ] = None,
    model_dir: Annotated[
        Path | None,
        typer.Option(help="Folder with the model files (searched before $PANOCOLOR_MODEL_DIR)."),
    ] = None,
    max_upload_mb: Annotated[
        float, typer.Option(help="Largest file accepted, in MB (2**20 bytes).", min=0.001)
    ] = 64.0,
    max_pixels: Annotated[
        int, typer.Option(help="Largest image accepted, in pixels.", min=1)
    ] = 50_000_000,
) -> None:
    """Open the web app: upload photos, see segments, swap references, download results."""
    from dataclasses import replace

    from panocolor.web import WEB_SETTINGS, Limits, create_app
    from panocolor.web.server import bind, server, url_of

    if gallery is not None and not gallery.is_dir():
        raise PanocolorError(f"--gallery {gallery} is not a folder")
    settings = replace(WEB_SETTINGS, gallery=gallery, model_dir=model_dir)
    limits = Limits(max_upload_bytes=round(max_upload_mb * 2**20), max_pixels=max_pixels)
    application = create_app(settings, gallery=gallery, limits=limits)
    try:
        sock = bind(host, port)
    except OSError as error:
        raise PanocolorError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    console.print(f"panocolor is at [bold]{url_of(sock)}[/]  (Ctrl+C stops it)", soft_wrap=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print("[yellow]warning:[/] anyone who can reach this address can use it")
    try:
        server(application, log_level="info").run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C after its clean shutdown
        console.print("stopped")
