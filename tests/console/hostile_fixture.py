"""The console fixture cluster with hostile text in its string fields.

`semantic`: every free-text string (names, namespaces, label and annotation keys and values,
event messages, pool names, machine types, statuses, versions, operation names, images, ...)
gets a hostile suffix: Rich/Textual markup (`[bold]x[/]`, `[/oops]`, links, `@click` actions),
OSC 52, CSI and a bidi override. The suffix is chosen from the original text, so every
reference (a pod's node, a Service's selector, a pool's name in a node label and an operation's
target link) still points at the same object and the screens fill as for the plain cluster.
Only fields whose value the model must parse exactly (kinds, timestamps, addresses, protocols,
enumerations) keep their value: those are what `everything` is for, where every string value
is hostile and the sources report what they could not read (their messages quote the values).
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

from netpol_tui.text import clean
from tests.console import cluster_fixture

OSC52 = "\x1b]52;c;ZXZpbA==\x07"
CSI_CLEAR = "\x1b[2J"
RLO = "\u202e"
PAYLOADS = ("[bold]x[/]", "[/oops]", "[link=http://e]y[/link]", "[@click=app.quit]z[/]",
            f"{OSC52}[/]", f"{CSI_CLEAR}[red]", f"{RLO}[i]")
#: What each payload must look like on screen: the markup literally, the sequences gone.
SHOWN = tuple(clean(payload) for payload in PAYLOADS)
#: The pool of the issue report: its name crashed the console, its status went into a caption.
HOSTILE_POOL = "hp[/oops]"
#: Controls that must never reach the screen (or the terminal).
FORBIDDEN = ("\x1b", "\x07", "\x9b", RLO)
#: The body of the OSC 52 payload without its introducer: a sequence stripped only in part.
HALF_REMOVED = re.compile(r"(?<!\\x1b)(?<!\\e)\]52;")

#: String values the model parses exactly (kept in `semantic`).
EXACT_KEYS = frozenset({
    "apiVersion", "kind", "creationTimestamp", "lastTimestamp", "firstTimestamp", "eventTime", "startTime",
    "endTime", "podIP", "ip", "hostIP", "address", "cidr", "except", "protocol", "policyTypes", "phase", "type",
    "operator", "datapathProvider", "provider", "mode", "operationType", "intValue", "duration", "clusterIP",
    "clusterIpv4CidrBlock", "servicesIpv4CidrBlock", "reason", "cpu", "memory", "pods",
})
#: Label keys whose values the checks read exactly (the value still must be "true" etc.).
EXACT_VALUES = frozenset({"true", "false", "True", "False", "calico-node", "kube-dns", "cilium", "Reconcile",
                          "RUNNING"})
LABEL_MAPS = frozenset({"labels", "annotations", "matchLabels", "nodeSelector", "selector"})
LINK_PARTS = frozenset({"projects", "locations", "zones", "clusters", "nodePools"})


def hostile(text: str) -> str:
    """`text` plus one payload, the same one every time for the same text."""
    return text + PAYLOADS[zlib.crc32(text.encode()) % len(PAYLOADS)]


def _link(url: str) -> str:
    """A selfLink/targetLink with its project, location, cluster and pool names made hostile."""
    parts = url.split("/")
    return "/".join(hostile(part) if index and parts[index - 1] in LINK_PARTS else part
                    for index, part in enumerate(parts))


def _semantic(value: Any, key: str = "", parent: str = "") -> Any:
    if isinstance(value, dict):
        if key in LABEL_MAPS and all(isinstance(item, str) for item in value.values()):
            return {(k if "/" in k or k == "k8s-app" else hostile(k)): _semantic(v, k, key) for k, v in value.items()}
        return {k: _semantic(v, k, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_semantic(item, key, parent) for item in value]
    if not isinstance(value, str):
        return value
    if key.endswith("Link"):
        return _link(value)
    if key in EXACT_KEYS or parent in ("conditions", "metrics") or value in EXACT_VALUES:
        return value
    if key == "status" and value in ("True", "False", "Unknown"):
        return value
    if key in ("port", "targetPort") and value.isdigit():
        return value
    return hostile(value)


def _everything(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _everything(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_everything(item) for item in value]
    return hostile(value) if isinstance(value, str) else value


def semantic_documents() -> dict[str, Any]:
    documents = _semantic(cluster_fixture.calico_documents())
    cluster = documents["cluster.json"]
    pool = dict(cluster["nodePools"][0], name=HOSTILE_POOL, status="RECONCILING[/]")
    cluster["nodePools"].append(pool)
    return documents


def everything_documents() -> dict[str, Any]:
    return _everything(cluster_fixture.calico_documents())


def write(directory: Path, variant: str = "semantic") -> Path:
    documents = semantic_documents() if variant == "semantic" else everything_documents()
    return cluster_fixture.write("calico", directory, extra=documents)
