"""Benchmark the NetworkPolicy verdict engine on a synthetic cluster; optionally compare with IBM's NCA.

    python benchmarks/bench_policy.py                      # 100,000 pods / 2,000 namespaces / 10,000 policies
    python benchmarks/bench_policy.py --pods 20000         # smaller run (namespaces, policies, nodes scale)
    python benchmarks/bench_policy.py --nca /tmp/nca/bin/nca   # also the 2,000-pod NCA comparison
    python benchmarks/bench_policy.py --gke-kinds          # Dataplane V2 + 1,000 CCNPs + 1,000 FQDN policies

Measures: loading the files, building the index, 10,000 random batch queries (resolve + evaluate +
JSON-ready dict, as `explain --batch` does), the medians of "policies selecting pod" and "pods
selected by policy" (cold caches and warm), and the process's peak RSS. Results are printed and
written into benchmarks/policy.md (the engine section and/or the NCA section, the other kept).

NCA (PyPI network-config-analyzer) is never a dependency of netpol-tui: install it in its own
venv (python3 -m venv /tmp/nca && /tmp/nca/bin/pip install network-config-analyzer).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import synthetic  # noqa: E402

from netpol_tui.commands.explain import evaluate_batch  # noqa: E402
from netpol_tui.policy import PolicyEngine  # noqa: E402
from netpol_tui.sources.files import load_files  # noqa: E402

REPORT = HERE / "policy.md"
ENGINE_MARK = ("<!-- engine:begin -->", "<!-- engine:end -->")
NCA_MARK = ("<!-- nca:begin -->", "<!-- nca:end -->")
GKE_MARK = ("<!-- gke-kinds:begin -->", "<!-- gke-kinds:end -->")
PORTS = (80, 443, 5432, 6379, 8080, 8443, 9090, 53)
EXTERNAL = ("203.0.113.7", "198.51.100.20", "8.8.8.8", "35.191.0.1", "10.200.0.9")


def rss_mb() -> float:
    """Current resident set size (Linux /proc), in MB."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    except (OSError, ValueError, IndexError):
        return float("nan")


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


NAMES = ("api.payments.example:443", "storage.googleapis.com:443", "x.growth.example:8080", "example.com:443")


def make_queries(snapshot, count: int, seed: int) -> list[dict]:
    """Random `explain --batch` entries: pod to pod, pod to Service, pod to outside, outside to pod;
    with FQDN policies in the snapshot also pod to a DNS name."""
    rng = random.Random(seed)
    pods = [pod for pod in snapshot.pods if pod.pod_ips]
    services = [svc for svc in snapshot.services if svc.selector]
    queries = []
    for index in range(count):
        src = rng.choice(pods)
        dst = rng.choice(pods)
        roll = rng.random()
        port = rng.choice(PORTS)
        protocol = "UDP" if port == 53 and rng.random() < 0.7 else "TCP"
        entry = {"id": index, "from": f"{src.namespace}/{src.name}", "to": f"{dst.namespace}/{dst.name}",
                 "port": port, "protocol": protocol}
        if roll < 0.05 and services:
            svc = rng.choice(services)
            entry["to"] = f"{svc.namespace}/svc/{svc.name}"
            entry["port"] = svc.ports[0].port if svc.ports else 80
        elif roll < 0.15:
            entry["to"] = rng.choice(EXTERNAL)
        elif roll < 0.25:
            entry["from"] = rng.choice(EXTERNAL)
        elif roll < 0.30:
            entry["from"] = rng.choice(pods).ip   # a pod IP: resolves to the pod
        elif roll < 0.35 and snapshot.fqdn_policies:
            entry["to"] = rng.choice(NAMES)
            del entry["port"]
        queries.append(entry)
    return queries


def run_batch(engine: PolicyEngine, queries: list[dict]) -> tuple[list[dict], int]:
    """Exactly what `explain --batch` does per entry, without printing; returns results and verdicts."""
    results, _ = evaluate_batch(engine, queries)
    evaluations = sum(len(r.get("results", ())) or 1 for r in results if r["verdict"] != "error")
    return results, evaluations


