"""The speech model takes every staff name the HMS serves; unsayable ones are left out."""

import dataclasses
from pathlib import Path

from assistant.channels.kiosk.speech.build import build
from assistant.channels.kiosk.speech.directory import Directory

ROOT = Path(__file__).resolve().parents[3]
DIRECTORY = ROOT / "tests" / "fixtures" / "audio" / "directory.json"
NLU = ROOT / "training_data" / "nlu"


def test_build_leaves_out_staff_names_without_a_pronunciation(tmp_path: Path) -> None:
    base = Directory.from_json(DIRECTORY)
    staff = (*base.clinicians, "Amara Nwosu", "Ife Adeyemi", "Dr Zqxv Wrtplk")
    result = build(tmp_path, dataclasses.replace(base, clinicians=staff), NLU.glob("*.yml"))
    assert result.skipped_names == ("Dr Zqxv Wrtplk",)
    words = {line.split()[0] for line in (tmp_path / "domain.dict").read_text().splitlines()}
    assert {"nwosu", "adeyemi", "amara"} <= words and "wrtplk" not in words
