"""A small Calico cluster whose every name and label is hostile, and whose migration changes flows.

A files source is not validated by an API server, so namespace, pod and policy names can carry
markup (`<script>`, `<img onerror>`), quotes, `&` and text that looks like an entity, Rich
markup (`[bold]`), control and bidi characters, shell syntax and very long words. Every script
here sets a `window.__pwned*` flag, so a browser test can tell whether any ran.

The policies make the matrix hold allowed and denied flows and the Calico -> Dataplane V2 model
diff hold changes: the store namespace allows its web clients by ipBlock on their pod IPs, which
Calico matches against pods and Dataplane V2 does not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from netpol_tui.model.snapshot import Snapshot
from tests.checks.helpers import cluster, lst, namespace, node, pod, policy, snapshot

#: Would run a script, load something or close an element if it reached the page as markup.
SCRIPT = "<script>window.__pwned=1</script>"
IMAGE = '<img src=x onerror="window.__pwned=2">'
CLOSE = '</td></tr></table><script>window.__pwned=3</script>'
ENTITY = "&lt;b&gt; &amp; AT&T"
QUOTES = "\"dq\" 'sq' `bt`"
RICH = "[bold red]rich[/bold red] [link=https://evil.example]x[/link]"
CONTROL = "ctl\x1b[31mred\x1b[0m\x07bell\u202eevil\u200bzw"
SHELL = "$(touch pwned); `touch pwned` && rm -rf ~ #"
LONG = "long-" + "x" * 400

#: Namespaces (the web clients', the store's, and a bystander that nothing isolates).
WEB_NS = f"web {SCRIPT} {QUOTES}"
STORE_NS = f"store {ENTITY} {RICH}"
OTHER_NS = f"{LONG} {CONTROL}"
#: Pods: (namespace, name, IP, app label).
PODS = (
    (WEB_NS, f"frontend {IMAGE}", "10.64.0.11", f"front {CLOSE}"),
    (WEB_NS, f"frontend-2 {SHELL}", "10.64.0.12", f"front2 {QUOTES}"),
    (STORE_NS, f"db {CLOSE} {RICH}", "10.64.1.21", f"db {SCRIPT}"),
    (STORE_NS, f"cache {CONTROL}", "10.64.1.22", f"cache {ENTITY}"),
    (OTHER_NS, f"batch {LONG}", "10.64.2.31", f"batch {IMAGE}"),
)
STRINGS = (SCRIPT, IMAGE, CLOSE, ENTITY, QUOTES, RICH, CONTROL, SHELL, LONG)


def documents() -> list[dict[str, Any]]:
    """The cluster as `gcloud ... describe` and `kubectl get -o json` documents (Calico enforced)."""
    pods = [pod(name, ns, labels={"app": app}, ip=ip, node_name="node-a",
                ports=[{"containerPort": 8080, "name": "http"}]) for ns, name, ip, app in PODS]
    policies = [
        policy(f"deny {SCRIPT}", STORE_NS, {"podSelector": {}, "policyTypes": ["Ingress"]}),
        # The web pods by their IPs: allowed under Calico, not under Dataplane V2 (pod traffic).
        policy(f"allow-web-by-ip {IMAGE}", STORE_NS, {
            "podSelector": {"matchLabels": {"app": f"db {SCRIPT}"}}, "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"ipBlock": {"cidr": f"{ip}/32"}} for ns, _, ip, _ in PODS if ns == WEB_NS],
                         "ports": [{"port": 8080, "protocol": "TCP"}]}]}),
        # The bystander by namespace label: allowed under both models.
        policy(f"allow-other {QUOTES}", STORE_NS, {
            "podSelector": {"matchLabels": {"app": f"cache {ENTITY}"}}, "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": f"t {RICH}"}}}]}]}),
    ]
    return [cluster(f"prod {SCRIPT}", calico=True),
            lst("Node", [node("node-a")]),
            lst("Namespace", [namespace(WEB_NS), namespace(STORE_NS), namespace(OTHER_NS, {"team": f"t {RICH}"})]),
            lst("Pod", pods),
            lst("NetworkPolicy", policies)]


def hostile_snapshot() -> Snapshot:
    return snapshot(*documents())


def write_files(folder: Path) -> Path:
    """The documents as JSON files in `folder` (for `--files folder`); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, document in enumerate(documents()):
        (folder / f"{index}.json").write_text(json.dumps(document), encoding="utf-8")
    return folder
