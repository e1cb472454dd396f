from datetime import timedelta

from odoo import api, fields, models

from .csw_ticket_constants import PRIORITIES, TICKET_TYPES


class CswSlaPolicy(models.Model):
    """Response and resolution targets of a ticket type and priority, in working hours."""

    _name = "csw.sla.policy"
    _description = "SLA Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", help="Leave empty to apply the policy to every company.")
    ticket_type = fields.Selection(TICKET_TYPES, required=True)
    priority = fields.Selection(PRIORITIES, help="Leave empty to apply the policy to every priority of the type.")
    response_hours = fields.Float(
        string="Response Target (Hours)",
        required=True,
        help="Working hours within which the owner must get a first answer.",
    )
    resolve_hours = fields.Float(
        string="Resolution Target (Hours)",
        required=True,
        help="Working hours within which the ticket must be resolved.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        help="Leave empty to count on the company's working hours; public holidays are its global leaves.",
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
        result = {}
        for ticket in tickets:
            candidates = policies.filtered(
                lambda p, t=ticket: (
                    p.ticket_type == t.ticket_type
                    and p.priority in (t.priority, False)
                    and p.company_id in (t.company_id, self.env["res.company"])
                )
            )
            result[ticket] = candidates.sorted(lambda p: (not p.priority, not p.company_id, p.sequence, p.id))[:1]
        return result

    def _calendar(self, company):
        return self.calendar_id or company.resource_calendar_id

    def _plan(self, start, hours, company):
        """The moment ``hours`` working hours after ``start`` (naive UTC datetimes)."""
        self.ensure_one()
        calendar = self._calendar(company)
        if not calendar:
            return start + timedelta(hours=hours)
        return calendar.plan_hours(hours, start, compute_leaves=True)

    def _working_hours_between(self, start, end, company):
        """Working hours between two naive UTC datetimes."""
        self.ensure_one()
        calendar = self._calendar(company)
        if not calendar:
            return (end - start).total_seconds() / 3600
        return calendar.get_work_hours_count(start, end, compute_leaves=True)
