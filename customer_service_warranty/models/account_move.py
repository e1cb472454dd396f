from odoo import fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    csw_deduction_id = fields.Many2one(
        "csw.deduction", string="Deduction Request", readonly=True, copy=False, index="btree_not_null"
    )
    # substitute repairs (代维): the substitute team's bill of a repair order, the owner's compensation
    # (赔付) booked when a deduction is posted
    csw_repair_order_id = fields.Many2one(
        "csw.repair.order",
        string="Substitute Repair",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The repair order this bill of a substitute team pays for.",
    )
    csw_compensation_deduction_id = fields.Many2one(
        "csw.deduction",
        string="Compensation of Deduction",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The deduction whose owner compensation (赔付) this bill pays.",
    )
    csw_subcontract_id = fields.Many2one(
        "csw.subcontract",
        string="Subcontract",
        index="btree_not_null",
        check_company=True,
        help="The subcontract this bill or credit note belongs to.",
    )

    def button_draft(self):
        """A posted deduction always equals its credit note: the note is not reset and edited
        here, the deduction is cancelled (which reverses it)."""
        charged = self.env["csw.deduction"].sudo().search([("move_id", "in", self.ids), ("state", "=", "posted")])
        if charged:
            raise UserError(
                self.env._(
                    "This credit note charges deduction %(deduction)s: it cannot be reset to draft. "
                    "Cancel the deduction instead (Cancel and Reverse).",
                    deduction=charged[:1].name,
                )
            )
        return super().button_draft()

    def action_csw_view_deduction(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "csw.deduction",
            "res_id": self.csw_deduction_id.id,
            "view_mode": "form",
        }
