import calendar

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

MONTHS = [(str(month), calendar.month_name[month]) for month in range(1, 13)]


class ResCompany(models.Model):
    _inherit = "res.company"

    # Heating and cooling seasons count the warranty of heating / cooling systems
    # (two seasons by law). Months are selections so the settings read "November".
    csw_heating_start_month = fields.Selection(MONTHS, string="Heating Season Starts (Month)", default="11")
    csw_heating_start_day = fields.Integer(string="Heating Season Starts (Day)", default=15)
    csw_heating_end_month = fields.Selection(MONTHS, string="Heating Season Ends (Month)", default="3")
    csw_heating_end_day = fields.Integer(string="Heating Season Ends (Day)", default=15)
    csw_cooling_start_month = fields.Selection(MONTHS, string="Cooling Season Starts (Month)", default="6")
    csw_cooling_start_day = fields.Integer(string="Cooling Season Starts (Day)", default=1)
    csw_cooling_end_month = fields.Selection(MONTHS, string="Cooling Season Ends (Month)", default="9")
    csw_cooling_end_day = fields.Integer(string="Cooling Season Ends (Day)", default=30)

    # Service levels and escalation of tickets
    csw_sla_risk_percent = fields.Float(
        string="At Risk Below (% of Target Left)",
        default=25.0,
        help="A ticket is at risk when less than this share of its SLA target is left.",
    )
    csw_escalation_interval_hours = fields.Float(
        string="Escalation Interval (Hours)",
        default=24.0,
        help="Hours after an escalation before a still-breached ticket goes one level up.",
    )
    csw_team_leader_id = fields.Many2one("res.users", string="Team Leader (Escalation Level 1)")
    csw_cs_manager_id = fields.Many2one("res.users", string="CS Manager (Escalation Level 2)")
    csw_general_manager_id = fields.Many2one("res.users", string="General Manager (Escalation Level 3)")
    csw_complaint_notify_manager = fields.Boolean(
        string="Report Complaints to the CS Manager at Once",
        default=True,
        help="The CS manager (the department manager) gets a to-do and a notification as each complaint "
        "arrives, due at its response deadline, besides the escalation after a breach.",
    )
    csw_assessment_gm_points = fields.Integer(
        string="Assessment Points: Complaint to the GM",
        default=-10,
        help="Points of a justified complaint made to the general manager, on its responsible person.",
    )
    csw_assessment_gm_amount = fields.Float(
        string="Assessment Amount: Complaint to the GM",
        default=200.0,
        help="Penalty of a justified complaint made to the general manager, on its responsible person.",
    )
    # the other reasons of the manuals: 100-300 for a complaint to the leadership, 50 per failure
    csw_assessment_leadership_points = fields.Integer(string="Points: Complaint to the Leadership", default=-5)
    csw_assessment_leadership_amount = fields.Float(
        string="Amount: Complaint to the Leadership (Minor)",
        default=100.0,
        help="Penalty of a justified minor complaint to the leadership (情节轻微).",
    )
    csw_assessment_leadership_moderate_amount = fields.Float(
        string="Amount: Complaint to the Leadership (Moderate)", default=200.0
    )
    csw_assessment_leadership_serious_amount = fields.Float(
        string="Amount: Complaint to the Leadership (Serious)", default=300.0
    )
    csw_assessment_response_points = fields.Integer(string="Points: Overdue Response", default=-5)
    csw_assessment_response_amount = fields.Float(string="Amount: Overdue Response", default=50.0)
    csw_assessment_callback_points = fields.Integer(string="Points: Overdue Callback", default=-5)
    csw_assessment_callback_amount = fields.Float(string="Amount: Overdue Callback", default=50.0)
    csw_assessment_failure_points = fields.Integer(string="Points: Service Failure", default=-5)
    csw_assessment_failure_amount = fields.Float(string="Amount: Service Failure", default=50.0)
    csw_assessment_praise_points = fields.Integer(string="Points: Praise", default=5)
    csw_assessment_praise_amount = fields.Float(string="Amount: Praise", default=0.0)
    csw_assessment_strike_count = fields.Integer(
        string="Strike Count (Failures per Month)",
        default=5,
        help="The failure (overdue response, overdue callback, service failure) of a person that "
        "reaches this count in a month gives the CS manager a to-do (累计达五次). 0: no alert.",
    )

    # Callbacks (回访)
    csw_callback_repair_hours = fields.Integer(
        string="Repair Callback Within (Hours)",
        default=24,
        help="The owner is called back within this many hours of a completed repair.",
    )
    csw_callback_repair_from = fields.Selection(
        [("done", "From completion"), ("created", "From the order's creation")],
        string="Repair Callback Counted",
        default="done",
        required=True,
        help="The repair callback's hours count from the completed repair, or from the creation "
        "of the repair order (some manuals ask for the callback within 24 hours of the work order).",
    )
    csw_callback_complaint_hours = fields.Integer(
        string="Complaint Callback Within (Hours)",
        default=24,
        help="The owner is called back within this many hours of a resolved complaint.",
    )
    csw_callback_window_days = fields.Integer(
        string="Periodic Callback Window (Days)",
        default=7,
        help="Days the agent has to make each periodic callback after handover.",
    )
    csw_plan_inline_limit = fields.Integer(
        string="Callbacks Planned at Once (Units)",
        default=200,
        help="A change of dates of up to this many units plans their callbacks at once; more units "
        "(an import, an estate's callback plan changed) are planned in the background, the estate "
        "showing the progress.",
    )
    csw_repeat_window_days = fields.Integer(
        string="Repeat Complaint Window (Days)",
        default=90,
        help="A complaint or repair request of the same unit and defect category as one received "
        "this many days before it is flagged as a repeated problem (同一问题反复投诉).",
    )
    csw_batch_defect_threshold = fields.Integer(
        string="Batch Defect Threshold (Units)",
        default=5,
        help="When the same defect category is reported in this many distinct units of one building "
        "within the batch defect window, a batch defect (批量质量问题) is proposed to the CS manager; 0 turns it off.",
    )
    csw_batch_defect_window_days = fields.Integer(
        string="Batch Defect Window (Days)",
        default=30,
        help="The tickets received within this many days count towards a batch defect.",
    )
    csw_callback_max_attempts = fields.Integer(
        string="Callback Attempts",
        default=3,
        help="Calls without an answer before a callback is recorded as failed.",
    )
    csw_callback_retry_hours = fields.Integer(
        string="Retry After (Hours)",
        default=4,
        help="Hours between two attempts to reach an owner.",
    )
    csw_callback_followup_hours = fields.Integer(
        string="Follow-up Ticket Deadline (Hours)",
        default=48,
        help="Default deadline of a follow-up ticket (回访联系单) raised at a callback: a dissatisfied "
        "owner, or a problem the owner raised.",
    )

    csw_portal_upload_limit_mb = fields.Integer(
        string="Portal Upload Limit (MB)",
        default=10,
        help="Largest photo or PDF an owner or a team may send through the portal.",
    )

    # Accounting of deductions and retention
    csw_deduction_journal_id = fields.Many2one(
        "account.journal",
        string="Deduction Journal",
        domain="[('type', '=', 'purchase'), ('company_id', '=', id)]",
        help="Purchase journal of the vendor credit notes that charge deductions to subcontractors.",
    )
    csw_substitute_account_id = fields.Many2one(
        "account.account",
        string="Substitute Repair Account",
        help="Credited with the substitute repair cost recovered from the subcontractor.",
    )
    csw_agency_fee_account_id = fields.Many2one(
        "account.account",
        string="Agency Fee Account",
        help="Credited with the agency fee charged on substitute repairs.",
    )
    csw_compensation_account_id = fields.Many2one(
        "account.account",
        string="Compensation Account",
        help="Credited with the owner compensation recovered from the subcontractor.",
    )
    csw_retention_account_id = fields.Many2one(
        "account.account",
        string="Retention Account",
        help="Liability account where retention money is held; debited when it is paid out.",
    )
    csw_evidence_photos_required = fields.Boolean(string="Site Photos Required", default=True)
    csw_evidence_notice_required = fields.Boolean(string="Notice Screenshot Required", default=True)
    csw_evidence_contact_form_required = fields.Boolean(string="Contact Form Required")
    csw_evidence_plan_required = fields.Boolean(string="Repair Plan Required")

    # Repair time limits: the defaults of new subcontracts
    csw_reschedule_cutoff_hours = fields.Integer(
        string="Reschedule Cut-off (Hours)",
        default=24,
        help="Until how many hours before the visit an owner may still move it on the portal.",
    )
    csw_repair_days = fields.Integer(
        string="Repair Time Limit (Days)",
        default=3,
        help="Calendar days a team has to finish a repair after its entry deadline (the company's "
        "repair time limit, 维修期限); the default of new subcontracts.",
    )
    csw_entry_extension_hours = fields.Integer(
        string="Later Entry an Agent May Agree (Hours)",
        default=24,
        help="How many hours past the contract's entry deadline a CS agent may agree a later entry with a "
        "team (with a reason); beyond it, only a CS manager.",
    )
    csw_emergency_entry_hours = fields.Integer(
        string="Emergency Entry Time (Hours)",
        default=2,
        help="Hours a team has to come on site for an emergency repair (立即到达现场抢修); "
        "the default of new subcontracts.",
    )

    @api.constrains(
        "csw_heating_start_month",
        "csw_heating_start_day",
        "csw_heating_end_month",
        "csw_heating_end_day",
        "csw_cooling_start_month",
        "csw_cooling_start_day",
        "csw_cooling_end_month",
        "csw_cooling_end_day",
    )
    def _check_csw_seasons(self):
        for company in self:
            for (month, day), label in (
                (company._csw_season_tuple("heating")[:2], self.env._("start of the heating season")),
                (company._csw_season_tuple("heating")[2:], self.env._("end of the heating season")),
                (company._csw_season_tuple("cooling")[:2], self.env._("start of the cooling season")),
                (company._csw_season_tuple("cooling")[2:], self.env._("end of the cooling season")),
            ):
                # 29 February is allowed: common years then use the 28th.
                if not 1 <= day <= calendar.monthrange(2024, month)[1]:
                    raise ValidationError(
                        self.env._(
                            "Day %(day)s does not exist in month %(month)s (%(what)s).",
                            day=day,
                            month=month,
                            what=label,
                        )
                    )

    @api.constrains(
        "csw_callback_repair_hours",
        "csw_callback_complaint_hours",
        "csw_callback_window_days",
        "csw_callback_max_attempts",
        "csw_callback_retry_hours",
        "csw_callback_followup_hours",
        "csw_portal_upload_limit_mb",
    )
    def _check_csw_callback_settings(self):
        for company in self:
            if company.csw_portal_upload_limit_mb < 1:
                raise ValidationError(self.env._("The portal upload limit must be at least 1 MB."))
            if company.csw_callback_max_attempts < 1:
                raise ValidationError(self.env._("A callback needs at least one attempt."))
            if (
                min(
                    company.csw_callback_repair_hours,
                    company.csw_callback_complaint_hours,
                    company.csw_callback_window_days,
                    company.csw_callback_retry_hours,
                    company.csw_callback_followup_hours,
                )
                < 0
            ):
                raise ValidationError(self.env._("Callback delays cannot be negative."))

    @api.constrains("csw_plan_inline_limit")
    def _check_csw_plan_inline_limit(self):
        if any(company.csw_plan_inline_limit < 0 for company in self):
            raise ValidationError(self.env._("The number of units planned at once cannot be negative."))

    @api.constrains("csw_repeat_window_days")
    def _check_csw_repeat_window(self):
        for company in self:
            if company.csw_repeat_window_days < 1:
                raise ValidationError(self.env._("The repeat complaint window must be at least one day."))

    @api.constrains("csw_batch_defect_threshold", "csw_batch_defect_window_days")
    def _check_csw_batch_defect(self):
        for company in self:
            if company.csw_batch_defect_threshold < 0 or company.csw_batch_defect_window_days < 1:
                raise ValidationError(
                    self.env._("The batch defect threshold cannot be negative, and its window is at least one day.")
                )

    @api.constrains(
        "csw_repair_days", "csw_emergency_entry_hours", "csw_reschedule_cutoff_hours", "csw_entry_extension_hours"
    )
    def _check_csw_repair_limits(self):
        for company in self:
            if company.csw_reschedule_cutoff_hours < 0 or company.csw_entry_extension_hours < 0:
                raise ValidationError(
                    self.env._("The reschedule cut-off and the later entry an agent may agree cannot be negative.")
                )
            if company.csw_repair_days < 1 or company.csw_emergency_entry_hours < 1:
                raise ValidationError(
                    self.env._("The repair time limit and the emergency entry time must be at least 1.")
                )

    def _csw_assessment_defaults(self, reason):
        """``(points, amount)`` of an assessment for ``reason`` in this company."""
        self.ensure_one()
        prefix = {
            "complaint_gm": "csw_assessment_gm",
            "complaint_leadership": "csw_assessment_leadership",
            "overdue_response": "csw_assessment_response",
            "overdue_callback": "csw_assessment_callback",
            "service_failure": "csw_assessment_failure",
            "praise": "csw_assessment_praise",
        }.get(reason)
        if not prefix:
            return 0, 0.0
        return self[f"{prefix}_points"], self[f"{prefix}_amount"]

    def _csw_leadership_amount(self, severity):
        """The penalty of a justified complaint to the leadership of ``severity`` (¥100-300)."""
        self.ensure_one()
        return {
            "moderate": self.csw_assessment_leadership_moderate_amount,
            "serious": self.csw_assessment_leadership_serious_amount,
        }.get(severity, self.csw_assessment_leadership_amount)

    def _csw_season_tuple(self, kind):
        """``(start_month, start_day, end_month, end_day)`` of the heating or cooling season."""
        self.ensure_one()
        return (
            int(self[f"csw_{kind}_start_month"] or 1),
            self[f"csw_{kind}_start_day"],
            int(self[f"csw_{kind}_end_month"] or 1),
            self[f"csw_{kind}_end_day"],
        )

    def _csw_deduction_accounting(self):
        """Journal and accounts of deductions and retention: configured, else the chart's defaults.

        :return: dict with ``journal``, ``substitute``, ``agency_fee``, ``compensation``, ``retention``
        :raise UserError: when the company has no accounting to post on
        """
        self.ensure_one()
        Account = self.env["account.account"].with_company(self)
        company_domain = [("company_ids", "in", self.id)]

        def first_account(account_type):
            return Account.search([*company_domain, ("account_type", "=", account_type)], limit=1)

        accounting = {
            "journal": self.csw_deduction_journal_id
            or self.env["account.journal"].search([("type", "=", "purchase"), ("company_id", "=", self.id)], limit=1),
            "substitute": self.csw_substitute_account_id or first_account("expense"),
            "agency_fee": self.csw_agency_fee_account_id or first_account("income_other") or first_account("income"),
            "compensation": self.csw_compensation_account_id or first_account("expense"),
            "retention": self.csw_retention_account_id or first_account("liability_current"),
        }
        labels = {
            "journal": self.env._("deduction journal"),
            "substitute": self.env._("substitute repair account"),
            "agency_fee": self.env._("agency fee account"),
            "compensation": self.env._("compensation account"),
            "retention": self.env._("retention account"),
        }
        missing = [labels[name] for name, record in accounting.items() if not record]
        if missing:
            raise UserError(
                self.env._(
                    "%(company)s has no accounting set up for deductions (missing: %(missing)s). "
                    "Install a chart of accounts, then choose the deduction journal and accounts in "
                    "Settings → Customer Service & Warranty.",
                    company=self.name,
                    missing=", ".join(missing),
                )
            )
        return accounting

    @api.model
    def _csw_install_chart_of_accounts(self, company_ids, template="generic_coa"):
        """Install a chart of accounts on companies that have none (used by the demo data)."""
        for company in self.browse(company_ids).filtered(lambda c: not c.chart_template):
            currency = company.currency_id
            self.env["account.chart.template"].try_loading(template, company, install_demo=False)
            # the generic chart sets its own currency: keep the company's (no entry exists yet)
            company.currency_id = currency

    def _csw_seasons(self):
        """Seasons in the form :func:`warranty_clock.warranty_end` takes them."""
        self.ensure_one()
        return {
            "heating_seasons": self._csw_season_tuple("heating"),
            "cooling_seasons": self._csw_season_tuple("cooling"),
        }
