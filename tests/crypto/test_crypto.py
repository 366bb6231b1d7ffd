from __future__ import annotations

from dataclasses import dataclass

import pytest

from assistant.crypto import CryptoError, DataCipher, DecryptError, generate_key, key_id


@dataclass(frozen=True)
class FakeSettings:
    data_key: str = ""
    data_key_file: str | None = None


def test_cipher_round_trips_and_hides_plaintext():
    cipher = DataCipher([generate_key()])
    token = cipher.encrypt("patient John Smith MRN 10004821")
    assert "John" not in token and "10004821" not in token
    assert cipher.decrypt(token) == "patient John Smith MRN 10004821"


def test_cipher_decrypt_with_unknown_key_raises():
    token = DataCipher([generate_key()]).encrypt("x")
    with pytest.raises(DecryptError):
        DataCipher([generate_key()]).decrypt(token)


def test_cipher_decrypt_altered_token_raises():
    cipher = DataCipher([generate_key()])
    token = cipher.encrypt("hello")
    altered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(DecryptError):
        cipher.decrypt(altered)


def test_cipher_rotation_reencrypts_with_newest_key():
    old, new = generate_key(), generate_key()
    token = DataCipher([old]).encrypt("secret text")
    both = DataCipher([new, old])
    assert both.decrypt(token) == "secret text"
    assert both.key_id_of(token) == key_id(old)
    rotated = both.rotate(token)
    assert both.key_id_of(rotated) == key_id(new) == both.current_key_id
    assert DataCipher([new]).decrypt(rotated) == "secret text"
    with pytest.raises(DecryptError):
        DataCipher([old]).decrypt(rotated)


def test_cipher_from_settings_parses_comma_list_newest_first():
    old, new = generate_key(), generate_key()
    cipher = DataCipher.from_settings(FakeSettings(data_key=f" {new} , {old} "))
    assert cipher.key_ids == (key_id(new), key_id(old))


def test_cipher_from_settings_reads_key_file(tmp_path):
    new, old = generate_key(), generate_key()
    path = tmp_path / "data.keys"
    path.write_text(f"# newest first\n{new}\n{old}  # retired\n")
    cipher = DataCipher.from_settings(FakeSettings(data_key_file=str(path)))
    assert cipher.key_ids == (key_id(new), key_id(old))


def test_cipher_from_settings_missing_key_file_raises(tmp_path):
    with pytest.raises(CryptoError, match="not found"):
        DataCipher.from_settings(FakeSettings(data_key_file=str(tmp_path / "nope")))


def test_cipher_without_key_raises_clear_error():
    with pytest.raises(CryptoError, match="ASSISTANT_DATA_KEY"):
        DataCipher.from_settings(FakeSettings())


def test_cipher_invalid_key_raises():
    with pytest.raises(CryptoError):
        DataCipher(["not-a-fernet-key"])


def test_cipher_pseudonym_is_stable_and_keyed():
    key = generate_key()
    assert DataCipher([key]).pseudonym("n.jones") == DataCipher([key]).pseudonym("n.jones")
    assert DataCipher([key]).pseudonym("n.jones") != DataCipher([generate_key()]).pseudonym(
        "n.jones"
    )
    assert "jones" not in DataCipher([key]).pseudonym("n.jones")
