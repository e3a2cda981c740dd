"""The user's defaults: `$XDG_CONFIG_HOME/netpol-tui/config.toml` (else `~/.config/netpol-tui/config.toml`).

The file only sets defaults: anything on the command line wins. Every mistake in it is an
error that names the file and the line, because a silently ignored setting (a check the user
believes ignored, a timeout not applied) is worse than a refusal to start.

    theme = "light"                 # console colours: dark or light
    dataplane = "calico"            # default --dataplane (explain and any command that takes it)
    timeout = 20                    # default --timeout, seconds per API request
    ignore = ["NP003", "GKE006"]    # default check --ignore

    [fleet.contexts]                # named context lists: check --contexts @prod
    prod = ["gke_acme_europe-west1_prod", "gke_acme_us-east1_prod"]
"""

from __future__ import annotations

import argparse
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netpol_tui.options import parser_actions

APP_DIR = "netpol-tui"
FILE_NAME = "config.toml"
THEMES = ("dark", "light")
KEYS = ("theme", "dataplane", "timeout", "ignore", "fleet")
FLEET_KEYS = ("contexts",)
LIST_PREFIX = "@"
_LINE_COL = re.compile(r"\(at line (\d+), column (\d+)\)")


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file and, where known, the line."""


@dataclass(frozen=True)
class Config:
    path: Path
    text: str = ""
    theme: str | None = None
    dataplane: str | None = None
    timeout: float | None = None
    ignore: tuple[str, ...] = ()
    context_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def line_of(self, key: str, table: str = "") -> int | None:
        return key_line(self.text, key, table)

    def error(self, key: str, message: str, table: str = "") -> ConfigError:
        line = self.line_of(key, table)
        where = f"{self.path}, line {line}" if line else str(self.path)
        return ConfigError(f"{where}: {message}")

    def as_toml(self) -> str:
        """The settings in effect, written back as TOML (for `config show`)."""
        out = []
        if self.theme is not None:
            out.append(f"theme = {_toml_string(self.theme)}")
        if self.dataplane is not None:
            out.append(f"dataplane = {_toml_string(self.dataplane)}")
        if self.timeout is not None:
            out.append(f"timeout = {self.timeout:g}")
        if self.ignore:
            out.append(f"ignore = [{', '.join(_toml_string(item) for item in self.ignore)}]")
        if self.context_lists:
            out += ["", "[fleet.contexts]"]
            for name, contexts in self.context_lists.items():
                out.append(f"{_toml_key(name)} = [{', '.join(_toml_string(item) for item in contexts)}]")
        return "\n".join(out) + "\n" if out else ""


def config_path(environ: dict[str, str] | None = None) -> Path:
    """Where the file is read from: XDG_CONFIG_HOME when set to an absolute path (as the spec says), else ~/.config."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / APP_DIR / FILE_NAME


def load_config(path: Path | None = None) -> Config:
    """The config at `path` (default: `config_path()`); an empty Config when there is no file."""
    path = config_path() if path is None else path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _LINE_COL.search(str(exc))
        message = _LINE_COL.sub("", str(exc)).strip()
        where = f"{path}, line {match.group(1)}, column {match.group(2)}" if match else str(path)
        raise ConfigError(f"{where}: not valid TOML: {message}") from None
    return _parse(Config(path, text), data)


