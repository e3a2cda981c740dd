"""`enableDefaultDeny: false` (a Cilium 1.16 field) keeps a Cilium policy from isolating the pods
it selects; older Dataplane V2 agents ignore it, and netpol-tui cannot see the agent's version,
so a verdict that is allowed only because of the field says so (with the command to check)."""

from __future__ import annotations

from tests.policy.builders import policy
from tests.policy.test_gke_kinds import ask, ccnp, engine

BATCH = {"matchLabels": {"k8s:io.kubernetes.pod.namespace": "batch"}}
DENY = [{"toCIDR": ["198.51.100.0/24"]}]


def _notes(verdict) -> list[str]:
    return [note for note in verdict.notes if "enableDefaultDeny" in note]


def test_allowed_only_because_of_the_field_says_so():
    eng = engine(cilium_policies=[ccnp("lockdown", endpointSelector=BATCH, enableDefaultDeny={"egress": False},
                                       egressDeny=DENY)])
    verdict = ask(eng, "batch/job-0", "ops/mon-0", 8080)
    assert verdict.allowed is True and verdict.egress.isolated is False
    [note] = _notes(verdict)
    assert note.startswith("CCNP lockdown sets enableDefaultDeny.egress: false, so it does not isolate the egress "
                           "of batch/job-0; Cilium honours that field from 1.16 on")
    assert "`kubectl -n kube-system get daemonset anetd -o 'jsonpath={..image}'`" in note
    assert not _notes(ask(eng, "ops/mon-0", "batch/job-0", 8080))  # ingress: no ingress rules, nothing to relax
    assert ask(eng, "batch/job-0", "198.51.100.7", 443).allowed is False  # the deny itself applies on every version


def test_without_the_field_the_policy_isolates_and_no_note():
    eng = engine(cilium_policies=[ccnp("lockdown", endpointSelector=BATCH, egressDeny=DENY)])
    verdict = ask(eng, "batch/job-0", "ops/mon-0", 8080)
    assert verdict.allowed is False and not _notes(verdict)


def test_no_note_when_another_policy_isolates_anyway():
    isolate = policy("egress-all", "batch", egress=[{}], policyTypes=["Egress"])
    eng = engine(policies=[isolate], cilium_policies=[
        ccnp("lockdown", endpointSelector=BATCH, enableDefaultDeny={"egress": False}, egressDeny=DENY)])
    verdict = ask(eng, "batch/job-0", "ops/mon-0", 8080)
    assert verdict.allowed is True and verdict.egress.isolated is True and not _notes(verdict)
