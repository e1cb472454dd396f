from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from ..base import warranty_clock


class CswDefectCategory(models.Model):
    """Warranty class of a defect (保修类别), with its warranty period.

    The statutory minimum (《房屋建筑工程质量保修办法》 Art. 7) is data: it ships
    with the addon and users cannot change it. The period actually granted is
    set per company and may only be longer than the minimum. A category without
    a period of its own uses its parent's.
    """

    _name = "csw.defect.category"
    _description = "Defect Category"
    _inherit = ["csw.workflow.mixin"]
    _parent_store = True
    _order = "sort_path"
    _rec_names_search = ["name", "code", "parent_id.name"]
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", search="_search_complete_name", recursive=True)
    sort_path = fields.Char(
        compute="_compute_sort_path",
        recursive=True,
        store=True,
        index=True,
        help="Orders categories as a tree, by sequence under each parent.",
    )
    code = fields.Char(index=True)
    parent_id = fields.Many2one(
        "csw.defect.category",
        string="Parent Category",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("csw.defect.category", "parent_id", string="Sub-categories")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to share the category with every company.",
    )
    description = fields.Text(translate=True)
    urgent = fields.Boolean(
        string="Urgent by Default",
        help="A ticket or owner repair of this category is proposed urgent (紧急): leaks, no water, no power.",
    )
    legal_basis = fields.Char(translate=True, help="The article of law that sets the statutory minimum.")

    # Statutory minimum: shipped as data, read-only for users.
    statutory = fields.Boolean(
        readonly=True,
        help="The law sets a minimum warranty period for this category.",
    )
    statutory_period_type = fields.Selection(warranty_clock.PERIOD_TYPES, readonly=True)
    statutory_period_value = fields.Integer(readonly=True)

    # Period granted by the current company (empty: the statutory minimum, or the parent's).
    period_type = fields.Selection(
        warranty_clock.PERIOD_TYPES,
        company_dependent=True,
        help="Leave empty to use the statutory minimum or the parent category's period.",
    )
    period_value = fields.Integer(company_dependent=True)
    effective_period_type = fields.Selection(
        warranty_clock.PERIOD_TYPES,
        string="Period Type in Force",
        compute="_compute_effective_period",
    )
    effective_period_value = fields.Integer(string="Period in Force", compute="_compute_effective_period")
    period_display = fields.Char(string="Warranty Period", compute="_compute_effective_period")
    minimum_display = fields.Char(string="Statutory Minimum", compute="_compute_effective_period")

    _sql_constraints = [
        ("period_value_positive", "CHECK(statutory_period_value >= 0)", "Periods cannot be negative."),
    ]

    # The full name follows the user's language, so it is computed, not stored.
    @api.depends_context("lang")
    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = f"{category.parent_id.complete_name} / {category.name}"
            else:
                category.complete_name = category.name

    def _search_complete_name(self, operator, value):
        if operator in expression.NEGATIVE_TERM_OPERATORS:
            return [
                "&",
                ("name", operator, value),
                "|",
                ("parent_id", "=", False),
                ("parent_id.name", operator, value),
            ]
        return ["|", ("name", operator, value), ("parent_id.name", operator, value)]

    @api.depends("complete_name")
    def _compute_display_name(self):
        for category in self:
            category.display_name = category.complete_name

    @api.depends("sequence", "parent_id.sort_path")
    def _compute_sort_path(self):
        for category in self:
            own = f"{category.sequence:06d}.{category._origin.id or 0:09d}/"
            category.sort_path = (category.parent_id.sort_path or "") + own

    @api.depends_context("company")
    @api.depends(
        "period_type",
        "period_value",
        "statutory_period_type",
        "statutory_period_value",
        "parent_id",
    )
    def _compute_effective_period(self):
        for category in self:
            period_type, value = category._get_period()
            minimum_type, minimum_value = category._get_statutory_minimum()
            category.effective_period_type = period_type
            category.effective_period_value = value
            category.period_display = self._format_period(period_type, value)
            category.minimum_display = self._format_period(minimum_type, minimum_value)

    @api.constrains("period_type", "period_value", "parent_id")
    def _check_statutory_minimum(self):
        # A change on a parent reaches the sub-categories that use its period.
        categories = self.search([("id", "child_of", self.ids)]) if self.ids else self
        for category in categories:
            period_type, value = category._get_period()
            minimum_type, minimum_value = category._get_statutory_minimum()
            if period_type and period_type != "design_life" and value <= 0:
                raise ValidationError(
                    self.env._(
                        "The warranty period of %(category)s must be at least one %(unit)s.",
                        category=category.complete_name,
                        unit=self._format_period(period_type, 1),
                    )
                )
            if not minimum_type or self._period_covers(period_type, value, minimum_type, minimum_value):
                continue
            raise ValidationError(
                self.env._(
                    "The warranty period of %(category)s cannot be %(period)s: the law requires "
                    "at least %(minimum)s. A company may lengthen a statutory period, never shorten it.",
                    category=category.complete_name,
                    period=self._format_period(period_type, value) or self.env._("none"),
                    minimum=self._format_period(minimum_type, minimum_value),
                )
            )

    def write(self, vals):
        statutory_fields = {"statutory", "statutory_period_type", "statutory_period_value"}
        if statutory_fields & vals.keys() and not self.env.su:
            raise UserError(
                self.env._(
                    "The statutory minimum warranty periods are set by law and cannot be edited. "
                    "Lengthen the company's period instead."
                )
            )
        derived = {"parent_path", "sort_path"} & vals.keys()
        if derived and not self.env.su:
            raise UserError(
                self.env._(
                    "%(field)s of a defect category follows its parent and sequence: change those instead.",
                    field=self._fields[sorted(derived)[0]]._description_string(self.env),
                )
            )
        return super().write(vals)

    def _get_period(self):
        """``(period_type, value)`` granted by the current company, inherited or statutory."""
        self.ensure_one()
        category = self
        while category:
            if category.period_type:
                return category.period_type, category.period_value
            if category.statutory_period_type:
                return category.statutory_period_type, category.statutory_period_value
            category = category.parent_id
        return False, 0

    def _get_statutory_minimum(self):
        """``(period_type, value)`` of the nearest statutory minimum up the hierarchy."""
        self.ensure_one()
        category = self
        while category:
            if category.statutory_period_type:
                return category.statutory_period_type, category.statutory_period_value
            category = category.parent_id
        return False, 0

    @staticmethod
    def _period_covers(period_type, value, minimum_type, minimum_value):
        """Whether a period is at least as long as a minimum of possibly another unit."""
        if minimum_type in ("design_life", "heating_seasons", "cooling_seasons"):
            return period_type == minimum_type and (minimum_type == "design_life" or value >= minimum_value)
        months = warranty_clock.period_in_months(period_type, value)
        return months is not None and months >= warranty_clock.period_in_months(minimum_type, minimum_value)

    def _format_period(self, period_type, value):
        if not period_type:
            return ""
        if period_type == "design_life":
            return self.env._("design service life")
        labels = {
            "years": self.env._("%(count)s year(s)", count=value),
            "months": self.env._("%(count)s month(s)", count=value),
            "heating_seasons": self.env._("%(count)s heating season(s)", count=value),
            "cooling_seasons": self.env._("%(count)s cooling season(s)", count=value),
        }
        return labels[period_type]

    def _get_warranty_end(self, start, project):
        """Last day covered by this category's period starting on ``start``.

        :param date start: handover date (owner) or completion acceptance (subcontractor)
        :param project: the ``csw.project`` (design service life, company seasons)
        """
        self.ensure_one()
        period_type, value = self.with_company(project.company_id)._get_period()
        if not period_type:
            return None
        return warranty_clock.warranty_end(
            start,
            period_type,
            value,
            design_life_years=project.design_life_years,
            seasons=project.company_id._csw_seasons(),
        )
