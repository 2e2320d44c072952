"""The notification events: what happened, who has to act, and the Chinese/English label.

A party is one of ``company`` (an app operator), ``store`` (an app store), ``sdk_vendor`` or ``staff`` (the
regulators and reviewers as one party). Endpoints and recipients may subscribe to a subset of their party's events
(an empty list means all of them).
"""

from __future__ import annotations

COMPANY, STORE, SDK_VENDOR, STAFF = "company", "store", "sdk_vendor", "staff"
PARTY_KINDS = [
    (COMPANY, "企业 Company"),
    (STORE, "应用商店 Store"),
    (SDK_VENDOR, "SDK厂商 SDK vendor"),
    (STAFF, "监管部门 Regulators"),
]

ORDER_ISSUED = "order.issued"
ORDER_DEADLINE_SOON = "order.deadline_soon"
ORDER_OVERDUE = "order.overdue"
COMPLAINT_FORWARDED = "complaint.forwarded"
TAKEDOWN_ORDERED = "takedown.ordered"
PRELISTING_VERDICT = "prelisting.verdict"
SDK_ORDER_ISSUED = "sdk_order.issued"
SDK_ORDER_DEADLINE_SOON = "sdk_order.deadline_soon"
SDK_ORDER_OVERDUE = "sdk_order.overdue"
COMPLAINT_DEADLINE_SOON = "complaint.deadline_soon"
COMPLAINT_OVERDUE = "complaint.overdue"
EARLY_WARNING_DIGEST = "early_warning.digest"
PING = "ping"

# event -> (label, parties it goes to)
EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    ORDER_ISSUED: ("责令整改通知已下发 Rectification order issued", (COMPANY,)),
    ORDER_DEADLINE_SOON: ("整改期限将至(3个工作日内) Deadline within 3 working days", (COMPANY,)),
    ORDER_OVERDUE: ("整改已逾期 Order overdue", (COMPANY, STAFF)),
    COMPLAINT_FORWARDED: ("投诉转办 Complaint forwarded", (COMPANY,)),
    TAKEDOWN_ORDERED: ("下架通知 Takedown ordered", (STORE,)),
    PRELISTING_VERDICT: ("上架前检测结论 Pre-listing verdict", (STORE,)),
    SDK_ORDER_ISSUED: ("SDK整改通知已下发 SDK order issued", (SDK_VENDOR,)),
    SDK_ORDER_DEADLINE_SOON: ("SDK整改期限将至 SDK order deadline within 3 working days", (SDK_VENDOR,)),
    SDK_ORDER_OVERDUE: ("SDK整改已逾期 SDK order overdue", (SDK_VENDOR, STAFF)),
    COMPLAINT_DEADLINE_SOON: ("投诉答复期限将至 Complaint answer due within 3 working days", (COMPANY,)),
    COMPLAINT_OVERDUE: ("投诉答复已逾期 Complaint answer overdue", (COMPANY, STAFF)),
    EARLY_WARNING_DIGEST: ("每日预警清单 Daily early-warning list", (STAFF,)),
    PING: ("测试通知 Test notification", (COMPANY, STORE, SDK_VENDOR, STAFF)),
}


def label(event: str) -> str:
    """The event's label (Chinese first); the event name itself when unknown."""
    return EVENTS.get(event, (event, ()))[0]


def events_for(kind: str) -> list[tuple[str, str]]:
    """``(event, label)`` of the events a party of ``kind`` can receive (for subscription choices)."""
    return [(name, text) for name, (text, kinds) in EVENTS.items() if kind in kinds]
