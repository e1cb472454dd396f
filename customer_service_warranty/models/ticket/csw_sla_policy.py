from bisect import bisect_right
from collections import defaultdict
from datetime import timedelta

from pytz import utc

from odoo import api, fields, models

from .csw_ticket_constants import OPEN_TICKET_STATES, PRIORITIES, TICKET_TYPES

TIME_BASES = [
    ("clock", "Clock Hours (day and night)"),
    ("working", "Working Hours"),
]

# what a ticket's deadlines are computed from: changing one recomputes the open tickets
PLANNING_FIELDS = ("time_basis", "response_hours", "resolve_hours", "calendar_id")


class CswSlaPolicy(models.Model):
    """Response and resolution targets of a ticket type and priority.

    Each policy counts its hours on its own time basis: in clock hours, day and night, as
    the manuals promise ("24 小时内作出回应"), or in working hours of a calendar (public
    holidays as its global leaves) for the companies that serve during office hours. The
    time waiting on the owner is counted on the same basis, then added back to the
    deadlines.
    """

    _name = "csw.sla.policy"
    _description = "SLA Policy"
    _inherit = ["csw.workflow.mixin"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", help="Leave empty to apply the policy to every company.")
    ticket_type = fields.Selection(TICKET_TYPES, required=True)
    priority = fields.Selection(PRIORITIES, help="Leave empty to apply the policy to every priority of the type.")
    time_basis = fields.Selection(
        TIME_BASES,
        required=True,
        default="clock",
        help='Clock hours count day and night, weekends and holidays included ("within 24 hours" '
        "of the manuals); working hours count only the hours of the working calendar.",
    )
    response_hours = fields.Float(
        string="Response Target (Hours)",
        required=True,
        help="Hours on the policy's time basis within which the owner must get a first answer.",
    )
    resolve_hours = fields.Float(
        string="Resolution Target (Hours)",
        required=True,
        help="Hours on the policy's time basis within which the ticket must be resolved.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        help="Working hours only: leave empty to count on the company's working hours; public holidays "
        "are its global leaves.",
    )

    _sql_constraints = [
        (
            "targets_positive",
            "CHECK(response_hours > 0 AND resolve_hours > 0)",
            "SLA targets must be positive.",
        ),
        (
            "response_before_resolution",
            "CHECK(response_hours <= resolve_hours)",
            "The response target cannot be longer than the resolution target.",
        ),
    ]

    def write(self, vals):
        result = super().write(vals)
        if any(fname in vals for fname in PLANNING_FIELDS):
            self._recompute_open_tickets()
        return result

    def _recompute_open_tickets(self):
        """New targets apply to the open tickets of the policies, deadlines and SLA state; the
        finished and cancelled ones keep the deadlines they were judged on."""
        tickets = (
            self.env["csw.ticket"]
            .sudo()
            .search([("sla_policy_id", "in", self.ids), ("state", "in", OPEN_TICKET_STATES)])
        )
        if not tickets:
            return
        # one _compute_deadlines for the set (the working hours read once), then its SLA state
        for fname in ("response_deadline", "resolve_deadline", "response_risk_date", "resolve_risk_date"):
            self.env.add_to_compute(tickets._fields[fname], tickets)
        tickets._refresh_sla_state()

    @api.model
    def _find_for_tickets(self, tickets):
        """The policy of each ticket: same type, its priority before any priority, its company before shared.

        :return: ``{ticket: policy}`` computed with one search for the whole batch
        """
        policies = self.search(
            [
                ("ticket_type", "in", list(set(tickets.mapped("ticket_type")))),
                ("company_id", "in", [*tickets.company_id.ids, False]),
            ]
        )
        Company = self.env["res.company"]
        best = {}  # (type, priority, company) -> policy: the tickets of a batch share a few keys
        result = {}
        for ticket in tickets:
            company = ticket.company_id
            key = (ticket.ticket_type, ticket.priority, company.id)
            if key not in best:
                ticket_type, priority, _company_id = key
                candidates = policies.filtered(
                    lambda p, t=ticket_type, pr=priority, c=company: (
                        p.ticket_type == t and p.priority in (pr, False) and p.company_id in (c, Company)
                    )
                )
                best[key] = candidates.sorted(lambda p: (not p.priority, not p.company_id, p.sequence, p.id))[:1]
            result[ticket] = best[key]
        return result

    def _calendar(self, company):
        """The working calendar the policy counts on; none in clock hours."""
        if self.time_basis != "working":
            return self.env["resource.calendar"]
        return self.calendar_id or company.resource_calendar_id

    def _plan(self, start, hours, company):
        """The moment ``hours`` hours on the policy's time basis after ``start`` (naive UTC datetimes)."""
        self.ensure_one()
        calendar = self._calendar(company)
        if not calendar:
            return start + timedelta(hours=hours)
        return calendar.plan_hours(hours, start, compute_leaves=True)

    @api.model
    def _plan_batch(self, requests):
        """Many ``_plan`` at once: ``{key: (policy, start, hours, company)}`` → ``{key: deadline}``.

        The same deadlines as ``_plan`` one by one, with the working intervals of each calendar
        read once for the whole batch (two queries) instead of twice per deadline. Odoo's
        ``plan_hours`` walks 14-day windows from the start; the same windows are cut here from
        intervals covering every start of the batch and a margin, once for all the deadlines
        of a start. A deadline beyond the margin is left to ``_plan``, and so are those in
        clock hours (an addition).
        """
        deadlines, by_calendar, calendars = {}, defaultdict(lambda: defaultdict(list)), {}
        for key, (policy, start, hours, company) in requests.items():
            # keyed by ids: comparing recordsets is slow, and a batch has thousands of requests
            if (policy.id, company.id) not in calendars:
                calendars[policy.id, company.id] = policy._calendar(company)
            calendar = calendars[policy.id, company.id]
            if calendar and hours >= 0:
                by_calendar[calendar.id][start].append((key, policy, hours, company))
            else:
                deadlines[key] = policy._plan(start, hours, company)
        for calendar_id, by_start in by_calendar.items():
            calendar = self.env["resource.calendar"].browse(calendar_id)
            longest = max(hours for batch in by_start.values() for _key, _policy, hours, _company in batch)
            first = min(by_start).replace(tzinfo=utc)
            covered = max(by_start).replace(tzinfo=utc) + timedelta(days=28 + 14 * int(longest // 40))
            intervals = [(start, stop) for start, stop, _meta in calendar._work_intervals_batch(first, covered)[False]]
            stops = [stop for _start, stop in intervals]
            for start, batch in by_start.items():
                planned = self._walk_intervals(intervals, stops, start, [hours for _k, _p, hours, _c in batch], covered)
                for (key, policy, hours, company), deadline in zip(batch, planned, strict=True):
                    deadlines[key] = policy._plan(start, hours, company) if deadline is None else deadline
        return deadlines

    @api.model
    def _walk_intervals(self, intervals, stops, start, hours_list, covered):
        """``plan_hours`` on intervals read beforehand (``stops``: their ends), for each of
        ``hours_list`` from the same ``start``: the moments (naive UTC), None when beyond ``covered``.

        Each duration is counted down interval by interval as ``plan_hours`` does it, so that
        the results are the same to the microsecond.
        """
        deadlines = [None] * len(hours_list)
        remaining = dict(enumerate(hours_list))
        window, delta = start.replace(tzinfo=utc), timedelta(days=14)
        while remaining and window + delta <= covered:
            end = window + delta
            index = bisect_right(stops, window)
            while remaining and index < len(intervals) and intervals[index][0] < end:
                low, high = max(intervals[index][0], window), min(intervals[index][1], end)
                if low < high:
                    interval_hours = (high - low).total_seconds() / 3600
                    for position, hours in list(remaining.items()):
                        if hours <= interval_hours:
                            deadlines[position] = (low + timedelta(hours=hours)).astimezone(utc).replace(tzinfo=None)
                            del remaining[position]
                        else:
                            remaining[position] = hours - interval_hours
                index += 1
            window = end
        return deadlines

    def _working_hours_between(self, start, end, company):
        """Hours on the policy's time basis between two naive UTC datetimes: elapsed hours in
        clock time, working hours of the calendar otherwise."""
        self.ensure_one()
        calendar = self._calendar(company)
        if not calendar:
            return (end - start).total_seconds() / 3600
        return calendar.get_work_hours_count(start, end, compute_leaves=True)
