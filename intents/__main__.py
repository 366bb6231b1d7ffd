"""``python -m intents generate [--check]`` | ``python -m intents validate``."""

from __future__ import annotations

import sys

USAGE = "usage: python -m intents {generate [--check] | validate} [options]"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("generate", "validate"):
        print(USAGE, file=sys.stderr)
        return 2
    if args[0] == "generate":
        from intents.generate import main as generate

        return generate(args[1:])
    from intents.validate import main as validate

    return validate(args[1:])


if __name__ == "__main__":
    sys.exit(main())
