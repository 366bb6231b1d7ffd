"""``python -m assistant kiosk demo-badges|build-speech``: the voice kiosk's operator commands."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("kiosk", help="voice kiosk: demo badges, speech model build")
    commands = parser.add_subparsers(dest="kiosk_command", required=True)
    badges = commands.add_parser(
        "demo-badges",
        help="enrol the demo staff's badges with random PINs and print them once (demo only)",
    )
    badges.add_argument("--staff", nargs="*", help="usernames (default: the HMS seed staff)")
    badges.add_argument(
        "--reissue", action="store_true", help="replace the PINs of badges already enrolled"
    )
    badges.set_defaults(func=run_demo_badges)
    build = commands.add_parser(
        "build-speech",
        help="generate the domain language model + dictionary from the NLU data and the HMS",
    )
    build.add_argument(
        "--directory", type=Path, help="directory JSON instead of reading the running HMS"
    )
    build.add_argument("--out", type=Path, help="output folder (default: $VAR_DIR/speech)")
    build.add_argument("--nlu", type=Path, default=None, help="NLU folder (training_data/nlu)")
    build.set_defaults(func=run_build_speech)


def run_demo_badges(args: argparse.Namespace) -> int:
    import time

    from assistant.channels.kiosk.badges import DEMO_STAFF, BadgeStore, demo_badge_id
    from assistant.config import get_settings
    from assistant.store import open_store

    store = open_store(get_settings())
    badges = BadgeStore(store.engine, time.time)
    staff = list(args.staff or DEMO_STAFF)
    existing = badges.enrolled(demo_badge_id(s) for s in staff)
    if existing and not args.reissue:
        print(
            f"{len(existing)} of these demo badges are already enrolled; their PINs were shown "
            "once when they were made. `--reissue` gives them new PINs.",
            file=sys.stderr,
        )
        return 1
    made = badges.enrol_demo(staff)
    print(f"{'staff':<12} {'badge':<8} pin")
    for badge in made:
        print(f"{badge.staff:<12} {badge.badge_id:<8} {badge.pin}")
    print("Note the PINs now: they are stored only as hashes and not shown again.", file=sys.stderr)
    return 0


def run_build_speech(args: argparse.Namespace) -> int:
    from assistant.channels.kiosk.options import KioskOptions
    from assistant.channels.kiosk.speech.base import BuildError
    from assistant.channels.kiosk.speech.build import build
    from assistant.channels.kiosk.speech.directory import Directory, directory_from_hms
    from assistant.channels.kiosk.speech.lexicon import EXTRA_DICT
    from assistant.config import ROOT, get_settings

    settings = get_settings()
    out = args.out or KioskOptions.from_settings(settings).speech_dir
    if args.directory:
        directory = Directory.from_json(args.directory)
    else:
        from assistant.hms.client import FhirHmsClient

        async def fetch() -> Directory:
            client = FhirHmsClient.from_settings(settings)
            try:
                return await directory_from_hms(client)
            finally:
                await client.aclose()

        try:
            directory = asyncio.run(fetch())
        except Exception as exc:
            print(
                f"cannot read the HMS directory ({type(exc).__name__}: {exc}); "
                "start the HMS or pass --directory",
                file=sys.stderr,
            )
            return 2
    nlu = args.nlu or ROOT / "training_data" / "nlu"
    try:
        result = build(out, directory, nlu.glob("*.yml"))
    except BuildError as exc:
        print(f"speech build failed: {exc}", file=sys.stderr)
        return 1
    (out / "directory.json").write_text(directory.to_json(), encoding="utf-8")
    print(
        f"speech model: {result.sentences} sentences, {result.words} words -> {out}"
        f" ({len(result.skipped_examples)} chat-only NLU examples left out)"
    )
    if result.skipped_names:
        print(
            f"{len(result.skipped_names)} staff name(s) left out (no pronunciation; add the"
            f" words to {EXTRA_DICT}): {', '.join(result.skipped_names)}"
        )
    return 0
