"""`netpol-tui help checks ID` (and `checks --show ID`): one check explained in full.

The description is the check function's docstring (the catalog's `doc`); the GKE facts it
rests on and the fix it proposes are kept here, next to each other, with the section of the
team's GKE facts they restate. The fix templates use CAPITALISED placeholders for the values a
finding fills in from the snapshot; tests compare them with the commands the checks really
emit on their fixtures, so the help cannot drift from what `check` prints.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from netpol_tui.checks.registry import CATALOG

WIDTH = 88
GCLOUD_TAIL = "--location=LOC --project=PROJ"


@dataclass(frozen=True)
class CheckHelp:
    #: The GKE facts the check relies on, each ending with its section in brackets.
    facts: tuple[str, ...]
    #: What the fix does, in one sentence.
    fix: str
    #: The commands, with placeholders; "kubectl apply -f -" carries a manifest shown with the finding.
    commands: tuple[str, ...] = ()


ENABLE_ADDON = f"gcloud container clusters update CLUSTER --update-addons=NetworkPolicy=ENABLED {GCLOUD_TAIL}"
ENABLE_NODES = f"gcloud container clusters update CLUSTER --enable-network-policy {GCLOUD_TAIL}"
DISABLE_ADDON = f"gcloud container clusters update CLUSTER --update-addons=NetworkPolicy=DISABLED {GCLOUD_TAIL}"
VERIFY_NODES = "kubectl get nodes -l projectcalico.org/ds-ready=true"
UPGRADE_POOL = (f"gcloud container clusters upgrade CLUSTER --node-pool=POOL --cluster-version=MASTER_VERSION "
                f"{GCLOUD_TAIL}")
RESIZE_POOL = f"gcloud container clusters resize CLUSTER --node-pool=POOL --num-nodes=COUNT {GCLOUD_TAIL}"
APPLY = "kubectl apply -f -"

TWO_SWITCHES = ("Standard clusters on the legacy datapath enforce with Calico, which needs two switches: "
                "the control-plane addon (addonsConfig.networkPolicyConfig) and the node setting "
                "(networkPolicy.enabled) [1]")
RECREATION = ("Switching enforcement on or off recreates the node pools; only recreated nodes carry "
              "projectcalico.org/ds-ready=true, and calico-node runs only there [1, 3]")
IPBLOCK_CALICO = ("Calico matches pod traffic with ipBlock; to allow only non-pod traffic write "
                  "cidr 0.0.0.0/0 with the pod range in except [7]")
IPBLOCK_DPV2 = "Dataplane V2 never matches pod traffic with ipBlock, not even 0.0.0.0/0; use selectors [7]"
FQDN_REQUIREMENTS = ("FQDN network policies need GKE 1.26.4-gke.500 or later (1.26) or 1.27.1-gke.400 or later "
                     "(1.27), Dataplane V2, and the cluster setting enabled; otherwise they do nothing [13]")
DESCRIBE_DATAPATH = (f"gcloud container clusters describe CLUSTER '--format=value(networkConfig.datapathProvider)' "
                     f"{GCLOUD_TAIL}")
LIST_FQDN = "kubectl get fqdnnetworkpolicies.networking.gke.io -A"

CHECK_HELP: dict[str, CheckHelp] = {
    "GKE001": CheckHelp(
        (TWO_SWITCHES, "With both off the API server still accepts NetworkPolicy objects, and nothing enforces "
                       "them: every pod may talk to every pod [1]",
         "Enable in this order: the control-plane addon, then the nodes (which recreates them) [3]"),
        "Enable the addon, then enforcement on the nodes; watch the nodes get the Calico label.",
        (ENABLE_ADDON, ENABLE_NODES, VERIFY_NODES)),
    "GKE002": CheckHelp(
        (TWO_SWITCHES, "Enabling is addon then nodes; disabling is nodes, wait until no node carries the "
                       "Calico label, then the addon [3]"),
        "Finish the sequence under way: enable the nodes, or wait for recreation and then disable the addon.",
        (ENABLE_NODES, VERIFY_NODES, DISABLE_ADDON)),
    "GKE003": CheckHelp(
        (RECREATION, "With a maintenance window nodes are recreated in the next window; a node pool can be "
                     "upgraded by hand to the control plane's version at any time [2, 3]"),
        "Upgrade each pool still waiting to the control-plane version, then check the node labels.",
        (UPGRADE_POOL, VERIFY_NODES)),
    "GKE004": CheckHelp(
        (RECREATION, "Disabling the addon before the nodes fails: \"Network policy addon cannot be removed "
                     "until network policy has been disabled on the nodes\" [3]"),
        "Wait until the node query prints \"No resources found\", and only then disable the addon.",
        (VERIFY_NODES, DISABLE_ADDON)),
    "GKE005": CheckHelp(
        ("Machine types f1-micro and g1-small are not supported with network policy enforcement [2]",),
        "Move the workloads to a pool of a supported machine type (at least e2-medium) and delete the old pool.",
        (f"gcloud container node-pools create NEW_POOL --cluster=CLUSTER --machine-type=e2-medium --num-nodes=3 "
         f"{GCLOUD_TAIL}",
         f"gcloud container node-pools delete POOL --cluster=CLUSTER {GCLOUD_TAIL}")),
    "GKE006": CheckHelp(
        ("The recommended minimum with enforcement is 3 nodes of e2-medium [2]",
         "Enforcement adds about 128 MB of memory and 300 millicores of CPU on each node [2]"),
        "Grow the cluster to at least 3 nodes, or use a larger machine type.",
        (RESIZE_POOL,)),
    "GKE007": CheckHelp(
        ("Enforcement adds about 128 MB of memory and 300 millicores of CPU to kube-system on each node; an "
         "existing cluster may need to grow so scheduled workloads keep running [2]",),
        "Add nodes (or a larger machine type) before the nodes are recreated with enforcement.",
        (RESIZE_POOL,)),
    "GKE008": CheckHelp(
        ("With Workload Identity pods need egress to the GKE metadata server, or auto-upgrades can disrupt "
         "them [5]",
         "The endpoint: 169.254.169.252/32 TCP 988 on GKE 1.21.0-gke.1000 or later, 127.0.0.1/32 TCP 988 "
         "before it, 169.254.169.254/32 TCP 80 on Dataplane V2 [5]",
         "On Dataplane V2 the node may rewrite metadata traffic before policy runs: treated as uncertain [5]"),
        "Apply a NetworkPolicy for the namespace that allows exactly that egress.",
        (APPLY,)),
    "GKE009": CheckHelp(
        ("On Dataplane V2 with GKE 1.22 or later the endPort field has no effect: only port is open [2]",),
        "Replace the range by the ports it needs, one entry each (the manifest lists them).",
        (APPLY,)),
    "GKE010": CheckHelp(
        (IPBLOCK_CALICO, "Targeting pod IPs with ipBlock is undefined by the Kubernetes spec [7]"),
        "Add the cluster's pod range(s) to the block's except list.",
        (APPLY,)),
    "GKE011": CheckHelp(
        (IPBLOCK_DPV2, "Pod IPs are ephemeral; refer to workloads by labels [6, 7]"),
        "Replace the ipBlock over pod IPs by pod/namespace selectors.",
        (APPLY,)),
    "GKE012": CheckHelp(
        ("Moving from Calico to Dataplane V2: ipBlock must not name Pod or Service IPs, and a port entry "
         "with a protocol and no port is invalid [6]",),
        "Select those workloads by labels, and give every port entry a port.",
        (APPLY,)),
    "GKE013": CheckHelp(
        ("Pods behind a Service used by an Ingress need ingress from the health-check ranges "
         "130.211.0.0/22 and 35.191.0.0/16 [8]",
         "An internal Application Load Balancer also needs the VPC's proxy-only subnet [8]"),
        "Apply a policy allowing the health-check ranges on the serving port.",
        (APPLY,)),
    "GKE014": CheckHelp(
        ("Without container-native load balancing (cloud.google.com/neg) a node port may forward to pods on "
         "other nodes [8]",),
        "Set externalTrafficPolicy: Local on the Service, or allow the other nodes' IPs in the policy.",
        ("kubectl -n NAMESPACE patch service SERVICE -p '{\"spec\":{\"externalTrafficPolicy\":\"Local\"}}'",
         APPLY)),
    "GKE015": CheckHelp(
        ("A private (Private Service Connect) control plane has an internal IP from the node subnet; egress "
         "policies that block it cut pods off from the control plane [9]",),
        "Look up the private endpoint and allow egress to it on TCP 443.",
        ("gcloud container clusters describe CLUSTER '--format=value(privateClusterConfig.privateEndpoint)' "
         + GCLOUD_TAIL, APPLY)),
    "GKE016": CheckHelp(
        ("With a maintenance window or exclusion GKE may not recreate the nodes at once; upgrading a node pool "
         "to the control plane's version recreates it now [2, 3]",),
        "Upgrade each waiting pool by hand to the control-plane version.",
        (UPGRADE_POOL,)),
    "GKE017": CheckHelp(
        ("Network policy logging exists on Dataplane V2 only; the cluster-scoped NetworkLogging object named "
         "default (networking.gke.io/v1alpha1) sets spec.cluster.allow and spec.cluster.deny, each with log and "
         "delegate, both off by default [14]",
         "With delegate: true only namespaces (deny) or policies (allow) that opt in by annotation are logged; "
         "records go to Cloud Logging, log policy-action, resource type k8s_node [14]"),
        "Turn deny logging on for every namespace, keeping allow logging as it is (allow logging is costly).",
        ("kubectl get networklogging default -o yaml", APPLY)),
    "GKE018": CheckHelp(
        (FQDN_REQUIREMENTS, "Dataplane V2 is chosen when a cluster is created [1, 13]"),
        "Confirm the datapath; express the egress rules as NetworkPolicy ipBlock rules, or move the workloads to a "
        "Dataplane V2 cluster.",
        (DESCRIBE_DATAPATH, LIST_FQDN)),
    "GKE019": CheckHelp(
        (FQDN_REQUIREMENTS,),
        "Upgrade the control plane to the first version of its line with FQDN network policy.",
        (f"gcloud container clusters upgrade CLUSTER --master --cluster-version=VERSION {GCLOUD_TAIL}",)),
    "GKE020": CheckHelp(
        (FQDN_REQUIREMENTS, "The setting is networkConfig.enableFqdnNetworkPolicy; on an existing Standard "
                            "cluster the anetd DaemonSet is restarted after enabling it [13]"),
        "Enable FQDN network policy on the cluster, then restart anetd.",
        (f"gcloud container clusters update CLUSTER --enable-fqdn-network-policy {GCLOUD_TAIL}",
         "kubectl -n kube-system rollout restart daemonset anetd")),
    "GKE021": CheckHelp(
        ("A pod an FQDNNetworkPolicy selects is egress-isolated; the names it allows must resolve through "
         "kube-dns or Cloud DNS on UDP and TCP 53 [13]",),
        "Apply a NetworkPolicy allowing DNS egress for the pods the FQDN policies select.",
        (APPLY,)),
    "GKE022": CheckHelp(
        ("FQDN network policies support kube-dns or Cloud DNS only; custom kube-dns or CoreDNS deployments are "
         "not supported [13]",),
        "Point the pods back at GKE's kube-dns or Cloud DNS.",
        ("kubectl -n NAMESPACE get KIND NAME -o yaml", LIST_FQDN)),
    "GKE023": CheckHelp(
        ("A ClusterIP or headless Service cannot be an FQDN egress target: GKE translates the Service VIP to pod "
         "IPs before policy is evaluated; use a label-based NetworkPolicy [13]",),
        "Allow the Service's backend pods by label, then drop the in-cluster names from the FQDN policy.",
        (APPLY, "kubectl -n NAMESPACE get fqdnnetworkpolicies.networking.gke.io NAME -o yaml")),
    "GKE024": CheckHelp(
        ("One FQDNNetworkPolicy can resolve to at most 50 IPv4 and IPv6 addresses [13]",),
        "Split the policy into smaller ones (each has its own limit; any of them may allow the egress).",
        (APPLY,)),
    "GKE025": CheckHelp(
        ("GKE enforces CiliumClusterwideNetworkPolicy only on Dataplane V2; Calico ignores the cilium.io kinds "
         "[1] (GKE page on CCNP)",),
        "Confirm the datapath and rewrite the Cilium policies as NetworkPolicy.",
        (DESCRIBE_DATAPATH, "kubectl get KIND NAME -o yaml", "kubectl -n NAMESPACE get KIND NAME -o yaml")),
    "GKE026": CheckHelp(
        ("Cilium deny rules take precedence over every allow, NetworkPolicy included; rules of a CCNP "
         "override the namespaced ones (Cilium deny policies; GKE page on CCNP)",),
        "Narrow the deny rule if the allow is meant, or delete the allow that never applies.",
        ("kubectl get KIND NAME -o yaml", "kubectl -n NAMESPACE get KIND NAME -o yaml",
         "kubectl -n NAMESPACE get networkpolicy NAME -o yaml")),
    "KI001": CheckHelp(
        ("With Calico, connections to a terminating StatefulSet pod are cut while its grace period runs "
         "(Calico issue #4710) [10]",
         "Affected: all 1.18; 1.19 up to 1.19.16-gke.99; 1.20 up to 1.20.11-gke.1299; 1.21 up to "
         "1.21.4-gke.1499; fixed in 1.19.16-gke.100, 1.20.11-gke.1300, 1.21.4-gke.1500 [10]"),
        "Upgrade the control plane to the first fixed version of its minor (or later).",
        (f"gcloud container clusters upgrade CLUSTER --master --cluster-version=VERSION {GCLOUD_TAIL}",)),
    "KI002": CheckHelp(
        ("Pods stuck in ContainerCreating with \"ipAddrs is not compatible with configured IPAM: host-local\": "
         "the cni.projectcalico.org/ipAddrs annotation needs calico-ipam, GKE's Calico uses host-local [10]",),
        "Remove the annotation from the pod template of the owning workload.",
        ("kubectl -n NAMESPACE patch KIND NAME --type=json -p '[{\"op\":\"remove\",\"path\":"
         "\"/spec/template/metadata/annotations/cni.projectcalico.org~1ipAddrs\"}]'",)),
    "KI003": CheckHelp(
        ("Manually deployed ip-masq-agent or calico-node pods are unscheduled once enforcement is on for the "
         "control plane, until the nodes are recreated; labelling the nodes by hand shortens the gap [3]",),
        "Label exactly the nodes the DaemonSet is waiting for.",
        ("kubectl label nodes NODE LABEL=true",)),
    "NP001": CheckHelp(
        ("A policy's podSelector must match the pod's labels: compare kubectl describe pod with kubectl "
         "describe networkpolicy [4]",),
        "Fix the selector (the finding names near misses), after comparing the labels.",
        (APPLY, "kubectl -n NAMESPACE get pods --show-labels", "kubectl -n NAMESPACE describe networkpolicy NAME")),
    "NP002": CheckHelp(
        ("Rule peers select pods and namespaces by labels; a peer matching nothing allows nothing [4]",),
        "Compare the peer's selectors with the labels that exist.",
        ("kubectl get pods -A --show-labels", "kubectl get namespaces --show-labels")),
    "NP003": CheckHelp(
        ("By default every pod may talk to every pod: pods that no policy selects accept and send any "
         "traffic [1]",
         "kubectl get networkpolicy printing nothing for a namespace means nothing selects its pods [4]"),
        "Decide whether the namespace needs isolation; a default-deny policy is shown to start from.",
        ("kubectl -n NAMESPACE get networkpolicy", APPLY)),
    "NP004": CheckHelp(
        ("Egress-isolated pods need DNS: Cloud DNS answers at 169.254.169.254, NodeLocal DNSCache at "
         "169.254.20.10, else the kube-dns pods (k8s-app=kube-dns in kube-system), on UDP 53 and TCP 53 (checks spec, NP004)",),
        "Apply a policy allowing DNS egress to the resolver this cluster uses.",
        (APPLY,)),
    "NP005": CheckHelp(
        ("A named port resolves on each destination pod by its container port names; a name no pod "
         "declares opens nothing",),
        "Use a port name the pods declare (or a number).",
        (APPLY, "kubectl get pods -A -o 'jsonpath=JSONPATH'")),
    "NP006": CheckHelp(
        ("policyTypes decides which directions a policy isolates; an ingress or egress section it leaves out "
         "is ignored",),
        "Add the direction to policyTypes, or delete the section.",
        (APPLY,)),
}


def render_check_help(check_id: str) -> str | None:
    """The full text for one check (id or symbol, any case); None when no check has that name."""
    wanted = check_id.strip().lower()
    spec = next((s for s in CATALOG if wanted in (s.id.lower(), s.symbol.lower())), None)
    if spec is None:
        return None
    extra = CHECK_HELP.get(spec.id)
    out = [f"{spec.id} {spec.symbol} ({spec.severity.value}): {spec.title}", ""]
    for index, paragraph in enumerate(spec.doc.split("\n\n")):
        out += [""] * (index > 0) + [textwrap.fill(paragraph.replace("\n", " "), WIDTH)]
    if extra is not None:
        out += ["", "GKE facts it relies on ([n]: section of the project's GKE facts notes):"]
        out += [textwrap.fill(fact, WIDTH, initial_indent="  - ", subsequent_indent="    ") for fact in extra.facts]
        out += ["", "Fix it proposes:", textwrap.fill(extra.fix, WIDTH, initial_indent="  ", subsequent_indent="  ")]
        out += [f"    {command}" for command in extra.commands]
        out.append("  (A finding fills in the CAPITALISED values from the cluster; kubectl apply -f - comes with "
                   "its manifest.)")
    out += ["", f"Run it: netpol-tui check --select {spec.id}"]
    return "\n".join(out) + "\n"
