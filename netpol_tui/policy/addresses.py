"""IP addresses, ipBlocks and address ranges as integer intervals (IPv4 and IPv6)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from netpol_tui.model.policy import IPBlock

#: (version, first, last) with inclusive integer bounds.
Interval = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Address:
    text: str
    version: int
    value: int


def parse_address(text: str) -> Address:
    """ValueError when text is not an IP address."""
    address = ipaddress.ip_address(text.strip())
    return Address(str(address), address.version, int(address))


def try_parse_address(text: str | None) -> Address | None:
    """parse_address without exceptions; a fast path for the usual dotted IPv4 text."""
    if not text:
        return None
    parts = text.split(".")
    if len(parts) == 4:
        value = 0
        for part in parts:
            if not part.isdigit() or len(part) > 3 or (len(part) > 1 and part[0] == "0"):
                break
            number = int(part)
            if number > 255:
                break
            value = (value << 8) | number
        else:
            return Address(text, 4, value)
    try:
        return parse_address(text)
    except ValueError:
        return None


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A CIDR (host bits allowed, as the API server accepts) or a bare address as /32 or /128."""
    return ipaddress.ip_network(text.strip(), strict=False)


def network_interval(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> Interval:
    return (network.version, int(network.network_address), int(network.broadcast_address))


@dataclass(frozen=True, slots=True)
class ParsedBlock:
    """An ipBlock with its CIDR and exceptions as intervals."""

    block: IPBlock
    version: int
    first: int
    last: int
    excepts: tuple[tuple[int, int, str], ...]

    def contains(self, address: Address) -> bool:
        if address.version != self.version or not self.first <= address.value <= self.last:
            return False
        value = address.value
        return all(not first <= value <= last for first, last, _ in self.excepts)

    def why_not(self, address: Address) -> str:
        """Why the address is not in the block (the block must not contain it)."""
        cidr = self.block.cidr
        if address.version != self.version:
            return (f"ipBlock {cidr} is IPv{self.version} and {address.text} is IPv{address.version}; "
                    f"an IPv{self.version} block never matches an IPv{address.version} address")
        if not self.first <= address.value <= self.last:
            return f"{address.text} is not in ipBlock {cidr}"
        for first, last, text in self.excepts:
            if first <= address.value <= last:
                return f"{address.text} is in ipBlock {cidr} but excluded by its except {text}"
        return f"{address.text} is in ipBlock {cidr}"

    def intervals(self) -> list[Interval]:
        """The addresses the block matches: the CIDR minus its exceptions."""
        return subtract([(self.version, self.first, self.last)],
                        [(self.version, first, last) for first, last, _ in self.excepts])


def parse_block(block: IPBlock) -> ParsedBlock:
    network = parse_network(block.cidr)
    excepts = []
    for text in block.excepts:
        inner = parse_network(text)
        if inner.version == network.version:
            excepts.append((int(inner.network_address), int(inner.broadcast_address), text))
    return ParsedBlock(block, network.version, int(network.network_address),
                       int(network.broadcast_address), tuple(excepts))


# ---------------------------------------------------------------------- intervals


def union(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for version, first, last in sorted(intervals):
        if merged and merged[-1][0] == version and first <= merged[-1][2] + 1:
            if last > merged[-1][2]:
                merged[-1] = (version, merged[-1][1], last)
        else:
            merged.append((version, first, last))
    return merged


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for version, first, last in union(a):
        for v2, f2, l2 in union(b):
            if v2 == version:
                low, high = max(first, f2), min(last, l2)
                if low <= high:
                    out.append((version, low, high))
    return union(out)


def subtract(a: list[Interval], b: list[Interval]) -> list[Interval]:
    result = union(a)
    for version, first, last in union(b):
        next_result: list[Interval] = []
        for v, low, high in result:
            if v != version or last < low or first > high:
                next_result.append((v, low, high))
                continue
            if low < first:
                next_result.append((v, low, first - 1))
            if high > last:
                next_result.append((v, last + 1, high))
        result = next_result
    return union(result)


def interval_cidrs(intervals: list[Interval]) -> tuple[str, ...]:
    """The smallest list of CIDRs that covers exactly the intervals."""
    out: list[str] = []
    for version, first, last in union(intervals):
        cls = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
        for network in ipaddress.summarize_address_range(cls(first), cls(last)):
            out.append(str(network))
    return tuple(out)
