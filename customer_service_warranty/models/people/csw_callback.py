"""What the people domain adds to csw.callback: the assessments (考核) its calls set off, a reward
for a person the owner praised, a penalty for a dissatisfied owner or an overdue callback.

It lives here because the assessments build on callbacks: the callback domain calls its hooks
(``_csw_after_answered``, ``_follow_up``, ``_csw_after_overdue_escalated``) and names no assessment."""

from odoo import api, models
from odoo.tools import format_amount


class CswCallback(models.Model):
    _inherit = "csw.callback"

    def _csw_after_answered(self, reached, consequences):
        result = super()._csw_after_answered(reached, consequences)
        # an owner praising a person on the call rewards them (点名表扬)
        rewards = self.env["csw.assessment"]._assess_once(
            "praise", reached.filtered("is_praise"), lambda c: c.praised_user_id, "callback_id"
        )
        rewards._log_on_sources()
        for reward in rewards:
            consequences[reward.callback_id].append(self._assessment_consequence(reward))
        return result

    def _follow_up(self, consequences):
        # a dissatisfied owner is a service failure of the person responsible for the justified
        # complaint called back about, else of the agent who handled the work; the note says whom
        failures = self.env["csw.assessment"]._assess(
            "service_failure",
            self,
            lambda c: c.ticket_id._csw_penalised_user() or c.repair_order_id.user_id or c.ticket_id.user_id,
            "callback_id",
        )
        failures._log_on_sources()
        result = super()._follow_up(consequences)
        for failure in failures:
            consequences[failure.callback_id].append(self._assessment_consequence(failure))
        return result

    @api.model
    def _csw_after_overdue_escalated(self, overdue):
        result = super()._csw_after_overdue_escalated(overdue)
        self.env["csw.assessment"]._assess("overdue_callback", overdue, lambda c: c.user_id, "callback_id")
        return result

    def _assessment_consequence(self, assessment):
        reasons = dict(assessment._fields["reason"]._description_selection(self.env))
        return self.env._(
            "assessment %(reason)s: %(person)s %(amount)s",
            reason=reasons[assessment.reason],
            person=assessment.user_id.name,
            amount=format_amount(self.env, assessment.amount, assessment.currency_id),
        )
