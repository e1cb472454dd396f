from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    csw_deduction_id = fields.Many2one(
        "csw.deduction", string="Deduction Request", readonly=True, copy=False, index="btree_not_null"
    )
    csw_subcontract_id = fields.Many2one(
        "csw.subcontract",
        string="Subcontract",
        index="btree_not_null",
        check_company=True,
        help="The subcontract this bill or credit note belongs to.",
    )

    def action_csw_view_deduction(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "csw.deduction",
            "res_id": self.csw_deduction_id.id,
            "view_mode": "form",
        }
