"""The policy gate and what it decides from: roles, purposes, collaborations, legal bases, Wgs.

Typical use (one line per call, see ``plein.policy.gate``)::

    from plein.policy import Actor, Gate, Purpose
    gate = Gate(session, actor, Purpose.for_activity("toezicht"))
    rows = gate.read_records(select(Record).limit(20))
"""

from plein.policy.errors import NotVisible, Refused
from plein.policy.gate import Cell, Gate, Scope, default_purpose, record_subjects
from plein.policy.roles import Actor, Purpose, Role

__all__ = [
    "Actor",
    "Cell",
    "Gate",
    "NotVisible",
    "Purpose",
    "Refused",
    "Role",
    "Scope",
    "default_purpose",
    "record_subjects",
]
