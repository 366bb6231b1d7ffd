"""``python -m hms migrate|seed|serve|adt-listen|import``: the reference HMS's command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from typing import Any

from sqlalchemy import Engine

from hms.db import make_engine
from hms.migrate import upgrade
from hms.seed import AlreadySeeded, seed
from hms.seed_data import SEED
from hms.settings import load_settings

SEED_HELP = "random seed of the made-up patients (another one for a practice hospital)"

log = logging.getLogger("hms")


def cmd_migrate(_args: argparse.Namespace) -> int:
    settings = load_settings()
    engine = make_engine(settings.hms_database_url)
    upgrade(engine)
    print("hms: database migrated to head")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    settings = load_settings()
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

    from hms.app import create_app
    from phi_filter import configure_logging
    from phi_filter.names import start_name_refresh

    settings = load_settings()
    phi_filter = configure_logging("hms", settings.log_dir)
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


def _wait_for_schema(engine: Engine, timeout: float) -> bool:
    """Wait until the HMS database has the ADT tables (``hms serve`` migrates it)."""
    from sqlalchemy import inspect

    deadline = time.monotonic() + timeout
    while True:
        try:
            if inspect(engine).has_table("adt_message"):
                return True
        except Exception as exc:  # database not reachable yet
            log.debug("waiting for the HMS database: %s", type(exc).__name__)
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)


def cmd_adt_listen(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from hms.adt.listener import AdtListener
    from hms.adt.processor import AdtProcessor
    from hms.db import session_factory
    from phi_filter import configure_logging
    from phi_filter.names import start_name_refresh

    settings = load_settings()
    phi_filter = configure_logging("adt", settings.log_dir)
    options = settings.options
    engine = make_engine(settings.hms_database_url)
    start_name_refresh(phi_filter, lambda: patient_names(engine))  # names to redact in logs
    if args.migrate:
        upgrade(engine)
    elif not _wait_for_schema(engine, args.wait):
        print("hms adt-listen: the HMS database is not migrated (run `python -m hms migrate`)")
        return 1
    processor = AdtProcessor(session_factory(engine), ZoneInfo(settings.hospital_tz), options)
    listener = AdtListener(processor, args.host or options.adt.host, args.port or options.adt.port)

    async def run() -> None:
        import signal

        await listener.start()
        print(f"hms: ADT listener (MLLP) on {listener.host}:{listener.port}", flush=True)
        serving = asyncio.ensure_future(listener.serve_forever())
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, serving.cancel)
        try:
            await serving
        except asyncio.CancelledError:
            pass
        finally:
            await listener.close()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    return 0


def cmd_adt_send(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hms.adt.send import send_files

    options = load_settings().options
    host, port = args.host or options.adt.host, args.port or options.adt.port
    try:
        acks = send_files(host, port, [Path(f) for f in args.files])
    except (OSError, ConnectionError) as exc:
        print(f"hms adt-send: cannot reach {host}:{port} ({exc})", file=sys.stderr)
        return 2
    worst = 0
    for name, ack in zip(args.files, acks, strict=True):
        msa = next((seg.split("|") for seg in ack.split("\r") if seg.startswith("MSA")), [])
        code = msa[1] if len(msa) > 1 else "?"
        reason = msa[3] if len(msa) > 3 else ""
        print(f"{name}: {code} {reason}".rstrip())
        worst = max(worst, 0 if code == "AA" else 1)
    return worst


def cmd_import(args: argparse.Namespace) -> int:
    from datetime import datetime
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from hms.importer.run import run_import, summary, write_report

    settings = load_settings()
    engine = make_engine(settings.hms_database_url)
    upgrade(engine)
    paths = [Path(p) for p in args.files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"hms import: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    reports = run_import(
        engine,
        paths,
        settings.options,
        ZoneInfo(settings.hospital_tz),
        commit=args.commit,
        strict=args.strict,
        kind=args.kind,
    )
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    report = args.report or settings.var_dir / "import" / f"report-{stamp}.json"
    write_report(reports, Path(report))
    print(summary(reports))
    mode = "committed" if args.commit else "dry run, nothing written"
    print(f"hms import: {mode} in {time.perf_counter() - started:.2f}s; report: {report}")
    failed = [r for r in reports if r.error or (args.commit and not r.committed)]
    return 1 if failed else 0


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
    adt = sub.add_parser("adt-listen", help="run the HL7 v2 ADT listener (MLLP over TCP)")
    adt.add_argument("--host", default=None, help="override ADT_HOST")
    adt.add_argument("--port", type=int, default=None, help="override ADT_PORT (2575)")
    adt.add_argument("--migrate", action="store_true", help="migrate the database first")
    adt.add_argument(
        "--wait", type=float, default=120.0, help="seconds to wait for a migrated database"
    )
    adt.set_defaults(func=cmd_adt_listen)
    send = sub.add_parser("adt-send", help="send HL7 v2 message files to the ADT listener")
    send.add_argument("--host", default=None, help="default ADT_HOST")
    send.add_argument("--port", type=int, default=None, help="default ADT_PORT")
    send.add_argument("files", nargs="+", help="one message per file")
    send.set_defaults(func=cmd_adt_send)
    imp = sub.add_parser(
        "import", help="reconcile legacy CSV exports / FHIR bundles with the HMS (docs/import.md)"
    )
    mode = imp.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="report only; change nothing")
    mode.add_argument("--commit", action="store_true", help="write each file's valid rows")
    imp.add_argument("--strict", action="store_true", help="commit no file with a rejected row")
    imp.add_argument(
        "--kind",
        choices=("beds", "staff", "patients", "appointments"),
        help="what the CSV files hold (default: told from each header)",
    )
    imp.add_argument("--report", help="report file (default: $VAR_DIR/import/report-*.json)")
    imp.add_argument("files", nargs="+", help="CSV exports and FHIR bundle .json files")
    imp.set_defaults(func=cmd_import)
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
