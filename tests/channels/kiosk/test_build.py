import dataclasses
import subprocess
from pathlib import Path

import pytest

from assistant.channels.kiosk.speech.base import BuildError
from assistant.channels.kiosk.speech.build import build, nlu_examples
from assistant.channels.kiosk.speech.directory import Directory, WardEntry
from assistant.channels.kiosk.speech.lexicon import Lexicon
from assistant.channels.kiosk.speech.sphinx import PocketSphinxSTT
from tests.require import need_binaries

ROOT = Path(__file__).resolve().parents[3]
DIRECTORY = ROOT / "tests" / "fixtures" / "audio" / "directory.json"
NLU = ROOT / "training_data" / "nlu"


def _directory() -> Directory:
    return Directory.from_json(DIRECTORY)


def test_build_writes_lm_dictionary_and_manifest(tmp_path: Path) -> None:
    result = build(tmp_path, _directory(), NLU.glob("*.yml"))
    lm = (tmp_path / "domain.lm").read_text()
    words = {line.split()[0] for line in (tmp_path / "domain.dict").read_text().splitlines()}
    assert "\\data\\" in lm and "\\3-grams:" in lm
    assert {"porter", "bed", "forty", "paeds", "icu", "cardiology", "okoro"} <= words
    assert result.sentences > 500


def test_build_fails_when_a_directory_word_has_no_pronunciation(tmp_path: Path) -> None:
    directory = dataclasses.replace(
        _directory(), wards=(*_directory().wards, WardEntry("9C", "Zzyzxq Ward"))
    )
    with pytest.raises(BuildError, match="zzyzxq"):
        build(tmp_path, directory, NLU.glob("*.yml"))
    assert not (tmp_path / "domain.lm").exists()


def test_build_spells_out_capitalised_acronyms(tmp_path: Path) -> None:
    lexicon = Lexicon.load()
    lexicon.learn_acronyms("beds on HDU")
    assert lexicon.pronounce("hdu") == ["EY CH D IY Y UW"]
    assert lexicon.pronounce("qqx") is None


def test_nlu_examples_strip_entity_annotations(tmp_path: Path) -> None:
    (tmp_path / "x.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: a\n  examples: |\n    - beds on [4B](ward)\n'
        '    - porter for bed [6]{"entity": "bed"}\n- regex: mrn\n  examples: |\n'
        "    - \\d{8}\n"
    )
    assert list(nlu_examples([tmp_path / "x.yml"])) == ["beds on 4B", "porter for bed 6"]


def test_new_ward_is_recognised_after_rebuild(tmp_path: Path) -> None:
    need_binaries("espeak-ng", "sox")
    directory = dataclasses.replace(
        _directory(),
        wards=(*_directory().wards, WardEntry("9C", "Riverside Ward", ("riverside",))),
    )
    build(tmp_path / "speech", directory, NLU.glob("*.yml"))
    raw, audio = tmp_path / "raw.wav", tmp_path / "audio.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "en-us",
            "-s",
            "150",
            "-w",
            str(raw),
            "any free beds on riverside ward",
        ],
        check=True,
    )
    subprocess.run(
        ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(audio), "pad", "0.3", "0.3"],
        check=True,
    )
    heard = PocketSphinxSTT(tmp_path / "speech").transcribe(audio.read_bytes())
    assert "riverside" in heard.text
