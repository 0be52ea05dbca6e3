"""W3C Trace Context (``traceparent``): accept a caller's trace, start a span of our own."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


@dataclass(frozen=True, slots=True)
class TraceContext:
    """The span plein is working in, and the span that called it (if any)."""

    trace_id: str
    span_id: str
    parent_span_id: str | None = None

    @classmethod
    def new(cls) -> TraceContext:
        """A fresh trace with a root span."""
        return cls(trace_id=secrets.token_hex(16), span_id=secrets.token_hex(8))

    @classmethod
    def from_header(cls, header: str | None) -> TraceContext:
        """Continue the caller's trace when ``header`` is a valid traceparent, else start a new one."""
        parent = parse_traceparent(header)
        if parent is None:
            return cls.new()
        trace_id, parent_span = parent
        return cls(trace_id=trace_id, span_id=secrets.token_hex(8), parent_span_id=parent_span)

    def child(self) -> TraceContext:
        """A new span inside this one (one per audited action within a request)."""
        return TraceContext(trace_id=self.trace_id, span_id=secrets.token_hex(8), parent_span_id=self.span_id)

    def header(self) -> str:
        """The traceparent value to pass on to the next service (sampled flag set)."""
        return f"00-{self.trace_id}-{self.span_id}-01"


def parse_traceparent(header: str | None) -> tuple[str, str] | None:
    """(trace id, parent span id) from a valid version-00 header; None for anything else."""
    if not header:
        return None
    match = _TRACEPARENT.match(header.strip().lower())
    if match is None:
        return None
    version, trace_id, span_id, _flags = match.groups()
    if version == "ff" or trace_id == "0" * 32 or span_id == "0" * 16:
        return None
    return trace_id, span_id
