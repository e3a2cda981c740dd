"""Decoding only the fields the model keeps: typed msgspec schemas for the large lists.

A 100,000-pod `kubectl get pods -A -o json` is 320 MB of which the pod parser reads about a
tenth (probes, env, volumes, images and managed fields are never looked at). Decoding it into
full dicts and freeing them again was half of a load (benchmarks/load.md). Here msgspec decodes
straight from the bytes into plain dicts that hold only the keys the parsers read; the
unread parts are skipped without building anything.

The result is then walked and parsed by the very same code as a fully decoded document, so
validation and messages cannot drift. The schemas are deliberately strict (every leaf a JSON
scalar, an integer within int64, every container the type the API gives): whatever they refuse
(a wrong type, a huge number, bad UTF-8 anywhere in the bytes, a syntax error, a list of mixed
kinds) makes `decode_list` return None and the caller decodes the bytes the generic way, which
then reports exactly what it always reported.

Invariant (checked by tests/model/test_typed_decode.py against the generic decode): a schema
keeps every key its parser reads, at every level.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypedDict, Union

import msgspec

#: orjson (the generic decoder) reads integers beyond 64 bits as floats and msgspec reads them
#: as ints; refusing them here sends such a document down the generic path, so that the value
#: (and the message about it) is the one it always was.
_Int = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
#: Any JSON scalar; containers where a parser expects a scalar are refused (generic path).
_Scalar = Union[_Int, float, str, bool, None]  # noqa: UP007  (msgspec reads the typing form)
_StringMap = Union[dict[str, _Scalar], None]  # noqa: UP007


def _schema(name: str, fields: dict[str, Any]) -> Any:
    """A TypedDict of optional keys (missing keys stay missing, as in the generic decode)."""
    return TypedDict(name, fields, total=False)  # type: ignore[operator]


def _optional(schema: Any) -> Any:
    return Union[schema, None]  # noqa: UP007


def _list_of(schema: Any) -> Any:
    return list[schema]


# ---------------------------------------------------------------------------- shared parts

_OwnerReference = _schema("_OwnerReference", {"kind": _Scalar, "name": _Scalar, "controller": _Scalar})
_ObjectMeta = _schema("_ObjectMeta", {
    "name": _Scalar, "namespace": _Scalar, "labels": _StringMap, "annotations": _StringMap, "uid": _Scalar,
    "creationTimestamp": _Scalar, "deletionTimestamp": _Scalar,
    "ownerReferences": _optional(_list_of(_OwnerReference)),
})
#: What the list walk and the live pager read of a list's own metadata.
_ListMeta = _schema("_ListMeta", {"continue": _Scalar, "remainingItemCount": _Scalar, "resourceVersion": _Scalar})

# ---------------------------------------------------------------------------- pods (parse_core.parse_pod)

_ContainerPort = _schema("_ContainerPort", {"containerPort": _Scalar, "protocol": _Scalar, "name": _Scalar})
_Resources = _schema("_Resources", {"requests": _StringMap})
_Container = _schema("_Container", {
    "name": _Scalar, "ports": _optional(_list_of(_ContainerPort)), "resources": _optional(_Resources),
})
_PodSpec = _schema("_PodSpec", {
    "containers": _optional(_list_of(_Container)), "initContainers": _optional(_list_of(_Container)),
    "nodeName": _Scalar, "hostNetwork": _Scalar, "terminationGracePeriodSeconds": _Scalar,
})
_PodIP = _schema("_PodIP", {"ip": _Scalar})
_Waiting = _schema("_Waiting", {"reason": _Scalar})
_ContainerState = _schema("_ContainerState", {"waiting": _optional(_Waiting)})
_ContainerStatus = _schema("_ContainerStatus", {"state": _optional(_ContainerState)})
_PodStatus = _schema("_PodStatus", {
    "podIPs": _optional(_list_of(_PodIP)), "podIP": _Scalar, "hostIP": _Scalar, "phase": _Scalar,
    "containerStatuses": _optional(_list_of(_ContainerStatus)),
    "initContainerStatuses": _optional(_list_of(_ContainerStatus)),
})
_Pod = _schema("_Pod", {
    "apiVersion": _Scalar, "kind": _Scalar, "metadata": _optional(_ObjectMeta),
    "spec": _optional(_PodSpec), "status": _optional(_PodStatus),
})


def _list_schema(name: str, item: Any) -> Any:
    return _schema(name, {"apiVersion": _Scalar, "kind": _Scalar, "metadata": _optional(_ListMeta),
                          "items": _optional(_list_of(item))})


#: Item kind -> decoder of a whole List of that kind. Kinds not here decode the generic way.
_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    "Pod": msgspec.json.Decoder(_list_schema("_PodList", _Pod)),
}
TYPED_KINDS = frozenset(_DECODERS)

#: The first `"kind": "..."` of a file: kubectl sorts keys (apiVersion, items[0].apiVersion,
#: items[0].kind), the API server writes the List's kind first.
_KIND = re.compile(rb'"kind"\s*:\s*"([A-Za-z]{1,63})"')


def guess_item_kind(data: bytes) -> str | None:
    """The kind a JSON List's items probably have, from its first bytes; only a guess, which
    `decode_list` verifies on the decoded document."""
    head = data[:65536]
    for match in _KIND.finditer(head):
        kind = match.group(1).decode("ascii")
        if kind == "List":
            continue
        return kind[:-4] if kind.endswith("List") else kind
    return None


_REFUSED = (msgspec.DecodeError, msgspec.ValidationError, RecursionError, UnicodeDecodeError, ValueError)


def decode_list(data: bytes, item_kind: str) -> dict[str, Any] | None:
    """A JSON List of `item_kind` objects decoded with only the fields kept, or None when the
    typed decode refuses it or it is not such a List (decode it the generic way then)."""
    decoder = _DECODERS.get(item_kind)
    if decoder is None:
        return None
    try:
        if not data.isascii():
            # msgspec does not look inside the parts it skips; the generic decoder refuses bad
            # UTF-8 anywhere in the file, so that must be checked here.
            data.decode("utf-8")
        document: dict[str, Any] = decoder.decode(data)
    except _REFUSED:
        return None
    kind = document.get("kind")
    items = document.get("items")
    if type(kind) is not str or not kind.endswith("List") or type(items) is not list:
        return None
    own = kind[:-4] if kind != "List" else None
    for item in items:
        if (item.get("kind") or own) != item_kind:
            return None  # mixed or unnamed kinds: the generic walk reports them one by one
    return document


__all__ = ["TYPED_KINDS", "decode_list", "guess_item_kind"]
