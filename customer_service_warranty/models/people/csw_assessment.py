from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

from ..base.batch_create import create_batched

ASSESSMENT_REASONS = [
    ("complaint_gm", "Complaint to the general manager"),
    ("complaint_leadership", "Complaint to the leadership"),
    ("overdue_response", "Overdue response"),
    ("overdue_callback", "Overdue callback"),
    ("service_failure", "Service failure"),
    ("praise", "Praise"),
    ("other", "Other"),
]

# the ¥50 failures of the manuals: the fifth of a person in a month alerts the CS manager
STRIKE_REASONS = ("overdue_response", "overdue_callback", "service_failure")


_lt = LazyTranslate(__name__)
STRIKE_CHECK = _lt("the count of the person's failures of the month")


class CswAssessment(models.Model):
    """A staff assessment (考核): a penalty or a reward of a customer-service employee."""

    _name = "csw.assessment"
    _description = "Staff Assessment"
    _inherit = ["csw.workflow.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    _check_company_auto = True

    user_id = fields.Many2one("res.users", string="Employee", required=True, index=True, tracking=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True, index=True)
    reason = fields.Selection(ASSESSMENT_REASONS, required=True, tracking=True)
    points = fields.Integer(
        compute="_compute_defaults",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        aggregator="sum",
        help="Negative for a penalty, positive for a reward. Defaults from the settings of the reason.",
    )
    amount = fields.Monetary(
        compute="_compute_defaults",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Penalty (or bonus) in money. Defaults from the settings of the reason.",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    ticket_id = fields.Many2one("csw.ticket", string="Source Ticket", index=True, check_company=True)
    callback_id = fields.Many2one("csw.callback", string="Source Callback", index="btree_not_null", check_company=True)
    project_id = fields.Many2one(
        "csw.project",
        string="Estate",
        compute="_compute_project_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        check_company=True,
    )
    repair_order_id = fields.Many2one(
        related="callback_id.repair_order_id", string="Source Repair Order", help="The repair called back about."
    )
    source_ref = fields.Reference(
        [("csw.ticket", "Ticket"), ("csw.callback", "Callback")],
        string="Source",
        compute="_compute_source_ref",
        help="What the assessment comes from: the ticket, or the callback (and its repair order).",
    )
    note = fields.Text(help="What happened; written by the system for the automatic assessments.")
    is_strike = fields.Boolean(
        string="Strike",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="This failure is the person's fifth (the company's strike count) of the month: the CS manager was told.",
    )
    strike_count = fields.Integer(
        string="Strikes",
        compute="_compute_strike_count",
        store=True,
        aggregator="sum",
        help="1 on a strike: the assessment summary counts them per person and month.",
    )

    _sql_constraints = [
        (
            "amount_not_negative",
            "CHECK(amount >= 0)",
            "An assessment's amount is a penalty or a bonus in money, never negative: the points carry the sign.",
        ),
    ]

    @api.depends("reason", "company_id")
    def _compute_defaults(self):
        for assessment in self:
            points, amount = assessment.company_id._csw_assessment_defaults(assessment.reason)
            assessment.points, assessment.amount = points, amount

    @api.depends("reason", "user_id", "ticket_id.number", "callback_id.repair_order_id.name", "callback_id.ticket_id")
    def _compute_display_name(self):
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        for assessment in self:
            callback = assessment.callback_id
            source = (
                assessment.ticket_id.number
                or callback.repair_order_id.name
                or callback.ticket_id.number
                or callback.display_name
            )
            parts = (reasons.get(assessment.reason), assessment.user_id.name, source)
            assessment.display_name = " · ".join(part for part in parts if part)

    @api.depends("ticket_id", "callback_id")
    def _compute_source_ref(self):
        for assessment in self:
            source = assessment.ticket_id or assessment.callback_id
            assessment.source_ref = f"{source._name},{source.id}" if source else False

    @api.depends("is_strike")
    def _compute_strike_count(self):
        for assessment in self:
            assessment.strike_count = int(assessment.is_strike)

    @api.depends("ticket_id", "callback_id")
    def _compute_project_id(self):
        for assessment in self:
            assessment.project_id = (
                assessment.ticket_id.project_id or assessment.callback_id.project_id or assessment.project_id
            )

    def _csw_protected_fields(self):
        return {**super()._csw_protected_fields(), "is_strike": STRIKE_CHECK, "strike_count": STRIKE_CHECK}

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        assessments = super().create(vals_list)
        assessments._check_strikes()
        return assessments

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _assess(self, reason, records, user_of, source_field, values_of=None):
        """One assessment for ``reason`` per record of ``records`` with a user, in one batch.

        :param user_of: function giving the ``res.users`` to assess for a record
        :param source_field: ``ticket_id`` or ``callback_id``
        :param values_of: optional function giving more values for a record's assessment
            (an amount that depends on the record, e.g. the severity of a complaint)
        """
        today = fields.Date.context_today(self)
        return create_batched(
            self.sudo(),
            [
                {
                    "user_id": user_of(record).id,
                    "company_id": record.company_id.id,
                    "date": today,
                    "reason": reason,
                    source_field: record.id,
                    "note": self._automatic_note(reason, record),
                    **(values_of(record) if values_of else {}),
                }
                for record in records
                if user_of(record)
            ],
        )

    @api.model
    def _assess_once(self, reason, records, user_of, source_field, values_of=None):
        """``_assess`` for the records of ``records`` that have no assessment for ``reason`` yet:
        a repeated action or a cron run never assesses the same cause twice (one query)."""
        done = self.sudo().search([(source_field, "in", records.ids), ("reason", "=", reason)])[source_field]
        return self._assess(reason, records - done, user_of, source_field, values_of)

    @api.model
    def _automatic_note(self, reason, record):
        """What happened, for an assessment made by the system from ``record`` (a ticket or a
        callback): the reviewer of the summary sees the cause without opening the source."""
        locale = self.env["csw.locale"]
        if record._name == "csw.ticket":
            if reason == "overdue_response":
                return self.env._(
                    "Ticket %(ticket)s (%(subject)s): no response by its deadline %(deadline)s.",
                    ticket=record.number,
                    subject=record.name,
                    deadline=locale._format_datetime(record.response_deadline, record.company_id),
                )
            if reason == "praise":
                return self.env._(
                    "Praised in ticket %(ticket)s: %(subject)s", ticket=record.number, subject=record.name
                )
            return self.env._("Justified complaint %(ticket)s: %(subject)s", ticket=record.number, subject=record.name)
        if reason == "overdue_callback":
            return self.env._(
                "Callback %(callback)s not made by its deadline %(deadline)s.",
                callback=record.display_name,
                deadline=locale._format_datetime(record.deadline, record.company_id),
            )
        if reason == "service_failure":
            return self.env._(
                "The owner is dissatisfied (%(satisfaction)s/5) at callback %(callback)s: %(comment)s",
                satisfaction=record.satisfaction or "-",
                callback=record.display_name,
                comment=record.comment or "-",
            )
        return self.env._(
            "Praised by the owner at callback %(callback)s: %(comment)s",
            callback=record.display_name,
            comment=record.comment or "-",
        )

    def _log_on_sources(self):
        """Tell on each source ticket or callback who was assessed, for what and how much."""
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        for source_field in ("ticket_id", "callback_id"):
            assessments = self.filtered(source_field)
            if not assessments:
                continue
            bodies = {
                assessment[source_field].id: Markup("<p>%s</p>")
                % self.env._(
                    "Assessment (%(reason)s): %(points)s points, %(amount)s %(currency)s for %(person)s.",
                    reason=reasons[assessment.reason],
                    points=assessment.points,
                    amount=assessment.amount,
                    currency=assessment.currency_id.symbol or "",
                    person=assessment.user_id.name,
                )
                for assessment in assessments
            }
            assessments[source_field].sudo()._message_log_batch(bodies=bodies)

    def _check_strikes(self):
        """Flag the failure that is a person's strike of the month (the company's strike count,
        5 by default: 累计达五次) and give the CS manager a to-do naming the person.

        Once per person and month: the assessment that reaches the count exactly. One
        ``_read_group`` for the whole batch.
        """
        failures = self.filtered(lambda a: a.reason in STRIKE_REASONS and a.company_id.csw_assessment_strike_count > 0)
        if not failures:
            return
        months = {fields.Date.start_of(day, "month") for day in failures.mapped("date")}
        counts = {
            (user, company, month): count
            for user, company, month, count in self.sudo()._read_group(
                [
                    ("user_id", "in", failures.user_id.ids),
                    ("company_id", "in", failures.company_id.ids),
                    ("reason", "in", STRIKE_REASONS),
                    ("date", ">=", min(months)),
                    ("date", "<=", fields.Date.end_of(max(months), "month")),
                ],
                ["user_id", "company_id", "date:month"],
                ["__count"],
            )
        }
        strikes = self.browse()
        for (user, company, month), new in failures.grouped(
            lambda a: (a.user_id, a.company_id, fields.Date.start_of(a.date, "month"))
        ).items():
            threshold = company.csw_assessment_strike_count
            before = counts.get((user, company, month), 0) - len(new)
            if before < threshold <= before + len(new):
                strikes |= new.sorted("id")[threshold - before - 1]
        if not strikes:
            return
        strikes.sudo().write({"is_strike": True})
        bodies = {
            strike.id: Markup("<p>%s</p>")
            % self.env._(
                "%(person)s has %(count)s failures this month (%(month)s): the strike count of the "
                "assessment rules is reached.",
                person=strike.user_id.name,
                count=strike.company_id.csw_assessment_strike_count,
                month=strike.date.strftime("%Y-%m"),
            )
            for strike in strikes
        }
        strikes.sudo()._message_log_batch(bodies=bodies)
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": strike.id,
                    "activity_type_id": activity_type.id,
                    "summary": self.env._(
                        "Strike: %(person)s, %(count)s failures this month",
                        person=strike.user_id.name,
                        count=strike.company_id.csw_assessment_strike_count,
                    ),
                    "user_id": strike.company_id.csw_cs_manager_id.id,
                    "date_deadline": fields.Date.context_today(self),
                }
                for strike in strikes
                if strike.company_id.csw_cs_manager_id
            ]
        )
