from collections import defaultdict

from dateutil.relativedelta import relativedelta
from markupsafe import Markup
from psycopg2.errors import LockNotAvailable

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, mute_logger
from odoo.tools.translate import LazyTranslate

from ..base.csw_locale import company_locale
from ..base.csw_workflow_mixin import Transition, door_admits, open_door
from ..base.kpi import share
from ..repair.csw_repair_order import OPEN_REPAIR_STATES

_lt = LazyTranslate(__name__)

MANAGER_GROUP = "customer_service_warranty.group_csw_manager"
BILLING_GROUP = "account.group_account_invoice"
# the commercial terms: locked once a deduction is posted or the retention released
TERMS = ("partner_id", "amount", "retention_percent", "agency_fee_percent")
# what a submitted or approved deduction was computed with
DEDUCTION_TERMS = ("partner_id", "agency_fee_percent")
RELEASE_BUTTON = _lt("the Release Retention button")
PENDING_DEDUCTION_STATES = ("draft", "submitted", "approved")
LEDGER_FIELDS = (
    "retention_held",
    "retention_deducted",
    "retention_released_amount",
    "retention_balance",
    "retention_reserved",
    "retention_free",
    "retention_shortfall",
)


class CswSubcontract(models.Model):
    """A subcontract (分包合同) of a team on an estate: its trade scope, warranty and retention.

    Rules kept by the model, whatever the client (DOMAIN §6, §6a):

    * the state and the release fields change only through the buttons
      (``_csw_protected_fields``);
    * the retention is released by a user with both the CS manager and the Billing rights
      (separation of duties: an accountant alone cannot pay it out), only while the contract
      is in force, after its liability end (``warranty_end_date``), and when no repair order
      of the contract is open and none of its deductions is pending — counted over all
      records, whatever the user may see, on the locked contract row;
    * the subcontractor and the agency fee are refused while a deduction of the contract is
      submitted or approved (it was computed with them); once a deduction is posted or the
      retention released, the terms (subcontractor, amount, retention %, agency fee %) are
      changed only by a CS manager, and each amendment is logged in the chatter (old → new).
      Posted deductions keep their amounts.
    """

    _name = "csw.subcontract"
    _description = "Subcontract"
    _inherit = ["csw.workflow.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "project_id, name"
    _check_company_auto = True

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            "state": _lt("the Put in Force, Close, Cancel and Reset to Draft buttons"),
            "retention_released": RELEASE_BUTTON,
            "retention_release_date": RELEASE_BUTTON,
            "retention_bill_id": RELEASE_BUTTON,
            "retention_amount": _lt("the contract amount and the retention %"),
            "liability_end_reminded": _lt("the liability end reminder"),
        }

    # a contract signed earlier may be entered in force
    def _csw_creatable_fields(self):
        return super()._csw_creatable_fields() | frozenset({"state"})

    name = fields.Char(string="Contract Number", required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Subcontractor",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        help="The responsible team (责任单位 / 班组).",
    )
    project_id = fields.Many2one(
        "csw.project",
        string="Estate",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="project_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    category_ids = fields.Many2many(
        "csw.defect.category",
        "csw_subcontract_category_rel",
        "subcontract_id",
        "category_id",
        string="Trade Scope",
        check_company=True,
        help="Defect categories this team is responsible for on the estate.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "In Force"),
            ("closed", "Closed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
    )
    signed_date = fields.Date(string="Signed On")
    amount = fields.Monetary(string="Contract Amount", tracking=True)

    # Warranty and retention (质保金)
    retention_percent = fields.Float(string="Retention %", default=5.0, tracking=True)
    retention_amount = fields.Monetary(compute="_compute_retention_amount", store=True)
    agency_fee_percent = fields.Float(
        string="Agency Fee %",
        default=0.0,
        tracking=True,
        help="Agency fee (代办费) charged on top of the cost of a substitute repair.",
    )
    defect_liability_months = fields.Integer(
        string="Defect Liability (Months)",
        default=24,
        help="Defect liability period (缺陷责任期) during which the retention is held, "
        "counted from the estate's completion acceptance; the law caps it at 24 months.",
    )
    warranty_end_date = fields.Date(
        string="Retention Held Until",
        compute="_compute_warranty_end_date",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="End of the subcontractor's defect liability: the retention can be released after it.",
    )
    entry_hours = fields.Integer(
        string="Entry Time (Hours)",
        default=48,
        help="Hours the team has to come on site after being notified of a defect.",
    )
    emergency_entry_hours = fields.Integer(
        string="Emergency Entry Time (Hours)",
        default=lambda self: self.env.company.csw_emergency_entry_hours,
        help="Hours the team has to come on site for an emergency repair (立即到达现场抢修), "
        "instead of its entry time.",
    )
    repair_days = fields.Integer(
        string="Repair Time Limit (Days)",
        default=lambda self: self.env.company.csw_repair_days,
        help="Calendar days the team has to finish a repair, counted from its entry deadline "
        "(维修期限): the completion deadline is printed on the notice. Past it, the order is "
        "flagged overdue and a substitute repair is proposed.",
    )
    note = fields.Html()

    # Retention review and release
    repair_order_ids = fields.One2many("csw.repair.order", "subcontract_id", string="Defects")
    deduction_ids = fields.One2many("csw.deduction", "subcontract_id", string="Deductions")
    open_repair_order_count = fields.Integer(string="Open Defects", compute="_compute_review")
    substitute_count = fields.Integer(string="Substitute Repairs", compute="_compute_review")
    deducted_amount = fields.Monetary(string="Deducted", compute="_compute_review", help="Posted deductions.")
    compensation_total = fields.Monetary(string="Compensation Paid", compute="_compute_review")
    review_html = fields.Html(string="Release Review", compute="_compute_review", sanitize=False)
    # Scorecard (set-based, ranked among the teams of the estate)
    defect_count = fields.Integer(string="Defects Found", compute="_compute_scorecard")
    entry_on_time_rate = fields.Float(string="On-time Entry (%)", compute="_compute_scorecard", digits=(5, 1))
    done_on_time_rate = fields.Float(
        string="On-time Completion (%)",
        compute="_compute_scorecard",
        digits=(5, 1),
        help="Repairs finished by their completion deadline, among those finished or overdue.",
    )
    reopen_rate = fields.Float(string="Reopened (%)", compute="_compute_scorecard", digits=(5, 1))
    scorecard_rank = fields.Integer(
        string="Rank",
        compute="_compute_scorecard",
        help="Rank among the teams of the estate: on-time entry first, then on-time completion, "
        "fewest reopened repairs, substitute repairs and defects.",
    )
    release_blockers = fields.Text(
        compute="_compute_release_blockers",
        help="What stops the release of the whole retention: the liability period still running, "
        "the open defects and the deductions not yet posted or cancelled.",
    )
    retention_released = fields.Boolean(readonly=True, copy=False, tracking=True)
    retention_release_date = fields.Date(readonly=True, copy=False)
    retention_bill_id = fields.Many2one("account.move", readonly=True, copy=False)
    # Retention ledger (质保金台账), set-based, counted over all records whatever the user sees
    retention_entry_ids = fields.One2many("csw.retention.entry", "subcontract_id", string="Retention Ledger")
    retention_review_ids = fields.One2many("csw.retention.review", "subcontract_id", string="Release Reviews")
    retention_held = fields.Monetary(
        compute="_compute_retention_ledger",
        help="Contract amount × retention %, once the contract is in force.",
    )
    retention_deducted = fields.Monetary(
        string="Charged to Retention",
        compute="_compute_retention_ledger",
        help="Posted deductions the team's open bills of the contract could not absorb.",
    )
    retention_released_amount = fields.Monetary(string="Retention Released", compute="_compute_retention_ledger")
    retention_balance = fields.Monetary(
        compute="_compute_retention_ledger",
        help="Held − charged − released.",
    )
    retention_reserved = fields.Monetary(
        string="Reserved for Open Defects",
        compute="_compute_retention_ledger",
        help="Estimated costs of the open defects not yet in a request, and the amounts of the "
        "pending substitute repair requests (draft, submitted, approved).",
    )
    retention_free = fields.Monetary(
        string="Releasable Now",
        compute="_compute_retention_ledger",
        help="Balance − reserve: what a partial release may pay out (预留足够代工款项后予以结算).",
    )
    retention_shortfall = fields.Boolean(
        compute="_compute_retention_ledger",
        help="The pending charges exceed the retention balance: nothing would be left to deduct "
        "from during the warranty (以免保修期无款可扣).",
    )
    liability_end_reminded = fields.Boolean(
        readonly=True, copy=False, help="The CS manager was reminded that the defect liability period ended."
    )

    _sql_constraints = [
        ("name_company_uniq", "UNIQUE(name, company_id)", "This contract number is already used."),
        ("amount_positive", "CHECK(amount >= 0)", "The contract amount cannot be negative."),
        (
            "retention_percent_range",
            "CHECK(retention_percent >= 0 AND retention_percent <= 100)",
            "The retention percentage must be between 0 and 100.",
        ),
        (
            "agency_fee_percent_range",
            "CHECK(agency_fee_percent >= 0 AND agency_fee_percent <= 100)",
            "The agency fee percentage must be between 0 and 100.",
        ),
        ("entry_hours_positive", "CHECK(entry_hours > 0)", "The entry time must be at least one hour."),
        (
            "emergency_entry_hours_positive",
            "CHECK(emergency_entry_hours > 0)",
            "The emergency entry time must be at least one hour.",
        ),
        ("repair_days_positive", "CHECK(repair_days > 0)", "The repair time limit must be at least one day."),
        (
            "defect_liability_positive",
            "CHECK(defect_liability_months >= 0)",
            "The defect liability period cannot be negative.",
        ),
    ]

    def _compute_review(self):
        """The two opinions of the release review: ① quality defects, ② substitute repairs and money."""
        Order = self.env["csw.repair.order"]
        defects = Order._read_group(
            [("subcontract_id", "in", self.ids)], ["subcontract_id", "category_id"], ["__count"]
        )
        open_defects = dict(
            Order._read_group(
                [("subcontract_id", "in", self.ids), ("state", "in", OPEN_REPAIR_STATES)],
                ["subcontract_id"],
                ["__count"],
            )
        )
        substitutes = Order._read_group(
            [("subcontract_id", "in", self.ids), ("is_substitute", "=", True)],
            ["subcontract_id"],
            ["__count", "compensation_amount:sum"],
        )
        substitutes = {subcontract: (count, total) for subcontract, count, total in substitutes}
        deductions = dict(
            self.env["csw.deduction"]._read_group(
                [("subcontract_id", "in", self.ids), ("state", "=", "posted")],
                ["subcontract_id"],
                ["amount_total:sum"],
            )
        )
        compensation = dict(
            Order._read_group([("subcontract_id", "in", self.ids)], ["subcontract_id"], ["compensation_amount:sum"])
        )
        for subcontract in self:
            by_category = [(category, count) for sc, category, count in defects if sc == subcontract]
            subcontract.open_repair_order_count = open_defects.get(subcontract, 0)
            subcontract.substitute_count = substitutes.get(subcontract, (0, 0))[0]
            subcontract.deducted_amount = deductions.get(subcontract, 0)
            subcontract.compensation_total = compensation.get(subcontract, 0)
            subcontract.review_html = subcontract._render_review(by_category)

    def _compute_retention_ledger(self):
        """Three grouped queries for any number of contracts, entries, orders and requests."""
        Entry = self.env["csw.retention.entry"].sudo()
        moved = defaultdict(float)
        for subcontract, entry_type, amount in Entry._read_group(
            [("subcontract_id", "in", self.ids)], ["subcontract_id", "entry_type"], ["amount:sum"]
        ):
            moved[subcontract.id, entry_type] = amount
        reserved = defaultdict(float)
        for subcontract, estimated in (
            self.env["csw.repair.order"]
            .sudo()
            ._read_group(
                [
                    ("subcontract_id", "in", self.ids),
                    ("state", "in", OPEN_REPAIR_STATES),
                    "|",
                    ("deduction_id", "=", False),
                    ("deduction_id.state", "=", "cancelled"),
                ],
                ["subcontract_id"],
                ["estimated_cost:sum"],
            )
        ):
            reserved[subcontract.id] += estimated
        for deduction in (
            self.env["csw.deduction"]
            .sudo()
            .search_fetch(
                [("subcontract_id", "in", self.ids), ("state", "in", PENDING_DEDUCTION_STATES)],
                ["subcontract_id", "estimated_cost", "amount_total"],
            )
        ):
            # a request is reserved at its estimate until the actual charge is known
            reserved[deduction.subcontract_id.id] += max(deduction.estimated_cost, deduction.amount_total)
        for subcontract in self:
            key = subcontract._origin.id
            held = subcontract.retention_amount if subcontract.state in ("active", "closed") else 0.0
            deducted, released = moved[key, "deducted"], moved[key, "released"]
            balance = subcontract.currency_id.round(held - deducted - released)
            reserve = subcontract.currency_id.round(reserved[key])
            subcontract.retention_held = held
            subcontract.retention_deducted = deducted
            subcontract.retention_released_amount = released
            subcontract.retention_balance = balance
            subcontract.retention_reserved = reserve
            subcontract.retention_free = max(0.0, balance - reserve)
            subcontract.retention_shortfall = subcontract.currency_id.compare_amounts(reserve, balance) > 0

    @api.model
    def web_search_read(self, domain, specification, offset=0, limit=None, order=None, count_limit=None):
        """The scorecard lists each estate's teams by rank unless the user sorts on a column: the
        rank is computed among the estate's teams, not stored, so it is ordered here."""
        if not self.env.context.get("csw_scorecard_order") or order:
            return super().web_search_read(domain, specification, offset, limit, order, count_limit)
        ranked = self.search(domain).sorted(
            lambda s: (s.project_id.sequence, s.project_id.name or "", s.project_id.id, s.scorecard_rank)
        )
        page = ranked[offset : offset + limit if limit else None]
        return self._format_web_search_read_results(domain, page.web_read(specification), offset, limit, count_limit)

    def _compute_release_blockers(self):
        blockers = self._release_blockers()
        for subcontract in self:
            subcontract.release_blockers = "\n".join(blockers.get(subcontract, [])) or False

    def _release_blockers(self):
        """``{contract: [sentence]}``: why each contract's whole retention cannot be released yet,
        the open defects and pending deductions by number (ten, then how many more); one search
        each, over every order and deduction whatever the user may see."""
        today = fields.Date.context_today(self)
        contracts = self.filtered(lambda c: c.state == "active" and not c.retention_released)
        orders = (
            self.env["csw.repair.order"]
            .sudo()
            .search([("subcontract_id", "in", contracts.ids), ("state", "in", OPEN_REPAIR_STATES)], order="id")
            .grouped("subcontract_id")
        )
        deductions = (
            self.env["csw.deduction"]
            .sudo()
            .search([("subcontract_id", "in", contracts.ids), ("state", "not in", ("posted", "cancelled"))], order="id")
            .grouped("subcontract_id")
        )
        blockers = {}
        for contract in contracts:
            reasons = []
            if not contract.warranty_end_date or contract.warranty_end_date > today:
                reasons.append(
                    self.env._("The defect liability runs until %(date)s.", date=contract.warranty_end_date or "-")
                )
            open_orders = orders.get(contract)
            if open_orders:
                reasons.append(
                    self.env._(
                        "%(count)s defect(s) still open: %(orders)s.",
                        count=len(open_orders),
                        orders=self._numbers(open_orders),
                    )
                )
            pending = deductions.get(contract)
            if pending:
                reasons.append(
                    self.env._("Deduction(s) to post or cancel: %(deductions)s.", deductions=self._numbers(pending))
                )
            if reasons:
                blockers[contract] = reasons
        return blockers

    def _numbers(self, records, shown=10):
        """The names of ``records``, the first ``shown`` then how many more."""
        names = "、".join(records[:shown].mapped("name"))
        if len(records) > shown:
            names = self.env._("%(names)s and %(count)s more", names=names, count=len(records) - shown)
        return names

    def _compute_scorecard(self):
        peers = self.search([("project_id", "in", self.project_id.ids), ("state", "!=", "cancelled")]) | self
        metrics = peers._scorecard_metrics()
        ranks = {}
        for _project, teams in peers.grouped("project_id").items():
            ordered = sorted(teams, key=lambda s: metrics[s]["sort_key"])
            ranks.update({subcontract: rank for rank, subcontract in enumerate(ordered, start=1)})
        for subcontract in self:
            values = metrics[subcontract]
            subcontract.defect_count = values["defects"]
            subcontract.entry_on_time_rate = values["entry_on_time_rate"]
            subcontract.done_on_time_rate = values["done_on_time_rate"]
            subcontract.reopen_rate = values["reopen_rate"]
            subcontract.scorecard_rank = ranks.get(subcontract, 0)

    def _scorecard_metrics(self):
        """Defects, on-time entry and completion, reopened repairs of these contracts, in five grouped queries."""
        Order = self.env["csw.repair.order"].sudo()
        mine = [("subcontract_id", "in", self.ids), ("state", "!=", "cancelled")]
        defects = dict(Order._read_group(mine, ["subcontract_id"], ["__count"]))
        entries = defaultdict(lambda: [0, 0])  # decided, on time
        for subcontract, late, count in Order._read_group(
            [*mine, ("notify_date", "!=", False), "|", ("entry_date", "!=", False), ("entry_late", "=", True)],
            ["subcontract_id", "entry_late"],
            ["__count"],
        ):
            entries[subcontract][0] += count
            if not late:
                entries[subcontract][1] += count
        completions = defaultdict(lambda: [0, 0])  # decided, on time
        for subcontract, late, count in Order._read_group(
            [*mine, ("done_deadline", "!=", False), "|", ("done_date", "!=", False), ("done_late", "=", True)],
            ["subcontract_id", "done_late"],
            ["__count"],
        ):
            completions[subcontract][0] += count
            if not late:
                completions[subcontract][1] += count
        completed = defaultdict(lambda: [0, 0])  # completed at least once, reopened
        for subcontract, reopened, count in Order._read_group(
            [*mine, "|", ("state", "in", ("done", "verified")), ("reopen_count", ">", 0)],
            ["subcontract_id", "reopen_count"],
            ["__count"],
        ):
            completed[subcontract][0] += count
            if reopened:
                completed[subcontract][1] += count
        substitutes = dict(Order._read_group([*mine, ("is_substitute", "=", True)], ["subcontract_id"], ["__count"]))

        metrics = {}
        for subcontract in self:
            decided, on_time = entries[subcontract]
            done, reopened = completed[subcontract]
            finished, finished_on_time = completions[subcontract]
            values = {
                "defects": defects.get(subcontract, 0),
                "entry_on_time_rate": share(on_time, decided) if decided else 100.0,
                "done_on_time_rate": share(finished_on_time, finished) if finished else 100.0,
                "reopen_rate": share(reopened, done),
                "substitutes": substitutes.get(subcontract, 0),
            }
            values["sort_key"] = (
                -values["entry_on_time_rate"],
                -values["done_on_time_rate"],
                values["reopen_rate"],
                values["substitutes"],
                values["defects"],
                subcontract.id,
            )
            metrics[subcontract] = values
        return metrics

    def action_view_defect_map(self):
        """The contract's defects by building and category."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_repair_order_action")
        action.update(
            {
                "domain": [("subcontract_id", "=", self.id), ("state", "!=", "cancelled")],
                "view_mode": "pivot,list,form",
                "views": [(False, "pivot"), (False, "list"), (False, "form")],
                "context": {"pivot_row_groupby": ["building"], "pivot_column_groupby": ["category_id"]},
                "name": self.env._("Defects of %(contract)s", contract=self.display_name),
            }
        )
        return action

    def _render_review(self, by_category):
        self.ensure_one()
        return self.env["ir.qweb"]._render(
            "customer_service_warranty.subcontract_release_review",
            {"subcontract": self, "by_category": by_category},
        )

    @api.depends("amount", "retention_percent")
    def _compute_retention_amount(self):
        for subcontract in self:
            subcontract.retention_amount = subcontract.currency_id.round(
                subcontract.amount * subcontract.retention_percent / 100
            )

    @api.depends("project_id.completion_date", "defect_liability_months")
    def _compute_warranty_end_date(self):
        for subcontract in self:
            completion = subcontract.project_id.completion_date
            subcontract.warranty_end_date = completion and completion + relativedelta(
                months=subcontract.defect_liability_months
            )

    # ------------------------------------------------------------------
    # Contract terms
    # ------------------------------------------------------------------
    def _csw_terms_locked(self):
        """The contracts of ``self`` whose terms are locked: a deduction posted or the retention released."""
        posted = (
            self.env["csw.deduction"]
            .sudo()
            .search([("subcontract_id", "in", self.ids), ("state", "=", "posted")])
            .subcontract_id
        )
        return self.filtered(lambda subcontract: subcontract.retention_released or subcontract in posted)

    def _csw_changed_terms(self, vals):
        return [fname for fname in TERMS if fname in vals and not self._csw_unchanged(fname, vals[fname])]

    def _csw_binding_deadlines(self):
        # the retention is paid out after this date: a CS manager moves it, with a reason
        return {**super()._csw_binding_deadlines(), "warranty_end_date": MANAGER_GROUP}

    def _csw_deadline_binds(self, fname):
        if fname == "warranty_end_date":
            return self.state != "draft"
        return super()._csw_deadline_binds(fname)

    def _csw_check_write(self, vals):
        changed = self._csw_changed_terms(vals)
        if not changed:
            return
        follow = [fname for fname in changed if fname in DEDUCTION_TERMS]
        if follow:
            in_flight = (
                self.env["csw.deduction"]
                .sudo()
                .search([("subcontract_id", "in", self.ids), ("state", "in", ("submitted", "approved"))], limit=1)
            )
            if in_flight:
                raise UserError(
                    self.env._(
                        "Deduction %(deduction)s of contract %(contract)s is submitted or approved with the "
                        "current %(field)s: the change is refused until it is posted or cancelled.",
                        deduction=in_flight.name,
                        contract=in_flight.subcontract_id.name,
                        field=self._fields[follow[0]]._description_string(self.env),
                    )
                )
        locked = self._csw_terms_locked()
        if locked and not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._(
                    "The terms of contract %(contract)s are locked: a deduction is posted or the retention "
                    "released. Only a CS manager may amend them, and the amendment is recorded.",
                    contract=locked[:1].name,
                )
            )

    def write(self, vals):
        amended = {}
        if not door_admits(self, vals) and any(fname in vals for fname in TERMS):
            for subcontract in self._csw_terms_locked():
                changed = subcontract._csw_changed_terms(vals)
                if changed:
                    amended[subcontract] = {fname: subcontract._csw_term_text(fname) for fname in changed}
        result = super().write(vals)
        for subcontract, before in amended.items():
            changes = Markup("").join(
                Markup("<li>%s: %s → %s</li>")
                % (self._fields[fname]._description_string(self.env), old, subcontract._csw_term_text(fname))
                for fname, old in before.items()
            )
            subcontract.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    self.env._(
                        "Contract terms amended by %(user)s after a posted deduction or the retention "
                        "release; posted deductions keep their amounts:",
                        user=self.env.user.name,
                    ),
                    changes,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return result

    def _csw_term_text(self, fname):
        value = self[fname]
        return value.display_name if fname == "partner_id" else str(value)

    def _most_specific_for(self, category):
        """The contract of ``self`` that covers ``category`` most closely (an active one before a
        draft, then the one on the deepest ancestor, then the oldest); empty when none covers it."""
        lineage = [int(part) for part in category.parent_path.split("/") if part]
        best, best_key = self.browse(), None
        for subcontract in self:
            depths = [lineage.index(cid) for cid in subcontract.category_ids.ids if cid in lineage]
            if not depths:
                continue
            key = (subcontract.state == "active", max(depths), -subcontract.id)
            if best_key is None or key > best_key:
                best, best_key = subcontract, key
        return best

    def action_release_retention(self):
        """Pay the whole balance out and close the contract; see the class docstring for the rules."""
        self._csw_check_release_allowed()
        blockers = self._release_blockers()
        for subcontract in self:
            if subcontract in blockers:
                raise UserError(
                    self.env._(
                        "The retention of %(contract)s cannot be released:\n%(blockers)s\n"
                        "A partial release keeping the reserve back is possible.",
                        contract=subcontract.name,
                        blockers="\n".join(blockers[subcontract]),
                    )
                )
            review = subcontract._csw_release_review("release_all")
            bill = subcontract._create_retention_bill(subcontract.retention_balance, review)
            subcontract._csw_workflow_write(
                {
                    "retention_released": True,
                    "retention_release_date": fields.Date.context_today(self),
                    "retention_bill_id": bill.id,
                    "state": "closed",
                }
            )
        return True

    def action_release_retention_partial(self):
        """Pay out the balance less the reserve for the open defects and pending requests
        (预留足够代工款项后予以结算); the contract stays in force with the reserve held."""
        self._csw_check_release_allowed()
        for subcontract in self:
            review = subcontract._csw_release_review("partial")
            amount = subcontract.retention_free
            if subcontract.currency_id.compare_amounts(amount, 0) <= 0:
                raise UserError(
                    self.env._(
                        "Nothing of the retention of %(contract)s can be released: its balance %(balance)s does "
                        "not exceed what is reserved for open defects and pending requests (%(reserve)s).",
                        contract=subcontract.name,
                        balance=subcontract.retention_balance,
                        reserve=subcontract.retention_reserved,
                    )
                )
            subcontract._create_retention_bill(amount, review)
        return True

    def _csw_check_release_allowed(self):
        """Rights, state and liability end, checked again on the locked rows."""
        if not all(self.env.user.has_group(xmlid) for xmlid in (MANAGER_GROUP, BILLING_GROUP)):
            raise AccessError(
                self.env._("Releasing retention money needs both the CS manager and the Billing (accounting) rights.")
            )
        self._check_state_in(("draft", "active", "closed", "cancelled"), self.env._("released"))
        self._lock_for_release()
        today = fields.Date.context_today(self)
        for subcontract in self:
            if subcontract.retention_released:
                raise UserError(
                    self.env._("The retention of %(contract)s is already released.", contract=subcontract.name)
                )
            if subcontract.state != "active":
                raise UserError(
                    self.env._(
                        "The retention of %(contract)s can only be released while the contract is in force.",
                        contract=subcontract.name,
                    )
                )
            if not subcontract.warranty_end_date or subcontract.warranty_end_date > today:
                raise UserError(
                    self.env._(
                        "The retention of %(contract)s is held until the end of the defect liability "
                        "(%(date)s): it cannot be released before.",
                        contract=subcontract.name,
                        date=subcontract.warranty_end_date or "-",
                    )
                )

    def _lock_for_release(self):
        """Lock the contract rows: a second release waits for the first one, then sees it."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL("SELECT id FROM csw_subcontract WHERE id IN %s FOR UPDATE NOWAIT", tuple(self.ids))
                )
        except LockNotAvailable:
            raise UserError(
                self.env._("Another user is releasing or changing this contract right now. Try again in a moment.")
            ) from None
        # what another transaction committed before the lock, and the ledger figures computed from it
        self.invalidate_recordset(["state", "retention_released", *LEDGER_FIELDS])

    def _csw_release_review(self, conclusion):
        """The contract's latest review, recorded for this release and not used by another one."""
        self.ensure_one()
        review = (
            self.env["csw.retention.review"]
            .sudo()
            .search([("subcontract_id", "=", self.id)], order="review_date desc, id desc", limit=1)
        )
        if not review or review.entry_id or review.conclusion != conclusion:
            conclusions = dict(review._fields["conclusion"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Record a release review of %(contract)s concluding “%(conclusion)s” first (seed 4.7: the "
                    "quality defects and the substitute repairs are reviewed before any release).",
                    contract=self.name,
                    conclusion=conclusions[conclusion],
                )
            )
        return review

    def _create_retention_bill(self, amount, review):
        """The vendor bill paying ``amount`` of the retention, its ledger entry and the review's PDF."""
        self.ensure_one()
        accounting = self.company_id._csw_deduction_accounting()
        bill = open_door(
            self.env["account.move"].with_company(self.company_id), {"csw_retention_release"}, creating=True
        ).create(
            {
                "move_type": "in_invoice",
                "partner_id": self.partner_id.id,
                "journal_id": accounting["journal"].id,
                "invoice_date": fields.Date.context_today(self),
                "ref": self.env._("Retention release %(contract)s", contract=self.name),
                "csw_subcontract_id": self.id,
                "csw_retention_release": True,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": self.env._("Retention money of contract %(contract)s", contract=self.name),
                            "account_id": accounting["retention"].id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        bill.action_post()
        entry = (
            self.env["csw.retention.entry"]
            .sudo()
            .create(
                {
                    "subcontract_id": self.id,
                    "entry_type": "released",
                    "amount": amount,
                    "move_id": bill.id,
                    "review_id": review.id,
                }
            )
        )
        review.sudo().entry_id = entry
        self.env["ir.attachment"].sudo().create(
            {
                "name": self.env._("Retention release review %(contract)s.pdf", contract=self.name),
                "type": "binary",
                "raw": review._csw_render_pdf(),
                "res_model": "account.move",
                "res_id": bill.id,
                "mimetype": "application/pdf",
            }
        )
        self.invalidate_recordset(LEDGER_FIELDS)
        return bill

    def _csw_settlement_bills(self):
        """The team's posted bills of these contracts still to be paid (not the retention releases)."""
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("move_type", "=", "in_invoice"),
                    ("state", "=", "posted"),
                    ("csw_subcontract_id", "in", self.ids),
                    ("csw_retention_release", "=", False),
                    ("commercial_partner_id", "in", self.partner_id.commercial_partner_id.ids),
                    ("amount_residual", ">", 0),
                ]
            )
        )

    def _csw_retention_transfer(self, note, amount):
        """Debit the retention account, credit the team's payable: the posted entry charging
        ``amount`` of credit note ``note`` to the retention; it matches the note's payable."""
        self.ensure_one()
        accounting = self.company_id._csw_deduction_accounting()
        Entry = self.env["csw.retention.entry"]
        transfer = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "entry",
                    # a transfer between two balance-sheet accounts: a miscellaneous entry
                    "journal_id": (
                        self.env["account.journal"]
                        .sudo()
                        .search([("type", "=", "general"), ("company_id", "=", self.company_id.id)], limit=1)
                        or accounting["journal"]
                    ).id,
                    "date": note.date,
                    "ref": self.env._(
                        "Deduction %(deduction)s charged to the retention of %(contract)s",
                        deduction=note.csw_deduction_id.name,
                        contract=self.name,
                    ),
                    "csw_subcontract_id": self.id,
                    "line_ids": Entry._csw_transfer_lines(self, note, amount, accounting["retention"]),
                }
            )
        )
        transfer.action_post()
        return transfer

    @api.model
    @company_locale
    def _cron_remind_liability_end(self):
        """Once per contract: a to-do for the company's CS manager when the defect liability ended."""
        ended = self.search(
            [
                ("state", "=", "active"),
                ("retention_released", "=", False),
                ("liability_end_reminded", "=", False),
                ("warranty_end_date", "<=", fields.Date.context_today(self)),
                ("company_id.csw_cs_manager_id", "!=", False),
            ]
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        for subcontract in ended:
            note = self.env._(
                "The defect liability of %(contract)s (%(team)s) ended on %(date)s: review the quality defects "
                "and substitute repairs and release the retention (balance %(balance)s, reserved %(reserve)s).",
                contract=subcontract.name,
                team=subcontract.partner_id.name,
                date=subcontract.warranty_end_date,
                balance=subcontract.retention_balance,
                reserve=subcontract.retention_reserved,
            )
            if subcontract.retention_shortfall:
                note += " " + self.env._("Warning: the pending charges exceed the retention balance.")
            subcontract.activity_schedule(
                activity_type_id=todo.id,
                summary=self.env._("Defect liability ended: release review"),
                note=note,
                user_id=subcontract.company_id.csw_cs_manager_id.id,
            )
        ended._csw_workflow_write({"liability_end_reminded": True})
        return True

    def action_view_retention_bill(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.retention_bill_id.id,
            "view_mode": "form",
        }

    def _csw_transitions(self):
        return {
            **super()._csw_transitions(),
            "activate": Transition(("draft",), "active", _lt("put in force")),
            "close": Transition(("active",), "closed", _lt("closed")),
            "cancel": Transition(("draft", "active"), "cancelled", _lt("cancelled")),
            "draft": Transition(("cancelled",), "draft", _lt("reset to draft")),
        }

    def action_activate(self):
        return self._csw_transition("activate")

    def action_close(self):
        return self._csw_transition("close")

    def action_cancel(self):
        return self._csw_transition("cancel")

    def action_draft(self):
        return self._csw_transition("draft")
