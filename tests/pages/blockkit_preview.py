"""A small HTML preview of a Slack Block Kit view (header, mrkdwn sections, buttons).

Slack's own client cannot run here; this renders what the App Home view holds so a
screenshot can be checked. It is a test aid, not a copy of Slack's styling.
"""

from __future__ import annotations

import html
import re
from typing import Any

_BOLD = re.compile(r"\*([^*\n]+)\*")
_ITALIC = re.compile(r"(?<![A-Za-z0-9])_([^_\n]+)_(?![A-Za-z0-9])")
_CODE = re.compile(r"`([^`\n]+)`")

CSS = """
body { font: 15px/1.46 system-ui, sans-serif; margin: 0; background: #f8f8f8; color: #1d1c1d; }
.app { max-width: 760px; margin: 0 auto; background: #fff; padding: 20px 24px; min-height: 100vh; }
.tab { color: #616061; border-bottom: 2px solid #1264a3; display: inline-block; padding-bottom: 4px;
       margin-bottom: 16px; font-weight: 700; }
h1 { font-size: 22px; margin: 4px 0 12px; }
.section { margin: 10px 0; white-space: pre-wrap; }
code { background: #f4ede4; color: #b0380c; padding: 1px 3px; border-radius: 3px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
.actions button { font: inherit; font-weight: 700; padding: 6px 14px; border: 1px solid #bbb;
                  border-radius: 4px; background: #fff; color: #1d1c1d; }
"""


def _mrkdwn(text: str) -> str:
    # Slack escapes &, <, > itself; undo that, then escape for HTML and apply the styles
    raw = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    out = html.escape(raw)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<b>\1</b>", out)
    return _ITALIC.sub(r"<i>\1</i>", out)


def render_view(view: dict[str, Any], title: str = "HMS Staff Assistant") -> str:
    parts = ['<div class="tab">Home</div>']
    for block in view.get("blocks", []):
        kind = block.get("type")
        if kind == "header":
            parts.append(f"<h1>{html.escape(block['text']['text'])}</h1>")
        elif kind == "section":
            parts.append(f'<div class="section">{_mrkdwn(block["text"]["text"])}</div>')
        elif kind == "actions":
            buttons = "".join(
                f'<button type="button" data-value="{html.escape(e.get("value", ""))}">'
                f"{html.escape(e['text']['text'])}</button>"
                for e in block.get("elements", [])
            )
            parts.append(f'<div class="actions">{buttons}</div>')
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f'</title><style>{CSS}</style></head><body><main class="app">{"".join(parts)}</main>'
        "</body></html>"
    )