def _parse(base: Config, data: dict[str, Any]) -> Config:
    for key in data:
        if key not in KEYS:
            raise base.error(key, f"unknown setting {key!r}; known: {', '.join(KEYS)}")
    theme = data.get("theme")
    if theme is not None and theme not in THEMES:
        raise base.error("theme", f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
    dataplane = data.get("dataplane")
    if dataplane is not None and not isinstance(dataplane, str):
        raise base.error("dataplane", "dataplane must be a string")
    timeout = data.get("timeout")
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not math.isfinite(timeout) \
                or timeout <= 0:
            raise base.error("timeout", f"timeout must be a positive number of seconds, not {timeout!r}")
        timeout = float(timeout)
    ignore = data.get("ignore", [])
    if isinstance(ignore, str):
        ignore = ignore.split(",")
    if not isinstance(ignore, list) or not all(isinstance(item, str) for item in ignore):
        raise base.error("ignore", "ignore must be a list of check ids, e.g. [\"NP003\"]")
    ignore = [item.strip() for item in ignore if item.strip()]
    if ignore:
        from netpol_tui.checks import SelectionError, select_checks  # the catalog loads only when needed

        try:
            select_checks(None, ignore)
        except SelectionError as exc:
            raise base.error("ignore", f"ignore: {exc}") from None
    return Config(base.path, base.text, theme, dataplane, timeout, tuple(ignore), _context_lists(base, data))


def _context_lists(base: Config, data: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    fleet = data.get("fleet", {})
    if not isinstance(fleet, dict):
        raise base.error("fleet", "fleet must be a table: [fleet.contexts]")
    for key in fleet:
        if key not in FLEET_KEYS:
            raise base.error(key, f"unknown fleet setting {key!r}; known: {', '.join(FLEET_KEYS)}", "fleet")
    lists = fleet.get("contexts", {})
    if not isinstance(lists, dict):
        raise base.error("contexts", "fleet.contexts must be a table of NAME = [\"context\", ...]", "fleet")
    out: dict[str, tuple[str, ...]] = {}
    for name, contexts in lists.items():
        if not isinstance(contexts, list) or not contexts or not all(isinstance(c, str) and c.strip()
                                                                    for c in contexts):
            raise base.error(name, f"context list {name!r} must be a non-empty list of context names",
                             "fleet.contexts")
        if any("," in c for c in contexts):
            raise base.error(name, f"context list {name!r}: a context name cannot hold a comma", "fleet.contexts")
        out[name] = tuple(c.strip() for c in contexts)
    return out


def apply_defaults(parser: argparse.ArgumentParser, config: Config) -> None:
    """Set the config's values as parser defaults, so a command-line option still wins.

    A value that an option does not accept (a dataplane not in its choices) is a ConfigError.
    """
    values = {"theme": config.theme, "dataplane": config.dataplane, "timeout": config.timeout}
    for owner, action in parser_actions(parser):
        value = values.get(action.dest)
        if value is None or action.default is argparse.SUPPRESS:
            continue
        if action.choices is not None and value not in action.choices:
            choices = ", ".join(map(str, action.choices))
            raise config.error(action.dest, f"{action.dest} must be one of {choices}, not {value!r}")
        owner.set_defaults(**{action.dest: value})


def apply_after_parse(args: argparse.Namespace, config: Config) -> str | None:
    """Defaults that cannot be parser defaults: `ignore` (an append option) and `@list` contexts.

    Returns a usage problem, or None.
    """
    if config.ignore and hasattr(args, "ignore") and args.ignore is None:
        args.ignore = [",".join(config.ignore)]
    contexts = getattr(args, "contexts", None)
    if isinstance(contexts, str) and LIST_PREFIX in contexts:
        names: list[str] = []
        for token in (part.strip() for part in contexts.split(",")):
            if token.startswith(LIST_PREFIX):
                listed = config.context_lists.get(token[1:])
                if listed is None:
                    known = ", ".join(LIST_PREFIX + name for name in config.context_lists) or "none"
                    return f"no context list {token[1:]!r} in {config.path} (lists: {known})"
                names.extend(listed)
            elif token:
                names.append(token)
        args.contexts = ",".join(dict.fromkeys(names))
    return None


def save_setting(key: str, value: str, path: Path | None = None) -> Path:
    """Set top-level `key = "value"` in the config file, keeping every other line as it is
    (comments included); creates the file and its directory when missing. Raises ConfigError."""
    path = config_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    line = f"{key} = {_toml_string(value)}"
    lines = text.splitlines()
    number = key_line(text, key)
    if number is not None:
        lines[number - 1] = line
    else:
        lines.insert(0, line)  # before any [table]: a top-level key
    updated = "\n".join(lines) + "\n"
    try:
        tomllib.loads(updated)
    except tomllib.TOMLDecodeError:
        raise ConfigError(f"{path}: not valid TOML; fix it first (the {key} was not saved)") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(updated, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path


def key_line(text: str, key: str, table: str = "") -> int | None:
    """The 1-based line where `key` is assigned inside `[table]` ("" for the top level), or None."""
    current = ""
    pattern = re.compile(rf"""^\s*(?:"{re.escape(key)}"|'{re.escape(key)}'|{re.escape(key)})\s*[=.]""")
    header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
    for number, line in enumerate(text.splitlines(), start=1):
        found = header.match(line)
        if found and not line.lstrip().startswith("[["):
            current = found.group(1).replace(" ", "")
            if current == (f"{table}.{key}" if table else key):
                return number
            continue
        if current == table and pattern.match(line):
            return number
    return None


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_key(value: str) -> str:
    return value if re.fullmatch(r"[A-Za-z0-9_-]+", value) else _toml_string(value)
