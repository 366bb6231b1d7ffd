"""Build the kiosk speech model: ``python scripts/build_speech.py [--directory FILE]``.

Same as ``python -m assistant kiosk build-speech``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["kiosk", "build-speech", *sys.argv[1:]]))
