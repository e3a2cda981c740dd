"""`y`: a model object as YAML, read-only and selectable; `c` copies it."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from netpol_tui.dialogs.base import Dialog
from netpol_tui.messages import CopyCommand
from netpol_tui.text import clean

MAX_YAML_CHARS = 400_000


def _plain(value: Any) -> Any:
    """dataclasses.asdict-like, dropping empty fields and where the object was read from."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for item in dataclasses.fields(value):
            if item.name == "origin":
                continue
            plain = _plain(getattr(value, item.name))
            if plain not in (None, "", (), [], {}):
                out[item.name] = plain
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def to_yaml(obj: Any) -> str:
    """Kubernetes-shaped YAML when the model's serializer exists, else the dataclass fields."""
    data: Any
    try:
        from netpol_tui.model.serialize import to_k8s_dict  # written by the live-sources work

        data = to_k8s_dict(obj)
    except (ImportError, TypeError, ValueError, KeyError, AttributeError):
        data = _plain(obj)
    if hasattr(data, "to_dict") and not isinstance(data, dict):
        data = data.to_dict()
    import yaml

    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    if len(text) > MAX_YAML_CHARS:
        text = text[:MAX_YAML_CHARS] + "\n# ... truncated\n"
    return clean(text)


class YamlDialog(Dialog):
    BINDINGS = [Binding("c", "copy", "Copy YAML")]

    def __init__(self, title: str, obj: Any) -> None:
        super().__init__()
        self.title_text = clean(title, 150, single_line=True)
        self.yaml_text = to_yaml(obj) if not isinstance(obj, str) else clean(obj)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-frame"):
            yield Static(f"YAML: {self.title_text}", classes="dialog-title", markup=False)
            yield TextArea(self.yaml_text, read_only=True, show_line_numbers=True, id="yaml-text")
            yield Static("c copy (the selection, or all) · Esc close", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_copy(self) -> None:
        area = self.query_one(TextArea)
        text = area.selected_text or self.yaml_text
        self.post_message(CopyCommand(text, "YAML" if not area.selected_text else "selection"))
