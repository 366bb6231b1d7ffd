"""``python -m hms migrate|seed|serve``: the reference HMS's command line."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

from assistant.config import get_settings
from hms.db import make_engine
from hms.migrate import upgrade
from hms.seed import AlreadySeeded, seed
from hms.seed_data import SEED

SEED_HELP = "random seed of the made-up patients (another one for a practice hospital)"

log = logging.getLogger("hms")


def cmd_migrate(_args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = make_engine(settings.hms_database_url)
    upgrade(engine)
    print("hms: database migrated to head")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = make_engine(settings.hms_database_url)
    upgrade(engine)
    started = time.perf_counter()
    try:
        report = seed(engine, settings.hospital_tz, reset=args.reset, rng_seed=args.seed)
    except AlreadySeeded as exc:
        print(f"hms: {exc}; nothing to do (use --reset to recreate it)")
        return 0
    counts = ", ".join(f"{k}={v}" for k, v in report.counts.items())
    print(f"hms: seeded in {time.perf_counter() - started:.2f}s: {counts}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from assistant.logging import configure_logging
    from assistant.phi_names import start_name_refresh
    from hms.app import create_app

    settings = get_settings()
    phi_filter = configure_logging("hms", settings)
    engine = make_engine(settings.hms_database_url)
    start_name_refresh(phi_filter, lambda: patient_names(engine))  # names to redact in logs
    if args.seed_if_empty:
        upgrade(engine)
        try:
            seed(engine, settings.hospital_tz, rng_seed=args.seed)
        except AlreadySeeded:
            pass
    app = create_app(settings, engine)
    uvicorn.run(
        app,
        host=settings.bind_host,
        port=args.port or settings.hms_port,
        log_level=args.log_level,
        access_log=False,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hms", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the HMS database to the latest revision").set_defaults(
        func=cmd_migrate
    )
    seed_p = sub.add_parser("seed", help="load the deterministic demo hospital")
    seed_p.add_argument("--reset", action="store_true", help="delete and recreate the data")
    seed_p.add_argument("--seed", type=int, default=SEED, help=SEED_HELP)
    seed_p.set_defaults(func=cmd_seed)
    serve = sub.add_parser("serve", help="run the HMS API (uvicorn)")
    serve.add_argument(
        "--seed-if-empty", action="store_true", help="migrate and seed an empty database first"
    )
    serve.add_argument("--port", type=int, default=None, help="override HMS_PORT")
    serve.add_argument("--seed", type=int, default=SEED, help=SEED_HELP)
    serve.add_argument("--log-level", default="warning")
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())


def patient_names(engine: Any) -> list[str]:
    """Every patient's "given family" name in the reference HMS database (log redaction)."""
    from sqlalchemy import select

    from hms.models import Patient

    with engine.connect() as conn:
        return [f"{g} {f}" for g, f in conn.execute(select(Patient.given, Patient.family))]
