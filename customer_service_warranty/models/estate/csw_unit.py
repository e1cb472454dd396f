import contextlib
import re
from contextvars import ContextVar
from datetime import date

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

from ..base import warranty_clock
from .csw_project import estate_name_searches_memoized

# the defaults of a bulk creation, read once for all its units (see CswUnit.default_get)
_bulk_defaults = ContextVar("csw_unit_bulk_defaults", default=None)


# a unit as owners say it: an optional estate, then building, entrance and room, written
# 3-2-1102, 3栋2单元1102, 3号楼2单元1102室, 翠湖苑3-2-1102 or 翠湖苑 3-2-1102
UNIT_REFERENCE = re.compile(
    r"^\s*(?P<estate>.*?)\s*(?P<building>\d+)\s*(?:号楼|栋|幢|座|#|-)\s*(?P<entrance>\d+)\s*(?:单元|-)\s*"
    r"(?P<room>\d+)\s*(?:室|号)?\s*$"
)


class CswUnit(models.Model):
    """A unit (房屋 / 户) of an estate, named as owners write it: 楼栋-单元-房号."""

    _name = "csw.unit"
    _description = "Unit"
    _inherit = ["csw.workflow.mixin", "mail.thread"]
    _order = "project_id, building, name"
    _check_company_auto = True
    _rec_names_search = ["name", "owner_id.name", "owner_id.phone", "owner_id.mobile"]

    name = fields.Char(required=True, index="trigram", help="Building-entrance-room, e.g. 3-2-1201.")
    project_id = fields.Many2one(
        "csw.project",
        string="Estate",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    # the estate's company (see _check_company_is_estates). Not a related field: Odoo drops
    # the values given for a readonly precomputed field, so an import would either build a
    # new record per unit to compute it or rewrite every row after the insert; this way the
    # import fills it from the estate once (_with_estate_values) and it goes into the INSERT
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
    )
    building = fields.Char(
        compute="_compute_building",
        store=True,
        readonly=False,
        precompute=True,
        help="Building number; taken from the unit name (3-2-1201 → 3) unless entered.",
    )
    address = fields.Char(help="Street address (路址) of the unit.")
    active = fields.Boolean(default=True)

    owner_id = fields.Many2one("res.partner", index=True, tracking=True)
    owner_phone = fields.Char(related="owner_id.phone")
    owner_mobile = fields.Char(related="owner_id.mobile")
    handover_date = fields.Date(
        compute="_compute_handover_date",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="The owner's warranty runs from this date. Defaults to the estate's handover date.",
    )
    key_account = fields.Boolean(
        tracking=True,
        help="Unit with serious or repeated defects, followed by a dedicated person (重点户).",
    )
    key_account_user_id = fields.Many2one(
        "res.users",
        string="Dedicated Person",
        tracking=True,
        domain="[('share', '=', False)]",
    )
    warranty_summary = fields.Html(
        compute="_compute_warranty_summary",
        sanitize=False,
        help="Warranty end per category: owner coverage and subcontractor liability.",
    )

    # Decoration milestones: a callback plan of the estate calls the owner after each
    start_notice_date = fields.Date(
        string="Start Notice",
        tracking=True,
        help="Date of the works department's start notice (开工通知单): the owner is called every week "
        "from then until the completion notice.",
    )
    material_entry_date = fields.Date(string="Material Entry", tracking=True)
    mid_inspection_date = fields.Date(string="Mid-term Inspection", tracking=True)
    decoration_completion_date = fields.Date(
        string="Decoration Completion",
        tracking=True,
        help="Date of the completion notice (完工通知单): in a decoration estate, the monthly then "
        "quarterly callbacks count from it instead of the handover.",
    )

    _sql_constraints = [
        ("name_project_uniq", "UNIQUE(project_id, name)", "This unit already exists in the estate."),
    ]

    @api.model
    def _parse_unit_reference(self, text):
        """``(estate, unit name)`` of a unit written as owners say it (``UNIT_REFERENCE``), the
        unit name in the form units are stored (3-2-1102); ``None`` for any other text."""
        match = UNIT_REFERENCE.match(text or "")
        if not match:
            return None
        return match["estate"].strip(), "-".join((match["building"], match["entrance"], match["room"]))

    @api.model
    def _search_display_name(self, operator, value):
        """Name, owner and phone as usual, and a unit written as owners say it: the ticket's unit
        field, the list searches of tickets, callbacks and units all find the caller through it."""
        domain = super()._search_display_name(operator, value)
        if operator not in ("ilike", "=ilike", "like", "=like", "=") or not isinstance(value, str):
            return domain
        reference = self._parse_unit_reference(value)
        if not reference:
            return domain
        estate, unit_name = reference
        unit_domain = [("name", "=", unit_name)]
        if estate:
            unit_domain = expression.AND([unit_domain, [("project_id.name", "ilike", estate)]])
        return expression.OR([domain, unit_domain])

    @api.depends("project_id.company_id")
    def _compute_company_id(self):
        for unit in self:
            unit.company_id = unit.project_id.company_id

    @api.depends("name")
    def _compute_building(self):
        for unit in self:
            if not unit.building and unit.name and "-" in unit.name:
                unit.building = unit.name.split("-", 1)[0].strip()

    @api.depends("project_id")
    def _compute_handover_date(self):
        for unit in self:
            unit.handover_date = unit.project_id.handover_date

    @api.depends("project_id", "name")
    def _compute_display_name(self):
        for unit in self:
            unit.display_name = f"{unit.project_id.name} {unit.name}" if unit.project_id else unit.name

    @api.depends_context("company")
    @api.depends("handover_date", "project_id.completion_date", "project_id.design_life_years")
    def _compute_warranty_summary(self):
        categories = self.env["csw.defect.category"].search([("parent_id", "=", False)], order="sequence, id")
        headers = (
            self.env._("Category"),
            self.env._("Period"),
            self.env._("Owner coverage until"),
            self.env._("Subcontractor liability until"),
        )
        for unit in self:
            if not unit.project_id:
                unit.warranty_summary = False
                continue
            rows = Markup("").join(
                Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
                % (
                    line["category"].name,
                    line["category"].period_display,
                    self._format_coverage(line["owner_end"], line["owner_coverage"]),
                    self._format_coverage(line["subcontractor_end"], line["subcontractor_coverage"]),
                )
                for line in unit._get_warranty_lines(categories)
            )
            head = Markup("").join(Markup("<th>%s</th>") % header for header in headers)
            unit.warranty_summary = Markup(
                '<table class="table table-sm o_csw_warranty_summary">'
                "<thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
            ) % (head, rows)

    @api.model_create_multi
    def create(self, vals_list):
        if self._csw_bulk_creation(vals_list):
            # an import: no creation note nor follower per unit, and the estate's values read
            # once for all its units
            vals_list = self._with_estate_values(vals_list)
            token = _bulk_defaults.set({})
            try:
                units = super(CswUnit, self.with_context(tracking_disable=True)).create(vals_list)
            finally:
                _bulk_defaults.reset(token)
            return units.with_env(self.env)
        return super().create(vals_list)

    def _csw_bulk_creation(self, vals_list):
        """Whether creating ``vals_list`` is a bulk creation (an import): more units than the
        company plans in the request (``csw_plan_inline_limit``), tracking not disabled already.
        The domains above leave the per-unit work of such a creation to the background."""
        return len(vals_list) > self.env.company.csw_plan_inline_limit and not self.env.context.get("tracking_disable")

    @api.model
    def load(self, fields, data):
        fields, data, estate = self._estate_of_import(fields, data)
        if estate:
            self = self.with_context(default_project_id=estate.id)
        # an import with an estate column names a handful of estates in every row
        with estate_name_searches_memoized():
            return super().load(fields, data)

    @api.model
    def _estate_of_import(self, fields, data):
        """``(fields, data, estate)``: an estate column naming one estate in every row is
        imported as from that estate's units (column dropped, the estate a default), where
        Odoo's importer would look the name up again on every row; else unchanged, no estate."""
        estate = self.env["csw.project"]
        if "project_id" not in fields or not data:
            return fields, data, estate
        column = fields.index("project_id")
        if any(len(row) != len(fields) for row in data):
            return fields, data, estate  # Odoo's importer reports malformed rows
        names = {row[column] for row in data}
        if len(names) != 1 or not (name := names.pop()):
            return fields, data, estate
        found = estate.name_search(name=name, operator="=", limit=2)
        if len(found) != 1:
            return fields, data, estate  # no estate or several: Odoo's importer says so
        kept = [index for index in range(len(fields)) if index != column]
        return [fields[i] for i in kept], [[row[i] for i in kept] for row in data], estate.browse(found[0][0])

    @api.model
    def default_get(self, fields_list):
        # the ORM asks the defaults of each new record; a unit's are the same for all the
        # units of one creation: an import reads them once, not once per unit
        memo = _bulk_defaults.get()
        if memo is None:
            return super().default_get(fields_list)
        key = tuple(fields_list)
        if key not in memo:
            memo[key] = super().default_get(fields_list)
        return dict(memo[key])

    @api.model
    def _with_estate_values(self, vals_list):
        """``vals_list`` given the company, building and handover date the new units compute
        (``precompute``): read once per estate here, where the ORM would compute them on a
        new record per unit before inserting."""
        default_project_id = self.default_get(["project_id"]).get("project_id")
        project_ids = {vals.get("project_id", default_project_id) for vals in vals_list}
        projects = {project.id: project for project in self.env["csw.project"].browse(filter(None, project_ids))}
        for vals in vals_list:
            project = projects.get(vals.get("project_id", default_project_id))
            if not project:
                continue  # refused by the required estate
            vals.setdefault("project_id", project.id)
            vals["company_id"] = project.company_id.id
            vals.setdefault("handover_date", project.handover_date)
            if isinstance(vals["handover_date"], str):
                # parsed once here: the ORM parses a date string three times (strptime)
                with contextlib.suppress(ValueError):
                    vals["handover_date"] = date.fromisoformat(vals["handover_date"][:10])
            if "building" not in vals:
                name = vals.get("name") or ""
                vals["building"] = name.split("-", 1)[0].strip() if "-" in name else False
        return vals_list

    def _check_company(self, fnames=None):
        # the unit's company is its estate's (_check_company_is_estates, checked on the values
        # in memory): the generic check would query it unit by unit, most of an import's time
        checked = self._fields if fnames is None or "company_id" in fnames else fnames
        return super()._check_company([name for name in checked if name not in ("company_id", "project_id")])

    def _format_coverage(self, end, coverage):
        if end is None:
            return self.env._("not started")
        label = self.env._("expired") if coverage == warranty_clock.EXPIRED else ""
        return f"{fields.Date.to_string(end)} {label}".strip()

    @api.constrains("company_id", "project_id")
    def _check_company_is_estates(self):
        for unit in self:
            if unit.company_id != unit.project_id.company_id:
                raise ValidationError(
                    self.env._(
                        "Unit %(unit)s belongs to the company of its estate %(estate)s (%(company)s) and to no other.",
                        unit=unit.name,
                        estate=unit.project_id.name,
                        company=unit.project_id.company_id.name,
                    )
                )

    @api.constrains("start_notice_date", "decoration_completion_date")
    def _check_decoration_dates(self):
        for unit in self.filtered(lambda u: u.start_notice_date and u.decoration_completion_date):
            if unit.decoration_completion_date < unit.start_notice_date:
                raise ValidationError(
                    self.env._(
                        "Unit %(unit)s: the works cannot be completed on %(completion)s, "
                        "before their start notice of %(start)s.",
                        unit=unit.name,
                        completion=unit.decoration_completion_date,
                        start=unit.start_notice_date,
                    )
                )

    @api.constrains("handover_date", "project_id")
    def _check_handover_date(self):
        for unit in self.filtered("handover_date"):
            completion = unit.project_id.completion_date
            if not completion or unit.handover_date < completion:
                raise ValidationError(
                    self.env._(
                        "Unit %(unit)s cannot be handed over on %(handover)s: estate %(estate)s "
                        "passed completion acceptance on %(completion)s, and no unit may be handed "
                        "over before it.",
                        unit=unit.name,
                        handover=unit.handover_date,
                        estate=unit.project_id.name,
                        completion=completion or self.env._("(not yet)"),
                    )
                )

    def _get_warranty_lines(self, categories, on_date=None, ends=None):
        """Both warranty clocks of this unit for each of ``categories``.

        :param dict ends: a cache of the ends already computed, shared by the callers that
            ask for many units at once (a batch of repair orders shares a few categories,
            handover dates and estates)
        :return: a list of dicts with ``category``, ``owner_end``, ``owner_coverage``,
            ``subcontractor_end``, ``subcontractor_coverage``; ends are ``None`` while
            a clock has not started.
        """
        self.ensure_one()
        on_date = on_date or fields.Date.context_today(self)
        ends = {} if ends is None else ends
        project = self.project_id

        def warranty_end(category, start):
            key = (category.id, start, project.id)
            if key not in ends:
                ends[key] = category._get_warranty_end(start, project)
            return ends[key]

        lines = []
        for category in categories:
            owner_end = warranty_end(category, self.handover_date)
            subcontractor_end = warranty_end(category, project.completion_date)
            lines.append(
                {
                    "category": category,
                    "owner_end": owner_end,
                    "owner_coverage": warranty_clock.coverage_on(owner_end, on_date),
                    "subcontractor_end": subcontractor_end,
                    "subcontractor_coverage": warranty_clock.coverage_on(subcontractor_end, on_date),
                }
            )
        return lines

    def _get_coverage(self, category, report_date, ends=None):
        """Owner coverage and subcontractor liability of a defect of ``category`` reported on
        ``report_date`` (``ends``: see ``_get_warranty_lines``)."""
        self.ensure_one()
        return self._get_warranty_lines(category, on_date=report_date, ends=ends)[0]
