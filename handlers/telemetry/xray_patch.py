"""X-Ray subsegments for AWS SDK calls, emitted by wrapping botocore, without the X-Ray SDK.

Two class-level wrappers, so clients created before `enable()` are covered too:
- `BaseClient._make_api_call` times each call and sends its subsegment (`xray_segments`) to
  the daemon over UDP, under the function segment named by `_X_AMZN_TRACE_ID`;
- `Endpoint.prepare_request` sets the request's `X-Amzn-Trace-Id` to that subsegment, so the
  service called (Lambda, SQS, Step Functions...) continues the trace below it. The header is
  not signed (botocore leaves it out of SigV4), so setting it after signing is safe.

Why not the X-Ray SDK: in Lambda it only did these two things for us, yet importing it cost
70 million instructions of cold start more than this module (wrapt, asyncio, its recorder),
nearly as much as the rest of the package, and AWS put it in maintenance mode (security fixes
only) in February 2026. The daemon's UDP protocol and the segment document format it
implemented are what X-Ray keeps supporting. Figures: benchmarks/README.md, "Handler cold
start and warm overhead".

Only inside Lambda (there is no function segment elsewhere), only while an invocation's
header is present (module init has none), and only when that header says `Sampled=1`.
Nothing here may break the business call: every failure of ours is swallowed.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from typing import Any, Callable

from handlers.telemetry import settings
from handlers.telemetry.xray_segments import TraceHeader, daemon_address, datagram, parse_trace_header, subsegment

TRACE_HEADER = "X-Amzn-Trace-Id"


class SubsegmentEmitter:
    """Sends documents to the daemon; the socket is opened on first use and kept for the process."""

    def __init__(self) -> None:
        self._socket: socket.socket | None = None
        self._address: tuple[str, int] | None = None

    def send(self, payload: bytes) -> None:
        if self._socket is None:
            self._address = daemon_address(settings.xray_daemon_address())
            self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._socket.setblocking(False)  # a full buffer drops the datagram rather than stall the call
        try:
            self._socket.sendto(payload, self._address)  # type: ignore[arg-type]
        except OSError:
            pass


emitter = SubsegmentEmitter()
_in_flight = threading.local()  # the subsegment whose request is being prepared, per thread
_header_cache: dict[str, TraceHeader | None] = {}
_originals: dict[str, Callable[..., Any]] = {}


def current_trace() -> TraceHeader | None:
    """The invocation's header, parsed once per invocation (Lambda sets a new one each time)."""
    header = settings.lambda_trace_header()
    if not header:
        return None
    found = _header_cache.get(header, False)
    if found is False:
        _header_cache.clear()  # one entry: the current invocation's
        found = _header_cache[header] = parse_trace_header(header)
    return found  # type: ignore[return-value]


def traced_api_call(original: Callable[..., Any]) -> Callable[..., Any]:
    def _make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        trace = current_trace()
        if trace is None or not trace.sampled:
            return original(self, operation_name, api_params)
        subsegment_id = os.urandom(8).hex()
        previous = getattr(_in_flight, "value", None)
        _in_flight.value = (trace, subsegment_id)
        start = time.time()
        response: Any = None
        failure: BaseException | None = None
        try:
            response = original(self, operation_name, api_params)
            return response
        except BaseException as error:
            failure = error
            response = getattr(error, "response", None)
            raise
        finally:
            _in_flight.value = previous
            _send(self, trace, subsegment_id, operation_name, api_params, start, response, failure)

    _make_api_call.__wrapped__ = original  # type: ignore[attr-defined]
    return _make_api_call


def _send(client: Any, trace: TraceHeader, subsegment_id: str, operation: str, params: Any, start: float,
          response: Any, failure: BaseException | None) -> None:
    try:
        document = subsegment(
            subsegment_id=subsegment_id,
            trace=trace,
            service_id=str(client.meta.service_model.service_id),
            operation=operation,
            region=client.meta.region_name,
            params=params if isinstance(params, dict) else {},
            start=start,
            end=time.time(),
            response=response if isinstance(response, dict) else None,
            error=failure,
        )
        emitter.send(datagram(document))
    except Exception:  # tracing must never break, or even slow down, the business call
        pass


def traced_prepare_request(original: Callable[..., Any]) -> Callable[..., Any]:
    def prepare_request(self: Any, request: Any) -> Any:
        in_flight = getattr(_in_flight, "value", None)
        if in_flight is not None:
            trace, subsegment_id = in_flight
            try:
                request.headers[TRACE_HEADER] = trace.downstream(subsegment_id)
            except Exception:
                pass
        return original(self, request)

    prepare_request.__wrapped__ = original  # type: ignore[attr-defined]
    return prepare_request


def patch_botocore() -> bool:
    """Install both wrappers; idempotent. Returns whether this call installed them."""
    if _originals:
        return False
    from botocore.client import BaseClient
    from botocore.endpoint import Endpoint

    _originals["make_api_call"] = BaseClient._make_api_call
    _originals["prepare_request"] = Endpoint.prepare_request
    BaseClient._make_api_call = traced_api_call(BaseClient._make_api_call)  # type: ignore[method-assign]
    Endpoint.prepare_request = traced_prepare_request(Endpoint.prepare_request)  # type: ignore[method-assign]
    return True


def unpatch_botocore() -> None:
    """Restore botocore (tests use it)."""
    if not _originals:
        return
    from botocore.client import BaseClient
    from botocore.endpoint import Endpoint

    BaseClient._make_api_call = _originals.pop("make_api_call")  # type: ignore[method-assign]
    Endpoint.prepare_request = _originals.pop("prepare_request")  # type: ignore[method-assign]
    _deferred["waiting"] = False


_deferred = {"waiting": False}


def enable(mode: str | None = None, in_lambda: bool | None = None) -> str:
    """Patch botocore as configured; returns what was done (for tests and logs).

    botocore is never imported here: a handler that does not use it must not pay its 100 ms.
    If it is not loaded yet, patching waits for `patch_if_loaded`, which `instrument` calls at
    the start of each invocation until botocore shows up.
    """
    chosen = mode or settings.xray_patch_mode()
    if not (settings.running_in_lambda() if in_lambda is None else in_lambda) or chosen == "off":
        return "skipped"
    if _originals:
        return "already"
    if "botocore.client" not in sys.modules:
        _deferred["waiting"] = True
        return "deferred"
    patch_botocore()
    return "patched"


def patch_if_loaded() -> None:
    """Finish a deferred `enable` once the handler has imported botocore; a dict lookup otherwise."""
    if _deferred["waiting"] and "botocore.client" in sys.modules:
        _deferred["waiting"] = False
        patch_botocore()


def is_patched() -> bool:
    return bool(_originals)
