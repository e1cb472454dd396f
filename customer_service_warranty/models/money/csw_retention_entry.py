from odoo import Command, api, fields, models


class CswRetentionEntry(models.Model):
    """One movement of a subcontract's retention money (质保金台账).

    The retention held is the contract amount × retention % while the contract is in force
    (``csw.subcontract.retention_held``); the entries record what leaves it:

    * ``deducted``: the part of a posted deduction the team's open bills of the contract could
      not absorb, charged to the retention by a transfer entry (debit the retention account,
      credit the team's payable, to be matched with the deduction's credit note); a cancelled
      deduction adds the opposite entry;
    * ``released``: a partial or final release, with its vendor bill and its recorded review.

    Entries are written by the system only (the actions of deductions and releases).
    """

    _name = "csw.retention.entry"
    _description = "Retention Ledger Entry"
    _inherit = ["csw.workflow.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    subcontract_id = fields.Many2one(
        "csw.subcontract", required=True, index=True, ondelete="restrict", check_company=True
    )
    partner_id = fields.Many2one(related="subcontract_id.partner_id", string="Subcontractor", store=True)
    project_id = fields.Many2one(related="subcontract_id.project_id", string="Estate", store=True)
    company_id = fields.Many2one(related="subcontract_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    entry_type = fields.Selection(
        [("deducted", "Deducted"), ("released", "Released")], string="Type", required=True, readonly=True
    )
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    amount = fields.Monetary(
        required=True, readonly=True, help="Taken from the retention; negative when a deduction is reversed."
    )
    move_id = fields.Many2one("account.move", string="Journal Entry / Bill", readonly=True, check_company=True)
    deduction_id = fields.Many2one("csw.deduction", readonly=True, index="btree_not_null")
    review_id = fields.Many2one("csw.retention.review", string="Release Review", readonly=True)

    @api.model
    def _csw_charge_deductions(self, credit_notes):
        """Charge to the retention what the team's open bills cannot absorb of these posted
        deduction credit notes; returns the entries created."""
        values = []
        for note in credit_notes:
            subcontract = note.csw_deduction_id.subcontract_id
            open_bills = sum(subcontract._csw_settlement_bills().mapped("amount_residual"))
            charged = subcontract.currency_id.round(min(note.amount_residual, max(0.0, note.amount_total - open_bills)))
            if subcontract.currency_id.compare_amounts(charged, 0) <= 0:
                continue
            transfer = subcontract._csw_retention_transfer(note, charged)
            values.append(
                {
                    "subcontract_id": subcontract.id,
                    "entry_type": "deducted",
                    "date": note.date,
                    "amount": charged,
                    "move_id": transfer.id,
                    "deduction_id": note.csw_deduction_id.id,
                }
            )
        return self.sudo().create(values)

    @api.model
    def _csw_reverse_charges(self, credit_notes):
        """A deduction's credit note was reversed (the deduction cancelled): give back what it
        took from the retention, reversing the transfer entry too."""
        charges = self.sudo().search(
            [("entry_type", "=", "deducted"), ("deduction_id", "in", credit_notes.csw_deduction_id.ids)]
        )
        values = []
        for charge in charges.filtered(lambda entry: entry.amount > 0 and entry.move_id.state == "posted"):
            if charge.move_id.reversal_move_ids:
                continue
            reversal = charge.move_id._reverse_moves(
                default_values_list=[{"date": fields.Date.context_today(self)}], cancel=True
            )
            values.append(
                {
                    "subcontract_id": charge.subcontract_id.id,
                    "entry_type": "deducted",
                    "amount": -charge.amount,
                    "move_id": reversal.id,
                    "deduction_id": charge.deduction_id.id,
                }
            )
        return self.sudo().create(values)

    def _csw_transfer_lines(self, subcontract, note, amount, retention_account):
        payable = note.line_ids.filtered(lambda line: line.account_type == "liability_payable")[:1].account_id
        partner = subcontract.partner_id.commercial_partner_id
        label = self.env._("Deduction %(deduction)s charged to the retention", deduction=note.csw_deduction_id.name)
        common = {"name": label, "partner_id": partner.id}
        return [
            Command.create({**common, "account_id": retention_account.id, "debit": amount}),
            Command.create({**common, "account_id": payable.id, "credit": amount}),
        ]
