"""`snapshot save DIR`: write a Snapshot as kubectl/gcloud-shaped files that `--files DIR` reads back.

One file per kind, in the shapes the files source already understands (typed `...List`
documents, a `clusters describe` document, an `operations` list), so a colleague opens the
same state with `netpol-tui --files DIR`, and plain tools (jq, kubectl's own output) can read
them too. A kind that was read but empty still gets its (empty) list, which is what tells
"no events" from "events not read". `manifest.json` records the context, times, counts and the
parts that could not be read; it carries a `kind` of its own, which the files source recognises
(`parse_manifest`) to give the reread snapshot the original capture time, context and unknown parts.

The files hold cluster data and the target may be shared (/tmp): the directory must be new or
empty (dot-files count), every file is created owner-only under an unpredictable name with
O_CREAT|O_EXCL|O_NOFOLLOW and renamed into place, and no symbolic link is ever written through.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from netpol_tui import __version__
from netpol_tui.model import serialize
from netpol_tui.model.snapshot import Kind, RejectedObject, Snapshot, UnknownPart
from netpol_tui.text import clean

MANIFEST = "manifest.json"
MANIFEST_KIND = "NetpolTuiSnapshot"
MANIFEST_API_VERSION = "netpol-tui/v1"

#: Snapshot kind -> (file name, Kubernetes kind of its list, snapshot field).
K8S_FILES: tuple[tuple[Kind, str, str, str], ...] = (
    (Kind.NAMESPACE, "namespaces.json", "Namespace", "namespaces"),
    (Kind.NODE, "nodes.json", "Node", "nodes"),
    (Kind.POD, "pods.json", "Pod", "pods"),
    (Kind.NETWORK_POLICY, "networkpolicies.json", "NetworkPolicy", "policies"),
    (Kind.SERVICE, "services.json", "Service", "services"),
    (Kind.INGRESS, "ingresses.json", "Ingress", "ingresses"),
    (Kind.EVENT, "events.json", "Event", "events"),
)
#: The CRD kinds of GKE Dataplane V2, written back as read (file name, list kind, snapshot field).
#: Read but none found (the CRD not installed) is an empty typed list, as for the other kinds.
CRD_FILES: tuple[tuple[Kind, str, str, str], ...] = (
    (Kind.FQDN_POLICY, "fqdnnetworkpolicies.json", "FQDNNetworkPolicy", "fqdn_policies"),
    (Kind.CILIUM_POLICY, "ciliumpolicies.json", "CiliumNetworkPolicy", "cilium_policies"),
    (Kind.NETWORK_LOGGING, "networklogging.json", "NetworkLogging", "network_logging"),
)
WORKLOADS_FILE = "workloads.json"
CLUSTER_FILE = "cluster.json"
OPERATIONS_FILE = "operations.json"
OUR_FILES = frozenset({name for _, name, _, _ in (*K8S_FILES, *CRD_FILES)}
                      | {WORKLOADS_FILE, CLUSTER_FILE, OPERATIONS_FILE, MANIFEST})
_READ_SUFFIXES = (".yaml", ".yml", ".json")
#: Rejected objects recorded in a manifest, at most (like its problem lines).
MAX_REJECTED = 1000


class SaveError(Exception):
    """The directory cannot take the snapshot; the message says why and what to do."""


class ManifestError(ValueError):
    """A manifest document that cannot be used; the message says which field is wrong."""


@dataclass(frozen=True)
class SaveResult:
    directory: Path
    files: tuple[str, ...]
    counts: dict[str, int]


#: Files and the directory hold cluster data (names, labels, IPs): readable by their owner only.
FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_TEMP_ATTEMPTS = 16


def _write(directory: int, name: str, document: Any) -> None:
    """Write `name` inside the open directory, never through a symbolic link.

    The bytes go to a new file with an unpredictable name (created with O_EXCL|O_NOFOLLOW, so a
    link or file planted in advance is never opened), which is then renamed over `name`: a
    reader never sees half a file, and rename replaces a planted link itself, not its target.
    """
    data = orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
    for _ in range(_TEMP_ATTEMPTS):
        temporary = f".{name}.{secrets.token_hex(8)}.tmp"
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, FILE_MODE,
                             dir_fd=directory)
        except FileExistsError:
            continue
        break
    else:
        raise SaveError("cannot create a temporary file: every name tried already exists")
    try:
        try:
            os.fchmod(handle, FILE_MODE)  # the umask may only have narrowed it; make it exact
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view):]
            os.fsync(handle)
        finally:
            os.close(handle)
        os.rename(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=directory)
        raise


def _open_directory(directory: Path) -> int:
    """Create (0700) or open the target directory itself; a symbolic link there is refused."""
    try:
        info = os.lstat(directory)
    except FileNotFoundError:
        try:
            directory.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(directory, DIRECTORY_MODE)
        except OSError as exc:
            raise SaveError(f"cannot create {directory}: {exc.strerror or exc}") from None
    except OSError as exc:
        raise SaveError(f"cannot read {directory}: {exc.strerror or exc}") from None
    else:
        if stat.S_ISLNK(info.st_mode):
            raise SaveError(f"{directory} is a symbolic link; give the directory it points to, or a new one")
        if not stat.S_ISDIR(info.st_mode):
            raise SaveError(f"{directory} exists and is not a directory")
    try:
        return os.open(directory, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    except OSError as exc:
        raise SaveError(f"cannot open {directory}: {exc.strerror or exc}") from None


def _prepare(directory: Path, handle: int, force: bool) -> None:
    """Refuse a directory holding anything (dot-files too); `force` allows only an earlier save's files."""
    try:
        entries = sorted(os.listdir(handle))
    except OSError as exc:
        raise SaveError(f"cannot list {directory}: {exc.strerror or exc}") from None
    if not entries:
        return
    if not force:
        shown = ", ".join(entries[:5]) + (" ..." if len(entries) > 5 else "")
        raise SaveError(f"{directory} is not empty ({shown}); choose a new directory, or pass --force to replace "
                        "an earlier save there")
    foreign = [name for name in entries if name not in OUR_FILES]
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        what = "other YAML/JSON files" if any(name.lower().endswith(_READ_SUFFIXES) for name in foreign) \
            else "files that are not an earlier save"
        raise SaveError(f"{directory} holds {what} ({shown}); --force replaces only an earlier save: choose a new "
                        "directory")
    for name in entries:
        try:
            info = os.stat(name, dir_fd=handle, follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                raise SaveError(f"cannot replace {directory / name}: it is a directory")
            os.unlink(name, dir_fd=handle)  # a link is removed itself, never its target
        except OSError as exc:
            raise SaveError(f"cannot replace {directory / name}: {exc.strerror or exc}") from None


def manifest(snapshot: Snapshot, files: list[str], saved_at: datetime) -> dict[str, Any]:
    source = snapshot.source
    return {
        "apiVersion": MANIFEST_API_VERSION, "kind": MANIFEST_KIND,
        "netpolTuiVersion": __version__,
        "capturedAt": snapshot.captured_at.isoformat(), "savedAt": saved_at.isoformat(),
        "source": {"kind": source.kind, "description": source.description, "context": source.context,
                   "project": source.project, "location": source.location, "cluster": source.cluster,
                   "namespace": source.namespace},
        "counts": snapshot.counts(),
        "loadedKinds": sorted(str(kind) for kind in snapshot.loaded_kinds),
        "unknown": [{"kind": str(part.kind), "reason": part.reason} for part in snapshot.unknown],
        # Objects dropped at capture for a bad field: the files lack them, a reread must say so.
        "rejected": [{"kind": str(item.kind), "namespace": item.namespace, "name": item.name, "reason": item.reason}
                     for item in snapshot.rejected[:MAX_REJECTED]],
        "problems": [str(problem) for problem in snapshot.problems[:1000]],
        "files": files,
    }


def save_snapshot(snapshot: Snapshot, directory: str | Path, *, force: bool = False) -> SaveResult:
    """Write the snapshot's files and manifest into `directory`; raises SaveError."""
    target = Path(directory).expanduser()
    handle = _open_directory(target)
    try:
        _prepare(target, handle, force)
        return _save(snapshot, target, handle)
    finally:
        os.close(handle)


def _save(snapshot: Snapshot, target: Path, handle: int) -> SaveResult:
    written: list[str] = []
    try:
        for kind, name, k8s_kind, field_name in K8S_FILES:
            objects = getattr(snapshot, field_name)
            if objects or snapshot.has(kind):
                _write(handle, name, serialize.list_document(k8s_kind, [serialize.to_k8s_dict(o) for o in objects]))
                written.append(name)
        for kind, name, k8s_kind, field_name in CRD_FILES:
            objects = getattr(snapshot, field_name)
            if objects or snapshot.has(kind):
                # Items carry their own kind (a CCNP in the CiliumNetworkPolicyList stays a CCNP).
                _write(handle, name, serialize.list_document(k8s_kind, [serialize.to_k8s_dict(o) for o in objects]))
                written.append(name)
        if snapshot.workloads:
            _write(handle, WORKLOADS_FILE, {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
                                            "items": [serialize.workload_to_dict(w) for w in snapshot.workloads]})
            written.append(WORKLOADS_FILE)
        elif snapshot.has(Kind.WORKLOAD):
            # An empty typed list is what marks "workloads read, none found".
            _write(handle, WORKLOADS_FILE, serialize.list_document("Deployment", []))
            written.append(WORKLOADS_FILE)
        if snapshot.cluster is not None:
            _write(handle, CLUSTER_FILE, serialize.cluster_to_dict(snapshot.cluster))
            written.append(CLUSTER_FILE)
        if snapshot.operations or snapshot.has(Kind.OPERATION):
            _write(handle, OPERATIONS_FILE, {"operations": [serialize.operation_to_dict(op) for op in snapshot.operations]})
            written.append(OPERATIONS_FILE)
        # Written last: it carries the capture time a later `--files` load shows and computes ages from.
        _write(handle, MANIFEST, manifest(snapshot, written, datetime.now(UTC)))
    except OSError as exc:
        raise SaveError(f"cannot write into {target}: {exc.strerror or exc}") from None
    return SaveResult(target, (*written, MANIFEST), snapshot.counts())


@dataclass(frozen=True, slots=True)
class ManifestInfo:
    """What a reader takes from a manifest: the state of the cluster is *as of* `captured_at`."""

    captured_at: datetime
    context: str | None
    #: Parts the original source could not read; only meaningful for kinds the files do not hold.
    unknown: tuple[UnknownPart, ...]
    #: Objects the original source could not use (so the saved files lack them).
    rejected: tuple[RejectedObject, ...] = ()


def is_manifest(document: Any) -> bool:
    return isinstance(document, dict) and document.get("kind") == MANIFEST_KIND


def parse_manifest(document: dict[str, Any]) -> ManifestInfo:
    """Validate a manifest document (input from disk, so untrusted); raises ManifestError.

    Unknown parts naming a kind this version does not know are dropped: a newer netpol-tui may
    read more kinds, and a kind we never read cannot make a check wrong here.
    """
    api_version = document.get("apiVersion")
    if api_version != MANIFEST_API_VERSION:
        raise ManifestError(f"apiVersion {clean(str(api_version), 40, single_line=True)!r} is not supported "
                            f"(expected {MANIFEST_API_VERSION!r})")
    raw_time = document.get("capturedAt")
    if not isinstance(raw_time, str):
        raise ManifestError("capturedAt must be an ISO 8601 time string")
    try:
        captured_at = datetime.fromisoformat(raw_time.strip())
    except ValueError:
        raise ManifestError(f"capturedAt {clean(raw_time, 60, single_line=True)!r} is not an ISO 8601 time") \
            from None
    if captured_at.tzinfo is None:
        captured_at = captured_at.replace(tzinfo=UTC)  # save.py always writes UTC
    source = document.get("source", {})
    if source is None:
        source = {}
    if not isinstance(source, dict):
        raise ManifestError("source must be a mapping")
    context = source.get("context")
    if context is not None and not isinstance(context, str):
        raise ManifestError("source.context must be a string or null")
    unknown_list = document.get("unknown", [])
    if unknown_list is None:
        unknown_list = []
    if not isinstance(unknown_list, list):
        raise ManifestError("unknown must be a list")
    known_kinds = {str(kind) for kind in Kind}
    unknown: list[UnknownPart] = []
    for index, entry in enumerate(unknown_list):
        if not isinstance(entry, dict) or not isinstance(entry.get("kind"), str) \
                or not isinstance(entry.get("reason"), str):
            raise ManifestError(f"unknown[{index}] must be a mapping with string 'kind' and 'reason'")
        if entry["kind"] in known_kinds:
            unknown.append(UnknownPart(Kind(entry["kind"]), clean(entry["reason"], 400, single_line=True)))
    return ManifestInfo(captured_at, clean(context, 200, single_line=True) if context else None, tuple(unknown),
                        _rejected(document.get("rejected"), known_kinds))


def _rejected(entries: Any, known_kinds: set[str]) -> tuple[RejectedObject, ...]:
    """The manifest's rejected objects (absent in older manifests); kinds this version lacks dropped."""
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise ManifestError("rejected must be a list")
    out = []
    for index, entry in enumerate(entries[:MAX_REJECTED]):
        if not isinstance(entry, dict) or not isinstance(entry.get("kind"), str) \
                or not isinstance(entry.get("reason"), str) \
                or not all(isinstance(entry.get(key), str | None) for key in ("namespace", "name")):
            raise ManifestError(f"rejected[{index}] must be a mapping with string 'kind' and 'reason'")
        if entry["kind"] in known_kinds:
            namespace, name = (clean(entry.get(key), 253, single_line=True) or None for key in ("namespace", "name"))
            out.append(RejectedObject(Kind(entry["kind"]), namespace, name, clean(entry["reason"], 400, single_line=True)))
    return tuple(out)


def read_manifest(directory: str | Path) -> dict[str, Any] | None:
    """The manifest of a saved snapshot, or None (for a console banner or `--files` callers)."""
    try:
        document = orjson.loads((Path(directory) / MANIFEST).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return document if is_manifest(document) else None


__all__ = ["MANIFEST", "MANIFEST_API_VERSION", "MANIFEST_KIND", "ManifestError", "ManifestInfo", "SaveError",
           "SaveResult", "is_manifest", "manifest", "parse_manifest", "read_manifest", "save_snapshot"]