def timed_median(calls) -> tuple[float, float]:
    """Median and p99 in milliseconds of each call."""
    samples = []
    for call in calls:
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def bench_engine(args: argparse.Namespace) -> dict:
    namespaces = args.namespaces or max(1, args.pods // 50)
    policies = args.policies if args.policies is not None else args.pods // 10
    nodes = args.nodes or max(3, args.pods // 20)
    kinds = (1000, 1000) if args.gke_kinds else (0, 0)
    suffix = f"-ccnp{kinds[0]}-fqdn{kinds[1]}" if args.gke_kinds else ""
    data = Path(args.data or Path(tempfile.gettempdir()) / "netpol-bench-policy"
                / f"synthetic-v{synthetic.GENERATOR_VERSION}-{args.pods}-{namespaces}-{policies}-{nodes}-s{args.seed}"
                  f"{suffix}")
    if not (data / "cluster.json").exists():
        print(f"generating {args.pods} pods into {data} ...", flush=True)
        synthetic.generate(data, pods=args.pods, namespaces=namespaces, policies=policies, nodes=nodes,
                           seed=args.seed, ccnps=kinds[0], fqdn_policies=kinds[1])
    gc.collect()
    load_start = " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    base_rss = rss_mb()
    start = time.perf_counter()
    snapshot = load_files([str(data)])
    load_s = time.perf_counter() - start
    snapshot_rss = rss_mb()

    builds = []
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        engine = PolicyEngine(snapshot)
        builds.append((time.perf_counter() - start, time.process_time() - cpu))
    build_s, build_cpu = min(builds)
    built_rss = rss_mb()
    gc.freeze()  # as `explain` does once the snapshot is loaded

    # selection queries on a fresh index: the first call per pod group / policy is cold
    rng = random.Random(args.seed + 1)
    sample_pods = rng.sample(list(snapshot.pods), min(1000, len(snapshot.pods)))
    sample_policies = rng.sample(list(snapshot.policies), min(1000, len(snapshot.policies)))
    sel_pod_cold = timed_median([lambda p=p: engine.policies_selecting(p) for p in sample_pods])
    sel_pol_cold = timed_median([lambda p=p: engine.pods_selected_by(p) for p in sample_policies])
    sel_pod_warm = timed_median([lambda p=p: engine.policies_selecting(p) for p in sample_pods])
    sel_pol_warm = timed_median([lambda p=p: engine.pods_selected_by(p) for p in sample_policies])
    miss_med = timed_median([lambda p=p: engine.non_selecting_policies(p) for p in sample_pods[:200]])

    queries = make_queries(snapshot, args.queries, args.seed + 2)
    runs = []
    for _ in range(args.repeat):
        fresh = PolicyEngine(snapshot)          # queries start from cold caches too
        start, cpu = time.perf_counter(), time.process_time()
        results, evaluations = run_batch(fresh, queries)
        runs.append((time.perf_counter() - start, time.process_time() - cpu))
    query_s, query_cpu = min(runs)
    start = time.perf_counter()
    text = json.dumps({"results": results})
    dump_s = time.perf_counter() - start
    denied = sum(1 for r in results if r["verdict"] == "deny")
    errors = [r for r in results if r["verdict"] == "error"]
    if errors:
        print(f"{len(errors)} queries failed, e.g. {errors[0]}", file=sys.stderr)
    return {
        "generated_pods": args.pods, "problems": len(snapshot.problems), "repeat": args.repeat,
        "load": load_start,
        "load_end": " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?",
        "query_runs": [(round(wall, 3), round(cpu, 3)) for wall, cpu in runs],
        "pods": len(snapshot.pods), "namespaces": len(snapshot.namespaces), "policies": len(snapshot.policies),
        "nodes": len(snapshot.nodes), "services": len(snapshot.services), "dataplane": str(engine.dataplane),
        "ccnps": len(snapshot.cilium_policies), "fqdn_policies": len(snapshot.fqdn_policies),
        "name_queries": sum(1 for q in queries if "port" not in q), "unknown": sum(
            1 for r in results if r["verdict"] == "unknown"),
        "groups": len(engine._groups), "load_s": load_s, "build_s": build_s, "build_cpu": build_cpu,
        "queries": len(queries), "evaluations": evaluations, "denied": denied, "query_s": query_s, "query_cpu": query_cpu,
        "json_s": dump_s, "json_mb": len(text) / 2**20,
        "sel_pod_cold": sel_pod_cold, "sel_pol_cold": sel_pol_cold, "sel_pod_warm": sel_pod_warm,
        "sel_pol_warm": sel_pol_warm, "miss": miss_med,
        "rss_base": base_rss, "rss_snapshot": snapshot_rss, "rss_built": built_rss, "rss_peak": peak_rss_mb(),
    }


def engine_markdown(r: dict) -> str:
    ok = lambda flag: "yes" if flag else "**NO**"  # noqa: E731
    return "\n".join([
        f"Run: {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, {platform.machine()}, "
        f"`python benchmarks/bench_policy.py --pods {r['generated_pods']}{' --gke-kinds' if r['ccnps'] else ''}` "
        f"(build and queries: best of {r['repeat']} runs; load average {r['load']} at start, {r['load_end']} at the "
        f"end; the query runs, wall/CPU s: {', '.join(f'{w:.2f}/{c:.2f}' for w, c in r['query_runs'])}).",
        "",
        f"Cluster: {r['generated_pods']:,} pods generated, {r['pods']:,} loaded ({r['problems']:,} load warnings), "
        f"{r['namespaces']:,} namespaces, {r['policies']:,} policies, "
        + (f"{r['ccnps']:,} CiliumClusterwideNetworkPolicies, {r['fqdn_policies']:,} FQDNNetworkPolicies, "
           if r['ccnps'] or r['fqdn_policies'] else "")
        + f"{r['nodes']:,} nodes, {r['services']:,} services; dataplane `{r['dataplane']}`; "
        f"{r['groups']:,} pod groups (namespace + label set)"
        + (f"; {r['name_queries']:,} of the queries are to a DNS name, {r['unknown']:,} answers unknown."
           if r['ccnps'] or r['fqdn_policies'] else "."),
        "",
        "| measure | result | target | met |",
        "|---|---|---|---|",
        f"| load files (kubectl JSON -> Snapshot, the sources' job) | {r['load_s']:.2f} s | - | - |",
        f"| index build (`PolicyEngine(snapshot)`), wall (CPU) | {r['build_s']:.3f} s ({r['build_cpu']:.3f} s) "
        f"| <= 2 s | {ok(r['build_s'] <= 2)} |",
        f"| {r['queries']:,} random batch queries (resolve + evaluate + to_dict; {r['evaluations']:,} verdicts, "
        f"{r['denied']:,} denied), wall (CPU) | {r['query_s']:.2f} s ({r['query_cpu']:.2f} s) | <= 2 s "
        f"| {ok(r['query_s'] <= 2)} |",
        f"| JSON encoding of those results ({r['json_mb']:.0f} MB) | {r['json_s']:.2f} s | - | - |",
        f"| policies selecting pod, median (p99), cold | {r['sel_pod_cold'][0]:.4f} ms ({r['sel_pod_cold'][1]:.3f}) "
        f"| <= 1 ms | {ok(r['sel_pod_cold'][0] <= 1)} |",
        f"| pods selected by policy, median (p99), cold | {r['sel_pol_cold'][0]:.4f} ms ({r['sel_pol_cold'][1]:.3f}) "
        f"| <= 1 ms | {ok(r['sel_pol_cold'][0] <= 1)} |",
        f"| policies selecting pod, median, warm | {r['sel_pod_warm'][0]:.4f} ms | - | - |",
        f"| pods selected by policy, median, warm | {r['sel_pol_warm'][0]:.4f} ms | - | - |",
        f"| non-selecting policies with hints, median | {r['miss'][0]:.4f} ms | - | - |",
        f"| RSS: interpreter / + snapshot / + index | {r['rss_base']:.0f} / {r['rss_snapshot']:.0f} / "
        f"{r['rss_built']:.0f} MB | - | - |",
        f"| peak RSS (ru_maxrss: loading, index, queries) | {r['rss_peak']:.0f} MB | <= 1536 MB "
        f"| {ok(r['rss_peak'] <= 1536)} |",
        "",
        "Cold = first call for that pod group / policy on a freshly built index; the 10,000 queries also start "
        "on a fresh index.",
    ])


# ------------------------------------------------------------------------------ NCA


CONN_BLOCK = re.compile(r"\{([^}]*)\}")


def parse_conns(text: str):
    """NCA's connection text -> predicate(port, protocol), or None when it cannot be read."""
    text = text.strip()
    if text == "All connections":
        return lambda port, protocol: True
    if text in ("No connections", ""):
        return lambda port, protocol: False
    sets = []
    for block in CONN_BLOCK.findall(text):
        match = re.fullmatch(r"protocols:([A-Z, ]+?)(?:,dst_ports:([0-9,\- ]+))?", block.strip())
        if not match:
            return None
        protocols = {p.strip() for p in match.group(1).split(",")}
        ranges = []
        for part in (match.group(2) or "").split(","):
            part = part.strip()
            if part:
                low, _, high = part.partition("-")
                ranges.append((int(low), int(high or low)))
        sets.append((protocols, ranges))
    if not sets:
        return None
    return lambda port, protocol: any(protocol in protos and (not ranges or any(a <= port <= b for a, b in ranges))
                                      for protos, ranges in sets)


def _ip_int(text: str) -> int:
    import ipaddress

    return int(ipaddress.ip_address(text))


def _nca_class(item: dict) -> tuple:
    """NCA's isomorphism class of a pod: namespace, workload (from ownerReferences), labels."""
    meta = item["metadata"]
    owners = meta.get("ownerReferences") or [{}]
    kind, name = owners[0].get("kind", ""), owners[0].get("name", "")
    if not name:
        workload = ("Pod", meta["name"])
    elif kind == "ReplicaSet" and all(c in "0123456789abcdefABCDEF" for c in name.rsplit("-", 1)[-1]):
        workload = ("Deployment", name.rsplit("-", 1)[0])
    else:
        workload = (kind, name)
    return (meta.get("namespace", "default"), workload, tuple(sorted((meta.get("labels") or {}).items())))


def _diff_category(reasons: list[str]) -> str:
    text = " ".join(reasons)
    if "endPort ignored on Dataplane V2" in text:
        return "endPort ignored on Dataplane V2 (NCA honours endPort)"
    if "does not apply to pod traffic on Dataplane V2" in text:
        return "ipBlock never matches pods on Dataplane V2 (NCA: Kubernetes semantics)"
    return "other"


def nca_compare(args: argparse.Namespace) -> dict:
    out: dict = {"nca": args.nca}
    version = subprocess.run([args.nca, "--version"], capture_output=True, text=True)
    text = (version.stdout or version.stderr or "?").strip().splitlines()[-1]
    out["version"] = text.replace("NCA version", "").strip()
    work = Path(tempfile.mkdtemp(prefix="nca-compare-"))
    synthetic.generate(work, pods=2000, namespaces=40, policies=200, nodes=100, seed=args.seed)
    snapshot = load_files([str(work)])
    queries = make_queries(snapshot, args.queries, args.seed + 3)
    queries = [q for q in queries if "/svc/" not in q["to"]]       # NCA answers pod pairs only
    out["queries"] = len(queries)
    engines = {}
    for model in ("kubernetes", "calico", "dataplane-v2"):
        start = time.perf_counter()
        engine = PolicyEngine(snapshot, model)
        build = time.perf_counter() - start
        start = time.perf_counter()
        verdicts = []
        for q in queries:
            (src,) = engine.resolve(q["from"])
            (dst,) = engine.resolve(q["to"])
            verdicts.append(engine.evaluate(src, dst, q["port"], q["protocol"]))
        engines[model] = (build, time.perf_counter() - start, verdicts)
    out["ours"] = {model: {"build_s": b, "query_s": t} for model, (b, t, _) in engines.items()}

    result_file = work / "nca-connectivity.txt"
    command = [args.nca, "--connectivity", str(work / "networkpolicies.json"), "--ns_list",
               str(work / "namespaces.json"), "--pod_list", str(work / "pods-000.json"),
               "--output_endpoints", "pods", "-o", "txt_no_fw_rules", "-f", str(result_file)]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True)
    out["nca_connectivity_s"] = time.perf_counter() - start
    out["nca_command"] = " ".join(Path(c).name if c.startswith(str(work)) else c for c in command)
    if proc.returncode not in (0, 1) or not result_file.exists():
        out["error"] = f"nca exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-500:]}"
        return out
    pairs: dict[tuple[str, str], object] = {}
    ranges_from: dict[str, list] = {}
    ranges_to: dict[str, list] = {}
    unparsed = set()
    range_re = re.compile(r"^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)$")
    for line in result_file.read_text().splitlines():
        if " => " not in line or " : " not in line:
            continue
        left, rest = line.split(" => ", 1)
        right, conns = rest.split(" : ", 1)
        predicate = parse_conns(conns)
        if predicate is None:
            unparsed.add(conns)
            continue
        left, right = left.strip(), right.strip()
        lm, rm = range_re.match(left), range_re.match(right)
        if rm:
            ranges_to.setdefault(left, []).append((_ip_int(rm.group(1)), _ip_int(rm.group(2)), predicate))
        elif lm:
            ranges_from.setdefault(right, []).append((_ip_int(lm.group(1)), _ip_int(lm.group(2)), predicate))
        else:
            pairs[(left, right)] = predicate
    out["nca_lines"] = len(pairs) + sum(map(len, ranges_to.values())) + sum(map(len, ranges_from.values()))
    out["unparsed"] = sorted(unparsed)

    # NCA keeps at most two pods per class of pods no selector can tell apart (namespace, workload,
    # labels) and reports connections of those representatives only: map every pod to them.
    representatives: dict[tuple, list[str]] = {}
    for item in json.loads((work / "pods-000.json").read_text())["items"]:
        key = _nca_class(item)
        names = representatives.setdefault(key, [])
        if len(names) < 2:
            names.append(f"{item['metadata'].get('namespace', 'default')}/{item['metadata']['name']}")
    class_of = {f"{i['metadata'].get('namespace', 'default')}/{i['metadata']['name']}": _nca_class(i)
                for i in json.loads((work / "pods-000.json").read_text())["items"]}

    def nca_allows(q: dict, verdict) -> bool | None:
        """NCA's answer; None when NCA has none (a pod talking to itself is outside its model)."""
        src, dst = verdict.src, verdict.dst
        if src.pod is not None and src.pod is dst.pod:
            return None
        port, protocol = verdict.port, verdict.protocol
        src_rep = representatives[class_of[src.name]] if src.pod is not None else None
        dst_rep = representatives[class_of[dst.name]] if dst.pod is not None else None
        if src_rep and dst_rep:
            if src_rep is dst_rep:
                if len(src_rep) < 2:
                    return None
                pair = (src_rep[0], src_rep[1])
            else:
                pair = (src_rep[0], dst_rep[0])
            predicate = pairs.get(pair)
            return bool(predicate and predicate(port, protocol))
        if src_rep:
            value = _ip_int(dst.address)
            return any(a <= value <= b and p(port, protocol) for a, b, p in ranges_to.get(src_rep[0], ()))
        value = _ip_int(src.address)
        return any(a <= value <= b and p(port, protocol) for a, b, p in ranges_from.get(dst_rep[0], ()))

    nca_verdicts = [nca_allows(q, v) for q, v in zip(queries, engines["kubernetes"][2], strict=True)]
    out["compared"] = sum(1 for v in nca_verdicts if v is not None)
    out["nca_allowed"] = sum(1 for v in nca_verdicts if v)
    out["diffs"] = {}
    for model, (_, _, verdicts) in engines.items():
        diffs = []
        for q, verdict, nca in zip(queries, verdicts, nca_verdicts, strict=True):
            if nca is not None and verdict.allowed != nca:
                reasons = [*verdict.egress.denied_because, *verdict.ingress.denied_because]
                category = _diff_category(reasons)
                relevant = [r for r in reasons if category.split(" (")[0].split(" never")[0] in r] or reasons
                diffs.append({"query": q, "ours": verdict.verdict, "nca": "allow" if nca else "deny",
                              "why": relevant[:3], "category": category})
        out["diffs"][model] = diffs
        out.setdefault("allowed", {})[model] = sum(1 for v, n in zip(verdicts, nca_verdicts, strict=True)
                                                   if v.allowed and n is not None)

    # one --explain query (NCA answers it with a full run)
    sample = next((q for q in queries if "/" in q["from"] and "/" in q["to"]), None)
    if sample:
        start = time.perf_counter()
        subprocess.run([args.nca, "--connectivity", str(work / "networkpolicies.json"), "--ns_list",
                        str(work / "namespaces.json"), "--pod_list", str(work / "pods-000.json"),
                        "--explain", f"{sample['from']},{sample['to']}"], capture_output=True, text=True)
        out["nca_explain_s"] = time.perf_counter() - start
    return out


def nca_markdown(r: dict) -> str:
    lines = [f"Run: {time.strftime('%Y-%m-%d')}, `python benchmarks/bench_policy.py --nca {r['nca']}`, "
             f"NCA version: {r.get('version', '?')}.", ""]
    if "error" in r:
        return "\n".join([*lines, f"NCA could not be run: `{r['error']}`"])
    lines += [
        "Cluster: `synthetic.generate(pods=2000, namespaces=40, policies=200, nodes=100)`; "
        f"{r['queries']:,} random pod-to-pod / pod-to-outside / outside-to-pod queries (Service queries left out: "
        "NCA answers pod pairs).",
        "",
        "| tool | what | time |",
        "|---|---|---|",
    ]
    for model, t in r["ours"].items():
        lines.append(f"| netpol-tui `{model}` | index build + {r['queries']:,} queries | "
                     f"{t['build_s']:.3f} s + {t['query_s']:.3f} s |")
    lines += [
        f"| NCA | `--connectivity` (whole connectivity map, {r['nca_lines']:,} allowed pairs/ranges; the "
        f"queries are looked up in it) | {r['nca_connectivity_s']:.1f} s |",
    ]
    if "nca_explain_s" in r:
        lines.append(f"| NCA | `--explain SRC,DST` for one query (a full run each) | {r['nca_explain_s']:.1f} s |")
    lines += ["", f"Compared: {r['compared']:,} queries ({r['queries'] - r['compared']} left out: a pod talking to "
              f"itself, which NCA does not model). NCA allows {r['nca_allowed']:,}. Verdict differences per model:", ""]
    for model, diffs in r["diffs"].items():
        counts = {}
        for diff in diffs:
            counts[diff["category"]] = counts.get(diff["category"], 0) + 1
        detail = "; ".join(f"{n} {category}" for category, n in counts.items()) or "none"
        lines.append(f"- `{model}`: {len(diffs)} differences ({r['allowed'][model]:,} allowed): {detail}.")
        for diff in diffs[:2]:
            q = diff["query"]
            lines.append(f"  - e.g. {q['from']} -> {q['to']} {q['protocol']} {q['port']}: ours {diff['ours']}, "
                         f"NCA {diff['nca']}; ours says: {'; '.join(diff['why'][:1]) or '-'}")
    if r.get("unparsed"):
        lines.append(f"- NCA connection texts not understood by this script: {r['unparsed'][:5]}")
    return "\n".join(lines)


def replace_section(text: str, marks: tuple[str, str], body: str) -> str:
    begin, end = marks
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        return head + block + rest.split(end, 1)[1]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=100_000)
    parser.add_argument("--namespaces", type=int, default=None, help="default: pods / 50")
    parser.add_argument("--policies", type=int, default=None, help="default: pods / 10")
    parser.add_argument("--nodes", type=int, default=None, help="default: pods / 20")
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of build and queries; the best counts")
    parser.add_argument("--data", help="directory of generated files (default: under the system temp folder)")
    parser.add_argument("--nca", metavar="PATH", help="path of the `nca` executable: run the comparison")
    parser.add_argument("--skip-engine", action="store_true", help="only the NCA comparison")
    parser.add_argument("--no-write", action="store_true", help=f"do not update {REPORT.name}")
    parser.add_argument("--gke-kinds", action="store_true",
                        help="a Dataplane V2 cluster with 1,000 CiliumClusterwideNetworkPolicies and 1,000 "
                             "FQDNNetworkPolicies added (issue 17); its section of the report is separate")
    args = parser.parse_args(argv)
    text = REPORT.read_text() if REPORT.exists() else "# Verdict engine benchmark\n"
    if not args.skip_engine:
        result = bench_engine(args)
        print(json.dumps(result, indent=2))
        text = replace_section(text, GKE_MARK if args.gke_kinds else ENGINE_MARK, engine_markdown(result))
    if args.nca:
        comparison = nca_compare(args)
        summary = {k: v for k, v in comparison.items() if k != "diffs"}
        summary["diff_counts"] = {model: len(d) for model, d in comparison.get("diffs", {}).items()}
        print(json.dumps(summary, indent=2, default=str))
        text = replace_section(text, NCA_MARK, nca_markdown(comparison))
    if not args.no_write:
        REPORT.write_text(text)
        print(f"wrote {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
