"""The GKE client's requests bounded like the Kubernetes ones: a total deadline and a body cap.

google-cloud-container over REST uses a requests Session (via google-auth's AuthorizedSession).
Its adapters' connections are made to obey `deadline.request_deadline`, and a response hook caps
each decompressed body before requests reads it.
"""

from __future__ import annotations

from typing import Any


def _track(manager: Any) -> Any:
    from netpol_tui.sources.deadline import track_pool_manager

    track_pool_manager(manager)
    return manager


def bound_session(session: Any, max_response: int, api: str = "the GKE API") -> None:
    """Make a requests Session obey request deadlines and cap each decompressed body.

    `api` names the service in the message of a body over the cap (Cloud Logging uses it too).

    The connections of its adapters (and of proxy managers made later) register with the
    thread's `request_deadline`; a response hook wraps the body stream before requests reads it.
    """
    from netpol_tui.sources.limits import TooLarge, mib

    for adapter in list(getattr(session, "adapters", {}).values()):
        if getattr(adapter, "poolmanager", None) is not None:
            _track(adapter.poolmanager)
        original = getattr(adapter, "proxy_manager_for", None)
        if original is not None:
            adapter.proxy_manager_for = lambda *args, _original=original, **kwargs: _track(_original(*args, **kwargs))

    def cap(response: Any, *args: Any, **kwargs: Any) -> Any:
        raw: Any = getattr(response, "raw", None)
        stream = getattr(raw, "stream", None)
        if stream is None:
            return response

        def bounded(*s_args: Any, **s_kwargs: Any) -> Any:
            total = 0
            for chunk in stream(*s_args, **s_kwargs):
                total += len(chunk)
                if total > max_response:
                    response.close()
                    raise TooLarge(f"{api} response is larger than {mib(max_response)} "
                                   "(raise --max-response-mb)")
                yield chunk

        raw.stream = bounded
        return response

    hooks = session.hooks.setdefault("response", [])
    hooks.append(cap)


def bound_client(client: Any, max_response: int) -> None:
    session = getattr(getattr(client, "transport", None), "_session", None)
    if session is None:
        return
    bound_session(session, max_response)
    auth_session = getattr(session, "_auth_request_session", None)
    if auth_session is not None:
        bound_session(auth_session, 64 * 1024)


def call_within(call: Any, timeout: float) -> Any:
    """One GKE call (its retries included) under a total deadline of `timeout` seconds."""
    from netpol_tui.sources.deadline import request_deadline
    from netpol_tui.sources.limits import TooLarge

    with request_deadline(timeout) as scope:
        try:
            return call()
        except TooLarge:
            raise
        except Exception as exc:
            if scope.cut:
                raise DeadlinePassed() from exc
            raise


class DeadlinePassed(Exception):
    """The call's total deadline cut its connection."""


__all__ = ["DeadlinePassed", "bound_client", "bound_session", "call_within"]
