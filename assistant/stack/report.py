"""The "where everything is" table printed once the stack is up."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .launcher import Stack

DEMO_STAFF = (  # seeded by the reference HMS (hms/seed_data.py)
    ("n.jones", "nurse, Ward 4B"),
    ("dr.patel", "clinician"),
    ("s.ali", "scheduler"),
    ("p.kim", "porter"),
    ("h.lee", "help desk"),
    ("b.okoro", "bed manager"),
    ("c.sam", "housekeeping"),
    ("a.admin", "admin"),
)


def table(stack: Stack) -> str:
    urls = stack.urls
    rows = [
        ("gateway", urls["gateway"]),
        ("kiosk page", f"{urls['kiosk']}  (badges: python -m assistant kiosk demo-badges)"),
        ("REST endpoint", f"POST {urls['rest']}  (Authorization: Bearer <staff token>)"),
        ("HMS FHIR base", urls["fhir"]),
        ("ADT feed (HL7 v2)", f"{urls['adt']}  (python -m hms adt-listen)"),
        ("Rasa", f"{urls['rasa']}  (HTTP API needs ?token=$RASA_AUTH_TOKEN)"),
        ("action server", urls["actions"]),
        ("logs", str(stack.log_dir)),
        ("secrets", f"{stack.var_dir}/demo.env (mode 600)"),
        ("chat", "python -m assistant chat --as n.jones"),
        ("token", "python -m assistant token issue --staff n.jones"),
        ("demo staff", ", ".join(f"{name} ({what})" for name, what in DEMO_STAFF)),
    ]
    width = max(len(name) for name, _ in rows)
    lines = ["", "HMS Staff Assistant is running:", ""]
    lines += [f"  {name.ljust(width)}  {value}" for name, value in rows]
    lines += ["", "Press Ctrl-C to stop everything.", ""]
    return "\n".join(lines)
