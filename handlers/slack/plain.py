"""Block Kit as plain text, for operators' previews in a terminal."""

from __future__ import annotations

from typing import Any


def _text(node: Any) -> str:
    text = str(node.get("text", "")) if isinstance(node, dict) else str(node or "")
    if isinstance(node, dict) and node.get("type") == "mrkdwn":  # typed text was escaped for Slack: show it as typed
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text


def blocks_as_text(blocks: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = _text(block.get("text"))
            lines += [title, "=" * len(title)]
        elif kind == "section":
            if block.get("text"):
                lines.append(_text(block["text"]))
            lines += [_text(f) for f in block.get("fields", [])]
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":
                lines.append(f"  [{_text(accessory.get('text'))}]")
        elif kind == "context":
            lines.append("  " + " ".join(_text(e) for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            lines.append("  " + " ".join(f"[{_text(e.get('text'))}]" for e in block.get("elements", [])))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
