"""The cluster's address ranges (pod, Service and node pod CIDRs) as sorted disjoint intervals,
and which range holds an address or overlaps a block: how the engine tells a pod IP, a
ClusterIP and an outside address apart."""

from __future__ import annotations

import bisect

from netpol_tui.policy.addresses import Address, Interval, intersect, network_interval, parse_network, union

#: [(sorted disjoint intervals, what they are)]: the pod, Service and node ranges of the cluster
Ranges = list[tuple[list[Interval], str]]


def ranges_of(named: list[tuple[str | None, str]], extra: list[str], extra_text: str) -> Ranges:
    """[(intervals, description)] for the named CIDRs, then the extra CIDRs merged under one text."""
    out: Ranges = []
    for cidr, text in named:
        if not cidr:
            continue
        try:
            out.append(([network_interval(parse_network(cidr))], text))
        except ValueError:
            continue
    merged: list[Interval] = []
    for cidr in extra:
        try:
            merged.append(network_interval(parse_network(cidr)))
        except ValueError:
            continue
    if merged:
        out.append((union(merged), extra_text))
    return out


def range_holding(ranges: Ranges, intervals: list[Interval]) -> str | None:
    """The description of the first range that overlaps the intervals."""
    for spans, text in ranges:
        if intersect(spans, intervals):
            return text
    return None


def range_of(ranges: Ranges, address: Address) -> str | None:
    """The description of the first range holding the address (spans are sorted and disjoint)."""
    point = (address.version, address.value, 1 << 129)  # sorts after every span starting at the address
    for spans, text in ranges:
        index = bisect.bisect_right(spans, point) - 1
        if index >= 0 and spans[index][0] == address.version and spans[index][2] >= address.value:
            return text
    return None
