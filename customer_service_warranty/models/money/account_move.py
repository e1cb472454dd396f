from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..base.csw_workflow_mixin import door_admits
from ..estate.csw_subcontract import IN_FORCE_CONTRACT_STATES, MANAGER_GROUP
from ..repair.csw_repair_order import OPEN_REPAIR_STATES

# who confirmed a settlement and what: set by the confirmation, never given
SETTLEMENT_TRAIL = (
    "csw_settlement_confirmed_uid",
    "csw_settlement_confirmed_partner_id",
    "csw_settlement_confirmed_amount",
)
# the context keys that would give a new bill a settlement confirmation or the retention mark
SETTLEMENT_DEFAULT_KEYS = frozenset(
    f"default_{fname}" for fname in (*SETTLEMENT_TRAIL, "csw_settlement_reason", "csw_retention_release")
)


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
    csw_retention_release = fields.Boolean(
        string="Retention Release",
        readonly=True,
        copy=False,
        help="A bill paying out retention money, created by the release of a subcontract's retention.",
    )
    csw_open_defect_count = fields.Integer(
        string="Open Defects of the Subcontract",
        compute="_compute_csw_open_defect_count",
        help="Open defects of the team's subcontract: the bill is not settled while any is left "
        "(仍有遗留问题未完成时则不予结算) unless a CS manager confirms it with a reason.",
    )
    csw_settlement_reason = fields.Text(
        string="Settlement Confirmed Despite Open Defects",
        copy=False,
        tracking=True,
        help="Why a CS manager lets this bill be posted while the subcontract has open defects.",
    )
    csw_settlement_confirmed_uid = fields.Many2one(
        "res.users", string="Settlement Confirmed By", readonly=True, copy=False
    )
    # what the manager confirmed: the confirmation holds for this team and at most this amount
    csw_settlement_confirmed_partner_id = fields.Many2one(
        "res.partner", string="Settlement Confirmed for Partner", readonly=True, copy=False
    )
    csw_settlement_confirmed_amount = fields.Monetary(
        string="Settlement Confirmed up to", readonly=True, copy=False, currency_field="currency_id"
    )

    # ------------------------------------------------------------------
    # Settlement block
    # ------------------------------------------------------------------
    def _csw_settled_bills(self):
        """The team bills among ``self`` that settle a subcontract (not releases nor reversals)."""
        return self.filtered(
            lambda move: (
                move.move_type == "in_invoice"
                and not move.csw_retention_release
                and not move.reversed_entry_id
                and move.partner_id
            )
        )

    def _csw_open_defects_by_bill(self):
        """{bill: (subcontracts with open defects, open defect count)} in three queries.

        A bill belongs to its subcontract when it names one of its team's contracts, else to
        every contract of its partner (the team) in the bill's company; a bill of another
        partner (a substitute team) settles none.
        """
        bills = self._csw_settled_bills()
        if not bills:
            return {}
        Subcontract = self.env["csw.subcontract"].sudo()
        partners = bills.commercial_partner_id
        contracts = Subcontract.search(
            [
                ("partner_id.commercial_partner_id", "in", partners.ids),
                ("company_id", "in", bills.company_id.ids),
                ("state", "in", IN_FORCE_CONTRACT_STATES),
            ]
        )
        open_counts = dict(
            self.env["csw.repair.order"]
            .sudo()
            ._read_group(
                [("subcontract_id", "in", contracts.ids), ("state", "in", OPEN_REPAIR_STATES)],
                ["subcontract_id"],
                ["__count"],
            )
        )
        result = {}
        for bill in bills:
            team = bill.commercial_partner_id
            named = bill.csw_subcontract_id.sudo()
            if named and named.partner_id.commercial_partner_id == team:
                mine = named
            else:
                # no contract named, or another team's: the bill settles its own team's contracts
                mine = contracts.filtered(
                    lambda c, bill=bill, team=team: (
                        c.partner_id.commercial_partner_id == team and c.company_id == bill.company_id
                    )
                )
            blocking = mine.filtered(lambda c: open_counts.get(c))
            if blocking:
                result[bill] = (blocking, sum(open_counts[c] for c in blocking))
        return result

    @api.depends("move_type", "partner_id", "csw_subcontract_id", "csw_retention_release")
    def _compute_csw_open_defect_count(self):
        by_bill = self._csw_open_defects_by_bill()
        for move in self:
            move.csw_open_defect_count = by_bill.get(move, (None, 0))[1]

    def _csw_settlement_confirmed(self):
        """Whether a CS manager confirmed this bill as it is: its team, at most its amount."""
        self.ensure_one()
        return bool(
            self.csw_settlement_reason
            and self.csw_settlement_confirmed_uid
            and self.csw_settlement_confirmed_partner_id == self.commercial_partner_id
            and self.currency_id.compare_amounts(self.amount_total, self.csw_settlement_confirmed_amount) <= 0
        )

    def _csw_check_settlement(self):
        for bill, (contracts, count) in self._csw_open_defects_by_bill().items():
            if bill._csw_settlement_confirmed():
                continue
            raise UserError(
                self.env._(
                    "Bill %(bill)s settles subcontract %(contracts)s, which still has %(count)s open defect(s): "
                    "it is not settled while defects are left (仍有遗留问题未完成时则不予结算). A CS manager may "
                    "confirm the settlement with a reason on the bill, then it can be posted.",
                    bill=bill.display_name,
                    contracts=", ".join(contracts.mapped("name")),
                    count=count,
                )
            )

    def _csw_log_settlement_confirmations(self):
        for bill in self.filtered("csw_settlement_reason"):
            bill.message_post(
                body=Markup("<p>%s</p><p>%s</p>")
                % (
                    self.env._(
                        "Posted despite open defects of the subcontract, confirmed by %(user)s:",
                        user=bill.csw_settlement_confirmed_uid.name,
                    ),
                    bill.csw_settlement_reason,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _csw_check_settlement_vals(self, vals):
        """Only a CS manager confirms a settlement; only a release marks a retention bill."""
        if self.env.su:
            return vals
        if "csw_retention_release" in vals and not door_admits(self, {"csw_retention_release"}, creating=not self):
            raise AccessError(self.env._("Only the release of a subcontract's retention marks a retention bill."))
        vals = dict(vals)
        for fname in SETTLEMENT_TRAIL:
            vals.pop(fname, None)
        if "csw_settlement_reason" in vals:
            if not self.env.user.has_group(MANAGER_GROUP):
                raise AccessError(
                    self.env._(
                        "Only a CS manager confirms the settlement of a bill whose subcontract has open defects."
                    )
                )
            vals["csw_settlement_confirmed_uid"] = self.env.uid if vals["csw_settlement_reason"] else False
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # a client's default_ keys neither confirm a settlement nor mark a retention bill
            context = {key: value for key, value in self.env.context.items() if key not in SETTLEMENT_DEFAULT_KEYS}
            self = self.with_env(self.env(context=context))
        moves = super().create([self._csw_check_settlement_vals(vals) for vals in vals_list])
        moves.filtered("csw_settlement_confirmed_uid")._csw_record_settlement_confirmation()
        return moves

    def write(self, vals):
        result = super().write(self._csw_check_settlement_vals(vals))
        if "csw_settlement_reason" in vals:
            self._csw_record_settlement_confirmation()
        return result

    def _csw_record_settlement_confirmation(self):
        """Bind each confirmation to the team and the amount of the bill as the manager saw it."""
        for move in self.sudo():
            move.write(
                {
                    "csw_settlement_confirmed_partner_id": move.csw_settlement_confirmed_uid
                    and move.commercial_partner_id.id,
                    "csw_settlement_confirmed_amount": move.amount_total if move.csw_settlement_confirmed_uid else 0.0,
                }
            )

    # ------------------------------------------------------------------
    # Retention ledger: deductions charged to the retention
    # ------------------------------------------------------------------
    def _csw_is_warranty_move(self):
        """A bill or credit note of the warranty business (a deduction, a substitute repair,
        a compensation, a retention release), or the reversal of one."""
        self.ensure_one()
        return any(
            move.csw_deduction_id
            or move.csw_repair_order_id
            or move.csw_compensation_deduction_id
            or move.csw_subcontract_id
            or move.csw_retention_release
            for move in self | self.reversed_entry_id
        )

    def _csw_unsubscribe_portal_partners(self):
        """Posting subscribes the partner, and the portal shows a partner the moves it follows:
        the warranty's bills stay with the staff (teams and owners see no money on the portal)."""
        for move in self.filtered(lambda m: m._csw_is_warranty_move()):
            outsiders = move.message_partner_ids.filtered(
                lambda partner: (
                    not any(user._is_internal() for user in partner.with_context(active_test=False).user_ids)
                )
            )
            if outsiders:
                move.message_unsubscribe(outsiders.ids)

    def _post(self, soft=True):
        # every posting path (the button, the Post Entries wizard, the auto-post cron) comes here
        to_post = self.filtered(lambda move: move.state == "draft")
        to_post._csw_check_settlement()
        posted = super()._post(soft=soft)
        posted._csw_log_settlement_confirmations()
        posted._csw_unsubscribe_portal_partners()
        Entry = self.env["csw.retention.entry"]
        notes = posted.filtered(lambda move: move.move_type == "in_refund" and move.csw_deduction_id)
        if notes:
            Entry._csw_charge_deductions(notes)
        reversed_notes = posted.reversed_entry_id.filtered(
            lambda move: move.move_type == "in_refund" and move.csw_deduction_id
        )
        if reversed_notes:
            Entry._csw_reverse_charges(reversed_notes)
        return posted

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
        ledger = self.env["csw.retention.entry"].sudo().search([("move_id", "in", self.ids)], limit=1)
        if ledger:
            raise UserError(
                self.env._(
                    "%(move)s is recorded in the retention ledger of %(contract)s: it is not reset to draft.",
                    move=ledger.move_id.display_name,
                    contract=ledger.subcontract_id.name,
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
