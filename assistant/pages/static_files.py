"""Serving the pages' own files (``assistant/pages/static``): no directory walking."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi.responses import FileResponse, JSONResponse, Response

from .auth import SECURITY_HEADERS

STATIC = Path(str(files("assistant.pages").joinpath("static")))
_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
_ALLOWED_DIRS = ("", "vendor")


def static_file(name: str, folder: str = "") -> Response:
    path = STATIC / folder / name
    try:
        ok = (
            folder in _ALLOWED_DIRS
            and "/" not in name
            and not name.startswith(".")
            and path.suffix in _TYPES
            and path.is_file()
        )
    except OSError:
        ok = False
    if not ok:
        return JSONResponse({"error": "not_found", "message": "no such file"}, status_code=404)
    return FileResponse(path, media_type=_TYPES[path.suffix], headers=SECURITY_HEADERS)
