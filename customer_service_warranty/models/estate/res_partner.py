from odoo import api, fields, models
from odoo.exceptions import AccessError

GROUP = "customer_service_warranty.group_csw_project_agent"
MANAGER = "customer_service_warranty.group_csw_manager"


class ResPartner(models.Model):
    _inherit = "res.partner"

    csw_unit_ids = fields.One2many("csw.unit", "owner_id", string="Owned Units", groups=GROUP)
    csw_unit_count = fields.Integer(string="Units", compute="_compute_csw_counts", groups=GROUP)
    csw_subcontract_ids = fields.One2many("csw.subcontract", "partner_id", string="Subcontracts", groups=GROUP)
    csw_subcontract_count = fields.Integer(string="Subcontract Count", compute="_compute_csw_counts", groups=GROUP)
    csw_repair_team = fields.Boolean(
        string="Repair Team",
        groups=GROUP,
        help="A construction team or contractor the company may engage for repairs without a subcontract "
        "of the estate, e.g. as a substitute team (代维班组).",
    )

    @api.model
    def _csw_repair_team_domain(self, company_id):
        """The companies that may repair for ``company_id``: its subcontractors and the repair
        teams it works with, never an owner or a company it has no dealings with."""
        return [
            ("is_company", "=", True),
            ("company_id", "in", [False, company_id]),
            ("csw_unit_ids", "=", False),
            "|",
            ("csw_subcontract_ids.company_id", "=", company_id),
            ("csw_repair_team", "=", True),
        ]

    def _compute_csw_counts(self):
        units = dict(self.env["csw.unit"]._read_group([("owner_id", "in", self.ids)], ["owner_id"], ["__count"]))
        subcontracts = dict(
            self.env["csw.subcontract"]._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        )
        for partner in self:
            partner.csw_unit_count = units.get(partner, 0)
            partner.csw_subcontract_count = subcontracts.get(partner, 0)

    def write(self, vals):
        if "email" in vals:
            self._check_user_email_change(vals["email"])
        return super().write(vals)

    def _check_user_email_change(self, email):
        """A user's e-mail is where their password is reset: only the user themselves and the
        managers change it, so an agent cannot take an owner's or a team's account over."""
        user = self.env.user
        if self.env.su or user.has_group(MANAGER) or user.has_group("base.group_erp_manager"):
            return
        for partner in self.sudo().with_context(active_test=False):
            if partner.user_ids - user and (partner.email or False) != (email or False):
                raise AccessError(
                    self.env._(
                        "Only a manager can change the e-mail of %(partner)s: their password is reset through it.",
                        partner=partner.display_name,
                    )
                )

    def action_csw_view_units(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_unit_action")
        action["domain"] = [("owner_id", "=", self.id)]
        action["context"] = {"default_owner_id": self.id}
        return action

    def action_csw_view_subcontracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_subcontract_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
