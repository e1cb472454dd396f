from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..estate.csw_subcontract import MANAGER_GROUP
from .csw_subcontract import LEDGER_FIELDS


class CswRetentionReview(models.Model):
    """The release review of a subcontract's retention (质保金退还审核, seed 000 4.7).

    Recorded by a CS manager before any release: opinion ① on the quality defects found,
    opinion ② on the substitute repairs, deductions and compensation, and a conclusion. The
    ledger figures are frozen on it when recorded; it is printed and attached to the release
    bill. A review serves one release; it is never edited afterwards.
    """

    _name = "csw.retention.review"
    _description = "Retention Release Review"
    _inherit = ["csw.workflow.mixin"]
    _order = "review_date desc, id desc"
    _check_company_auto = True

    subcontract_id = fields.Many2one(
        "csw.subcontract", required=True, index=True, ondelete="restrict", check_company=True
    )
    partner_id = fields.Many2one(related="subcontract_id.partner_id", string="Subcontractor")
    project_id = fields.Many2one(related="subcontract_id.project_id", string="Estate")
    company_id = fields.Many2one(related="subcontract_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    reviewer_id = fields.Many2one("res.users", required=True, readonly=True, default=lambda self: self.env.user)
    review_date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    opinion_quality = fields.Text(string="① Quality Defects", required=True)
    opinion_substitute = fields.Text(string="② Substitute Repairs, Deductions, Compensation", required=True)
    conclusion = fields.Selection(
        [("release_all", "Release All"), ("partial", "Release Partially, Keep the Reserve"), ("refuse", "Refuse")],
        required=True,
    )
    # the ledger when the review was recorded
    balance_amount = fields.Monetary(string="Balance", readonly=True)
    reserved_amount = fields.Monetary(string="Reserved for Open Defects", readonly=True)
    open_defect_count = fields.Integer(string="Open Defects", readonly=True)
    entry_id = fields.Many2one("csw.retention.entry", string="Release", readonly=True, copy=False)
    bill_id = fields.Many2one(related="entry_id.move_id", string="Release Bill")

    @api.model_create_multi
    def create(self, vals_list):
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only a CS manager records a retention release review."))
        # the figures are the record's own; who and when too, except for data loaded by the system
        own = ("balance_amount", "reserved_amount", "open_defect_count", "entry_id")
        if not self.env.su:
            own += ("reviewer_id", "review_date")
        for vals in vals_list:
            for fname in own:
                vals.pop(fname, None)
        reviews = super().create(vals_list)
        reviews.subcontract_id.invalidate_recordset(LEDGER_FIELDS)
        for review in reviews:
            subcontract = review.subcontract_id
            review.sudo().write(
                {
                    "balance_amount": subcontract.retention_balance,
                    "reserved_amount": subcontract.retention_reserved,
                    "open_defect_count": subcontract.open_repair_order_count,
                }
            )
        return reviews

    def _csw_render_pdf(self):
        self.ensure_one()
        pdf, _type = (
            self.env["ir.actions.report"]
            .sudo()
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("customer_service_warranty.action_report_retention_review", self.ids)
        )
        return pdf
