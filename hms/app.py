"""The FastAPI application factory."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import Engine

from hms.auth import check_bearer
from hms.config import HmsOptions
from hms.db import make_engine, session_factory
from hms.errors import install_handlers
from hms.routes import appointments, locations, people, scheduling, system, tasks
from hms.settings import HmsSettings, load_settings

FHIR_BASE = "/fhir/R4"


def create_app(settings: HmsSettings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the app; ``settings`` default to ``load_settings()``, the engine to its URL."""
    settings = settings or load_settings()
    engine = engine or make_engine(settings.hms_database_url)
    app = FastAPI(
        title="HMS reference server",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    # identifier systems and extensions (HmsSettings.options; other settings objects that
    # lack them, e.g. in older tests, get the defaults)
    app.state.options = getattr(settings, "options", None) or HmsOptions()
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.tz = ZoneInfo(settings.hospital_tz)
    install_handlers(app)
    fhir_router = APIRouter(dependencies=[Depends(check_bearer)])
    for module in (locations, people, scheduling, appointments, tasks):
        fhir_router.include_router(module.router)
    fhir_router.include_router(system.fallback)
    app.include_router(system.public)
    app.include_router(system.conformance, prefix=FHIR_BASE)
    app.include_router(fhir_router, prefix=FHIR_BASE)
    return app
