"""Bundled demo clusters: kubectl/gcloud-shaped files read by the files source (`--demo NAME`).

Each folder holds what a user would dump from a real cluster: `cluster.json` (`gcloud container
clusters describe --format=json`), `operations.json` (`gcloud container operations list
--format=json`), `namespaces.yaml`, `nodes.json`, `pods.json`, `workloads.yaml`
(Deployments/StatefulSets/DaemonSets/Jobs), `networkpolicies.yaml`, `services.yaml`,
`ingresses.yaml` and `events.json` (`kubectl get ... -A -o json|yaml`), plus the
`manifest.json` that `netpol-tui snapshot save` writes: its capture time (calico 2021-10-14
10:43 UTC, mid-recreation; dataplane-v2 2024-11-18 15:14 UTC) is the "now" of ages, the
recreation ETA and the next maintenance window, so they read as they did then. The files are written
by `tools/make_demo.py`; edit that script, not the files, and keep this table in sync (a test
compares the table below with `PLANTED`).

Every problem is planted on purpose, and the table lists **every** finding that
`netpol-tui check --demo NAME` must report: a finding not listed is a false positive, a row
without a finding a miss. Subjects follow checks-spec "Subjects" (`-` = no namespace). The
healthy namespaces contain running pods and policies and must produce no finding of any check.

calico (default): Standard cluster `shop-prod` (project acme-shop-prod, europe-west1), legacy
datapath, addon on and `networkPolicy.enabled: true` (CALICO), control plane 1.21.3-gke.2000
(KI001 range; >= 1.21.0-gke.1000, so the metadata server is 169.254.169.252:988), pod range
10.8.0.0/14, Service range 10.12.0.0/20, Workload Identity on, DNS by kube-dns pods.
Pool highmem-pool is mid-recreation: 2 of 4 nodes labelled, one unlabelled node cordoned,
UPGRADE_NODES RUNNING (NODES_DONE 2 of NODES_TOTAL 4), weekend maintenance window set.

| check  | kind          | namespace  | name                        | planted problem                                      |
|--------|---------------|------------|-----------------------------|------------------------------------------------------|
| KI001  | Cluster       | -          | shop-prod                   | 1.21.3-gke.2000 + Calico + StatefulSet pods (data/postgres, data/redis, monitoring/prometheus, payments/payments-gateway) |
| GKE003 | NodePool      | -          | highmem-pool                | 2 of 4 nodes without projectcalico.org/ds-ready=true, one cordoned |
| GKE016 | Cluster       | -          | shop-prod                   | recreation pending while a maintenance window is set |
| GKE008 | Namespace     | payments   | payments                    | egress default-deny allows DNS, forgets 169.254.169.252/32 TCP 988 |
| KI002  | StatefulSet   | payments   | payments-gateway            | pod payments-gateway-0 stuck ContainerCreating: FailedCreatePodSandBox IPAM event + cni.projectcalico.org/ipAddrs |
| NP001  | NetworkPolicy | shop       | allow-store-from-web        | podSelector app: stor, the pods say app: store       |
| GKE013 | Service       | frontend   | storefront                  | Ingress + NEG backend; pods ingress-isolated, 130.211.0.0/22 and 35.191.0.0/16 not allowed on 8080 |
| GKE010 | NetworkPolicy | monitoring | prometheus-egress           | egress ipBlock 10.0.0.0/8 covers the pod range, no except |
| GKE012 | NetworkPolicy | data       | allow-reporting-to-postgres | ipBlock 10.8.10.4/32 = pod batch/report-generator (info: migration blocker) |

calico healthy namespaces: orders, catalog, batch

dataplane-v2: Autopilot cluster `web-autopilot` (project acme-web-prod, us-central1),
ADVANCED_DATAPATH, 1.30.5-gke.1014001, addon reads disabled and networkPolicy is absent (normal
on Autopilot), pod range 10.52.0.0/14, Service range 34.118.224.0/20, Workload Identity on.
DNS is Cloud DNS (`networkConfig.dnsConfig.clusterDns: CLOUD_DNS`): pods resolve through
169.254.169.254 UDP/TCP 53, so healthy namespaces allow that (there are no kube-dns pods).
The Dataplane V2 metadata endpoint is 169.254.169.254/32 TCP 80. No recreation is pending and
no operation is running, so the daily maintenance window alone gives no GKE016.

| check  | kind          | namespace  | name                        | planted problem                                      |
|--------|---------------|------------|-----------------------------|------------------------------------------------------|
| GKE009 | NetworkPolicy | media      | allow-rtp                   | UDP port 10000 endPort 10100: only 10000 is open on Dataplane V2 >= 1.22 |
| GKE011 | NetworkPolicy | api        | allow-internal              | ingress ipBlock 10.0.0.0/8 meant to admit pods; Dataplane V2 never matches pods by ipBlock |
| GKE008 | Namespace     | billing    | billing                     | egress allows 169.254.169.252/32 TCP 988 (Calico-era rule), not 169.254.169.254/32 TCP 80 |
| GKE021 | Namespace     | api        | api                         | FQDNNetworkPolicy api/allow-payments-api (api.stripe.com TCP 443) isolates the api pods' egress; nothing allows them DNS (169.254.169.254 UDP/TCP 53) |
| GKE026 | NetworkPolicy | billing    | allow-metadata-server       | CCNP deny-link-local egressDeny 169.254.0.0/16 except 169.254.169.254/32 denies all its 169.254.169.252/32 TCP 988 allows |

dataplane-v2 healthy namespaces: web, jobs

dataplane-v2 also holds the other kinds GKE Dataplane V2 enforces (`fqdnnetworkpolicies.json`,
`ciliumpolicies.json`, as `snapshot save` names them), with FQDN network policy enabled on the
cluster (`networkConfig.enableFqdnNetworkPolicy: true`, so no GKE020): the FQDNNetworkPolicy
api/allow-payments-api and the CiliumClusterwideNetworkPolicy deny-link-local, whose
`enableDefaultDeny: {egress: false, ingress: false}` keeps it a pure deny that isolates no pod
(Cloud DNS and the metadata server at 169.254.169.254 stay reachable: the `except`). That field
is Cilium 1.16's, so the demo's anetd DaemonSet runs a 1.16-based image (older agents ignore
the field and would isolate every pod; `explain` notes it where a verdict depends on it).

Flow records (`flows/NAME/`, beside the demo folders: the files source would read them as
objects): dataplane-v2 ships `networklogging.json` (deny and allow logging on) and, in
`flows/dataplane-v2/`, the policy-action log of the incident "storefront cannot reach api" as
`gcloud logging read --format=json` prints it plus `hubble observe -o json` lines, with one
disagreement of each diagnosis kind (see `tools/make_demo.py`, `dpv2_policy_action_log`).
`netpol-tui flows --demo dataplane-v2` and the console's Flows screen read them when no
`--flows` is given. calico ships none: the legacy datapath writes no policy logs and has no Hubble.

Notes for check authors: GKE010 is the Calico model and must not fire on Dataplane V2 (the
10.0.0.0/8 block in api is GKE011 only; it lies inside neither range, so no GKE012). web/storefront
is Ingress + NEG backed and does allow both health-check ranges on its serving port, so it is
the negative case of GKE013. orders/allow-worker-internet (calico) is the documented
`0.0.0.0/0` with the pod range in `except` pattern: no GKE010, no GKE012. kube-system DaemonSets
(calico-node, ip-masq-agent, gke-metadata-server, anetd, ...) carry
`addonmanager.kubernetes.io/mode`, so KI003 never fires; no node has less than 300m CPU /
128 MiB of headroom, so GKE007 never fires.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The one list of demo names (`--demo NAME`, completion, the demo source), with what each shows.
#: Here rather than in sources/demo.py: option parsing reads it without loading the files source.
DEMOS = {
    "calico": "Standard cluster with Calico enforcement, mid node recreation, with planted problems",
    "dataplane-v2": "Autopilot (GKE Dataplane V2) cluster with Dataplane V2 pitfalls",
}
DEFAULT_DEMO = "calico"


@dataclass(frozen=True, slots=True)
class Planted:
    """One finding a demo must produce: check id and subject (checks-spec "Subjects")."""

    check: str
    kind: str
    namespace: str | None
    name: str


#: Every finding each demo must produce, in the order of the tables above.
PLANTED: dict[str, tuple[Planted, ...]] = {
    "calico": (
        Planted("KI001", "Cluster", None, "shop-prod"),
        Planted("GKE003", "NodePool", None, "highmem-pool"),
        Planted("GKE016", "Cluster", None, "shop-prod"),
        Planted("GKE008", "Namespace", "payments", "payments"),
        Planted("KI002", "StatefulSet", "payments", "payments-gateway"),
        Planted("NP001", "NetworkPolicy", "shop", "allow-store-from-web"),
        Planted("GKE013", "Service", "frontend", "storefront"),
        Planted("GKE010", "NetworkPolicy", "monitoring", "prometheus-egress"),
        Planted("GKE012", "NetworkPolicy", "data", "allow-reporting-to-postgres"),
    ),
    "dataplane-v2": (
        Planted("GKE009", "NetworkPolicy", "media", "allow-rtp"),
        Planted("GKE011", "NetworkPolicy", "api", "allow-internal"),
        Planted("GKE008", "Namespace", "billing", "billing"),
        Planted("GKE021", "Namespace", "api", "api"),
        Planted("GKE026", "NetworkPolicy", "billing", "allow-metadata-server"),
    ),
}

#: Namespaces with running pods and policies that must produce no finding of any check.
HEALTHY_NAMESPACES: dict[str, tuple[str, ...]] = {
    "calico": ("orders", "catalog", "batch"),
    "dataplane-v2": ("web", "jobs"),
}
