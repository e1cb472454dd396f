"""Selections of service tickets, shared by tickets, SLA policies and reports."""

TICKET_TYPES = [
    ("consultation", "Consultation"),
    ("complaint", "Complaint"),
    ("repair", "Repair"),
    ("suggestion", "Suggestion"),
    ("praise", "Praise"),
]

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

OPEN_STATES = ("new", "in_progress")
"""States in which the SLA clock runs (waiting pauses it)."""

SLA_STATES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
]

# how far back the escalation cron looks for breached responses still to assess (days)
BREACH_LOOKBACK_DAYS = 30
