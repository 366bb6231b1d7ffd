"""Hostile-input strategies, the per-endpoint counter, and the shared assertions.

Imported by the ``test_hostile_*`` modules and by ``conftest.py`` (which prints the counts
at the end of the run); it is a plain module beside them (importlib import mode).
"""

from __future__ import annotations

import json
import string
from collections import Counter
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

# endpoint label -> number of hostile inputs sent to it in this run
COUNTS: Counter[str] = Counter()


def count(endpoint: str) -> None:
    COUNTS[endpoint] += 1


INJECTION = [
    "' OR 1=1--",
    "' OR '1'='1",
    "1; DROP TABLE patient;--",
    '" OR ""="',
    "x' UNION SELECT id, family, given FROM patient--",
    "%",
    "%%",
    "_",
    "\\",
    "\\%",
    "*",
    "%00",
    "\x00",
    "a\x00b",
    "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "/etc/passwd",
    "Patient/../Location/ward-4b",
    "Location/ward-4b/../../Patient",
    "http://evil.example/fhir/Location/x",
    "urn:hms:mrn|' OR 1=1--",
    "|",
    "||",
    ",",
    ",,,",
    "$where=1",
    '{"$ne": null}',
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "ge",
    "gt2026-13-45",
    "eq9999-99-99T99:99:99Z",
    "-1",
    "1e309",
    "NaN",
    "\u00b2",  # str.isdigit() is True, int() fails
    "\u0663\u0664",  # Arabic-Indic digits
    "\ufeff",
    "\u202e",
    "\ud7ff\ue000",
    "A" * 10_000,
    "x" * 30_000,  # request lines beyond ~64 KB never reach the app (httpx/uvicorn limits)
]

# the deterministic sweep over every declared search parameter (a cheaper subset)
SWEEP = [
    p
    for p in INJECTION
    if p
    not in {
        '"',
        "%%",
        "\\%",
        ",,,",
        "||",
        "ge",
        "NaN",
        "*",
        "\u0663\u0664",
        "\ud7ff\ue000",
        "x" * 30_000,
    }
]

# raw bytes that are not valid UTF-8, percent-encoded for the URL
BAD_UTF8 = [
    "%FF",
    "%FE%FF",
    "%C3%28",
    "%A0%A1",
    "%E2%28%A1",
    "%F0%28%8C%BC",
    "%ED%A0%80",
    "%C0%AF",
    "%80",
    "%00",
    "%FF%00%FE",
]

COUNT_VALUES = [
    "-1",
    "0",
    "1001",
    "99999999999999999999",
    "1.5",
    " 1",
    "1 ",
    "0x10",
    "\u00b2",
    "\u0663",
    "",
    " ",
    "abc",
    "1e3",
    "+1",
]


def url_encode(value: str) -> str:
    return quote(value, safe="", errors="surrogatepass")


hostile_text = st.one_of(
    st.sampled_from(INJECTION),
    st.text(max_size=60),
    st.text(alphabet=string.punctuation + "%_\\'\"|,", max_size=20),
    st.builds(lambda a, b: a + b, st.sampled_from(INJECTION), st.text(max_size=10)),
)
# values as they appear in a query string (already encoded), including invalid UTF-8
encoded_value = st.one_of(
    hostile_text.map(url_encode),
    st.lists(st.sampled_from(BAD_UTF8), min_size=1, max_size=4).map("".join),
    st.builds(lambda a, b: url_encode(a) + b, hostile_text, st.sampled_from(BAD_UTF8)),
)
param_name = st.one_of(
    st.sampled_from(
        [
            "_count",
            "_offset",
            "_sort",
            "_include",
            "_id",
            "_summary",
            "_format",
            "_elements",
            "_has",
            "_query",
            "_filter",
            "_revinclude",
            "_lastUpdated",
        ]
    ),
    st.text(alphabet=string.ascii_letters + "-._:$", min_size=1, max_size=20),
    hostile_text.filter(bool),
)

# JSON values of any shape (small)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def deep_json(depth: int, kind: str = "list") -> bytes:
    if kind == "list":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def deep_resource(resource_type: str, depth: int) -> bytes:
    return (
        f'{{"resourceType":"{resource_type}","extension":'.encode()
        + deep_json(depth, "dict")
        + b"}"
    )


BAD_BODIES: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("null", b"null"),
    ("array", b"[]"),
    ("string", b'"Task"'),
    ("number", b"1e999999"),
    ("truncated", b'{"resourceType": "Task"'),
    ("trailing", b'{"resourceType": "Task"} x'),
    ("single-quotes", b"{'resourceType': 'Task'}"),
    ("nan", b'{"resourceType": NaN}'),
    ("bad-utf8", b'{"resourceType": "\xff\xfe"}'),
    ("utf16", '{"resourceType": "Task"}'.encode("utf-16")),
    ("bom", b"\xef\xbb\xbf{}"),
    ("lone-surrogate", b'{"resourceType": "\\ud800"}'),
    ("nul", b'{"resourceType": "Task\x00"}'),
    ("deep-list-10k", deep_json(10_000)),
    ("deep-dict-10k", deep_json(10_000, "dict")),
    ("deep-list-100k", deep_json(100_000)),
    ("huge-string-2MB", b'{"resourceType": "Task", "description": "' + b"a" * 2_000_000 + b'"}'),
    ("huge-array-1.5MB", b"[" + b"1," * 750_000 + b"1]"),
    ("many-keys", json.dumps({f"k{i}": i for i in range(50_000)}).encode()),
    ("dup-keys", b'{"resourceType": "Task", "resourceType": "Patient"}'),
    ("big-int", b'{"resourceType": "Task", "priority": ' + b"9" * 5000 + b"}"),
]

CONTENT_TYPES = [
    "application/fhir+json",
    "application/json",
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/octet-stream",
    "",
    "application/json; charset=utf-16",
    "text/html",
    "image/png",
    "\u00ff/\u00fe",
]


def body_summary(body: bytes) -> str:
    """A short, reproducible description of a body for failure messages."""
    head = body[:80]
    return f"{len(body)} bytes: {head!r}{'...' if len(body) > 80 else ''}"


def assert_outcome_4xx(response: Any, what: str) -> None:
    """A 4xx FHIR OperationOutcome with a non-empty message (never a 5xx)."""
    assert 400 <= response.status_code < 500, (
        f"{what}: HTTP {response.status_code}: {response.text[:300]}"
    )
    assert_outcome(response, what)


def assert_outcome(response: Any, what: str) -> None:
    body = response.json()
    assert body.get("resourceType") == "OperationOutcome", f"{what}: {response.text[:300]}"
    diagnostics = body["issue"][0].get("diagnostics", "")
    assert diagnostics and diagnostics != "internal error", f"{what}: {response.text[:300]}"


def assert_clear_4xx(response: Any, what: str) -> None:
    """Gateway: a 4xx with a JSON ``detail``/``error``/``message`` the caller can read."""
    assert 400 <= response.status_code < 500, (
        f"{what}: HTTP {response.status_code}: {response.text[:300]}"
    )
    try:
        body = response.json()
    except ValueError:
        body = {"detail": response.text}
    message = (
        body.get("detail") or body.get("error") or body.get("message")
        if isinstance(body, dict)
        else body
    )
    assert message, f"{what}: no message in {response.text[:300]}"
