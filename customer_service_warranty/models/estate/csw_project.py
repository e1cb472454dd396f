from contextlib import contextmanager
from contextvars import ContextVar

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .csw_subcontract import IN_FORCE_CONTRACT_STATES

# estates found by name during one import of units (see CswUnit.load): Odoo's importer
# looks the estate column up row by row, 20,000 identical name searches for one estate
_name_search_memo = ContextVar("csw_project_name_search_memo", default=None)


@contextmanager
def estate_name_searches_memoized():
    """Within the block, an estate name searched again returns the first search's result."""
    token = _name_search_memo.set({})
    try:
        yield
    finally:
        _name_search_memo.reset(token)


class CswProject(models.Model):
    """An estate (项目 / 苑区) whose buildings the customer-service team looks after."""

    _name = "csw.project"
    _description = "Estate"
    _inherit = ["csw.workflow.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "sequence, name"
    _rec_names_search = ["name", "code"]
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short code of the estate, unique in its company: typed in a field, it finds the estate.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    region = fields.Char(help="Region or city company the estate belongs to.")
    address = fields.Char()

    # Dates that start the warranty clocks
    completion_date = fields.Date(
        string="Completion Acceptance",
        tracking=True,
        help="Date of the completion acceptance (竣工验收). The subcontractors' liability runs from it.",
    )
    handover_date = fields.Date(
        tracking=True,
        help="Date the estate was handed over to its owners. Units take it by default; "
        "the owners' warranty runs from each unit's handover.",
    )
    design_life_years = fields.Integer(
        string="Design Service Life (Years)",
        default=50,
        required=True,
        help="Foundation and main structure are under warranty for the design service life.",
    )

    # Team
    cs_user_id = fields.Many2one(
        "res.users",
        string="CS Lead",
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Customer-service lead of the estate: new tickets go to this person by default.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "csw_project_member_rel",
        "project_id",
        "user_id",
        string="Members",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Users who work on this estate. Project agents see only the estates they are members of.",
    )
    callback_user_id = fields.Many2one(
        "res.users",
        string="Callback Agent",
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Makes the estate's callbacks. Empty: the agent who handled the repair or complaint.",
    )
    ticket_assignment = fields.Selection(
        [("lead", "CS lead"), ("balanced", "Balanced among members")],
        default="lead",
        required=True,
        help="New tickets go to the CS lead, or to the member with the fewest open tickets. "
        "Tickets of key-account units always go to their dedicated person.",
    )

    unit_ids = fields.One2many("csw.unit", "project_id", string="Units")
    unit_count = fields.Integer(compute="_compute_counts")
    subcontract_ids = fields.One2many("csw.subcontract", "project_id", string="Subcontracts")
    subcontract_count = fields.Integer(compute="_compute_counts")
    note = fields.Html()

    _sql_constraints = [
        ("code_company_uniq", "UNIQUE(code, company_id)", "Another estate of this company already uses this code."),
        ("design_life_positive", "CHECK(design_life_years > 0)", "The design service life must be positive."),
    ]

    def _compute_counts(self):
        units = dict(self.env["csw.unit"]._read_group([("project_id", "in", self.ids)], ["project_id"], ["__count"]))
        subcontracts = dict(
            self.env["csw.subcontract"]._read_group([("project_id", "in", self.ids)], ["project_id"], ["__count"])
        )
        for project in self:
            project.unit_count = units.get(project, 0)
            project.subcontract_count = subcontracts.get(project, 0)

    def _csw_check_write(self, vals):
        super()._csw_check_write(vals)
        if (
            self.env.su
            or "completion_date" not in vals
            or self._csw_unchanged("completion_date", vals["completion_date"])
        ):
            return
        # the subcontractors' liability and the retention dates of contracts in force count from it
        in_force = (
            self.env["csw.subcontract"]
            .sudo()
            .search([("project_id", "in", self.ids), ("state", "in", IN_FORCE_CONTRACT_STATES)], limit=1)
        )
        if in_force:
            raise UserError(
                self.env._(
                    "Estate %(estate)s has contracts in force (%(contract)s): its completion date decides how long "
                    "their teams are liable and until when their retention is held. Move each contract's "
                    "Retention Held Until with its Move button and a reason instead.",
                    estate=in_force.project_id.name,
                    contract=in_force.name,
                )
            )

    @api.constrains("completion_date", "handover_date")
    def _check_dates(self):
        for project in self:
            if project.handover_date and not project.completion_date:
                raise ValidationError(
                    self.env._(
                        "Estate %(estate)s cannot be handed over before its completion acceptance: "
                        "enter the completion-acceptance date first.",
                        estate=project.name,
                    )
                )
            if project.handover_date and project.handover_date < project.completion_date:
                raise ValidationError(
                    self.env._(
                        "Estate %(estate)s cannot be handed over on %(handover)s, "
                        "before its completion acceptance on %(completion)s.",
                        estate=project.name,
                        handover=project.handover_date,
                        completion=project.completion_date,
                    )
                )
            # the units already handed over must still be after the completion acceptance
            domain = [("project_id", "=", project.id), ("handover_date", "!=", False)]
            if project.completion_date:
                domain.append(("handover_date", "<", project.completion_date))
            self.env["csw.unit"].search(domain, limit=1)._check_handover_date()

    @api.model_create_multi
    def create(self, vals_list):
        memo = _name_search_memo.get()
        if memo:
            memo.clear()  # an import may create estates by name: search them again
        return super().create(vals_list)

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        memo = _name_search_memo.get()
        if memo is None:
            return super().name_search(name=name, args=args, operator=operator, limit=limit)
        key = (name, repr(args), operator, limit, self.env.uid, repr(sorted(self.env.context.items())))
        if key not in memo:
            memo[key] = super().name_search(name=name, args=args, operator=operator, limit=limit)
        return list(memo[key])

    def action_view_units(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_unit_action")
        action["domain"] = [("project_id", "=", self.id)]
        action["context"] = {"default_project_id": self.id}
        return action

    def action_view_subcontracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_subcontract_action")
        action["domain"] = [("project_id", "=", self.id)]
        action["context"] = {"default_project_id": self.id}
        return action
