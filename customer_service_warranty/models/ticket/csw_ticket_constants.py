"""Selections of service tickets, shared by tickets, SLA policies and reports."""

TICKET_TYPES = [
    ("consultation", "Consultation"),
    ("complaint", "Complaint"),
    ("repair", "Repair"),
    ("suggestion", "Suggestion"),
    ("praise", "Praise"),
]

# an overdue response to these is no service failure of the agent (no 响应超时 assessment)
NO_RESPONSE_PENALTY_TYPES = ("praise", "suggestion")

CHANNELS = [
    ("phone", "Phone"),
    ("walk_in", "Walk-in"),
    ("email", "E-mail"),
    ("portal", "Portal"),
    ("online_chat", "Online Chat"),
    ("letter", "Letter"),
    ("callback", "Callback"),
    ("inspection", "Inspection"),
    ("other", "Other"),
]

PRIORITIES = [
    ("0", "Normal"),
    ("1", "Important"),
    ("2", "Urgent"),
    ("3", "Major Incident"),
]

STATES = [
    ("new", "New"),
    ("in_progress", "In Progress"),
    ("waiting", "Waiting on Owner"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]

SLA_RUNNING_STATES = ("new", "in_progress")
"""States in which the SLA clock runs (waiting on the owner pauses it)."""

OPEN_TICKET_STATES = (*SLA_RUNNING_STATES, "waiting")
"""States of a ticket still being worked on: the "Open" filter, an agent's or an estate's
open tickets (the views' domains spell this tuple out, XML cannot import it)."""

FINISHED_TICKET_STATES = ("resolved", "closed")
"""States of a ticket whose resolution is recorded (a note and a resolution date)."""

NEW_TICKET_STATES = ("new",)
"""A ticket nobody has started yet."""

CANCELLABLE_TICKET_STATES = (*OPEN_TICKET_STATES, "resolved")
"""A ticket that may still be cancelled (a closed one is history)."""

SLA_STATES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
]

# how far back the escalation cron looks for breached responses still to assess (days)
BREACH_LOOKBACK_DAYS = 30
