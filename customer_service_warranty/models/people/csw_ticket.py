"""What the people domain adds to csw.ticket: the staff assessments (考核) its SLA brings.

A response left late costs its agent an assessment, found by the hourly escalation, and a
complaint left breached up to the general manager costs one too. Assessments sit above
tickets, so their link and these penalties live here.
"""

from datetime import timedelta

from odoo import fields, models

from ..ticket.csw_ticket_constants import BREACH_LOOKBACK_DAYS, NO_RESPONSE_PENALTY_TYPES


class CswTicket(models.Model):
    _inherit = "csw.ticket"

    assessment_ids = fields.One2many("csw.assessment", "ticket_id", string="Assessments")

    def _csw_after_sla_refresh(self, now):
        result = super()._csw_after_sla_refresh(now)
        # breaches of the last weeks only: the cron runs hourly, and looking further back
        # would read every breached ticket of the estate's history at each run
        late = self.sudo().search(
            [
                ("response_breached", "=", True),
                ("response_deadline", ">=", now - timedelta(days=BREACH_LOOKBACK_DAYS)),
                ("assessment_ids", "not any", [("reason", "=", "overdue_response")]),
                # praise and suggestions await no answer the owner depends on: no penalty
                ("ticket_type", "not in", NO_RESPONSE_PENALTY_TYPES),
            ]
        )
        self.env["csw.assessment"]._assess("overdue_response", late, lambda t: t.user_id, "ticket_id")
        return result

    def _escalate_to(self, level, company, now):
        result = super()._escalate_to(level, company, now)
        if level == 3:
            # a complaint left breached up to the general manager is a late response of its agent,
            # once per ticket; the ¥200 comes from a complaint made to the GM (complained_to)
            complaints = self.filtered(lambda t: t.ticket_type == "complaint")
            self.env["csw.assessment"]._assess_once("overdue_response", complaints, lambda t: t.user_id, "ticket_id")
        return result
