from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    csw_heating_start_month = fields.Selection(related="company_id.csw_heating_start_month", readonly=False)
    csw_heating_start_day = fields.Integer(related="company_id.csw_heating_start_day", readonly=False)
    csw_heating_end_month = fields.Selection(related="company_id.csw_heating_end_month", readonly=False)
    csw_heating_end_day = fields.Integer(related="company_id.csw_heating_end_day", readonly=False)
    csw_cooling_start_month = fields.Selection(related="company_id.csw_cooling_start_month", readonly=False)
    csw_cooling_start_day = fields.Integer(related="company_id.csw_cooling_start_day", readonly=False)
    csw_cooling_end_month = fields.Selection(related="company_id.csw_cooling_end_month", readonly=False)
    csw_cooling_end_day = fields.Integer(related="company_id.csw_cooling_end_day", readonly=False)

    csw_sla_risk_percent = fields.Float(related="company_id.csw_sla_risk_percent", readonly=False)
    csw_escalation_interval_hours = fields.Float(related="company_id.csw_escalation_interval_hours", readonly=False)
    csw_team_leader_id = fields.Many2one(related="company_id.csw_team_leader_id", readonly=False)
    csw_cs_manager_id = fields.Many2one(related="company_id.csw_cs_manager_id", readonly=False)
    csw_general_manager_id = fields.Many2one(related="company_id.csw_general_manager_id", readonly=False)
    csw_complaint_notify_manager = fields.Boolean(related="company_id.csw_complaint_notify_manager", readonly=False)
    csw_assessment_gm_points = fields.Integer(related="company_id.csw_assessment_gm_points", readonly=False)
    csw_assessment_gm_amount = fields.Float(related="company_id.csw_assessment_gm_amount", readonly=False)
    csw_callback_repair_hours = fields.Integer(related="company_id.csw_callback_repair_hours", readonly=False)
    csw_callback_repair_from = fields.Selection(related="company_id.csw_callback_repair_from", readonly=False)
    csw_callback_complaint_hours = fields.Integer(related="company_id.csw_callback_complaint_hours", readonly=False)
    csw_callback_window_days = fields.Integer(related="company_id.csw_callback_window_days", readonly=False)
    csw_repeat_window_days = fields.Integer(related="company_id.csw_repeat_window_days", readonly=False)
    csw_plan_inline_limit = fields.Integer(related="company_id.csw_plan_inline_limit", readonly=False)
    csw_batch_defect_threshold = fields.Integer(related="company_id.csw_batch_defect_threshold", readonly=False)
    csw_batch_defect_window_days = fields.Integer(related="company_id.csw_batch_defect_window_days", readonly=False)
    csw_callback_max_attempts = fields.Integer(related="company_id.csw_callback_max_attempts", readonly=False)
    csw_callback_retry_hours = fields.Integer(related="company_id.csw_callback_retry_hours", readonly=False)
    csw_callback_followup_hours = fields.Integer(related="company_id.csw_callback_followup_hours", readonly=False)
    csw_portal_upload_limit_mb = fields.Integer(related="company_id.csw_portal_upload_limit_mb", readonly=False)
    csw_assessment_leadership_points = fields.Integer(
        related="company_id.csw_assessment_leadership_points", readonly=False
    )
    csw_assessment_leadership_amount = fields.Float(
        related="company_id.csw_assessment_leadership_amount", readonly=False
    )
    csw_assessment_leadership_moderate_amount = fields.Float(
        related="company_id.csw_assessment_leadership_moderate_amount", readonly=False
    )
    csw_assessment_leadership_serious_amount = fields.Float(
        related="company_id.csw_assessment_leadership_serious_amount", readonly=False
    )
    csw_assessment_strike_count = fields.Integer(related="company_id.csw_assessment_strike_count", readonly=False)
    csw_assessment_response_points = fields.Integer(related="company_id.csw_assessment_response_points", readonly=False)
    csw_assessment_response_amount = fields.Float(related="company_id.csw_assessment_response_amount", readonly=False)
    csw_assessment_callback_points = fields.Integer(related="company_id.csw_assessment_callback_points", readonly=False)
    csw_assessment_callback_amount = fields.Float(related="company_id.csw_assessment_callback_amount", readonly=False)
    csw_assessment_failure_points = fields.Integer(related="company_id.csw_assessment_failure_points", readonly=False)
    csw_assessment_failure_amount = fields.Float(related="company_id.csw_assessment_failure_amount", readonly=False)
    csw_assessment_praise_points = fields.Integer(related="company_id.csw_assessment_praise_points", readonly=False)
    csw_assessment_praise_amount = fields.Float(related="company_id.csw_assessment_praise_amount", readonly=False)
    csw_deduction_journal_id = fields.Many2one(related="company_id.csw_deduction_journal_id", readonly=False)
    csw_substitute_account_id = fields.Many2one(related="company_id.csw_substitute_account_id", readonly=False)
    csw_agency_fee_account_id = fields.Many2one(related="company_id.csw_agency_fee_account_id", readonly=False)
    csw_compensation_account_id = fields.Many2one(related="company_id.csw_compensation_account_id", readonly=False)
    csw_retention_account_id = fields.Many2one(related="company_id.csw_retention_account_id", readonly=False)
    csw_evidence_photos_required = fields.Boolean(related="company_id.csw_evidence_photos_required", readonly=False)
    csw_evidence_notice_required = fields.Boolean(related="company_id.csw_evidence_notice_required", readonly=False)
    csw_evidence_contact_form_required = fields.Boolean(
        related="company_id.csw_evidence_contact_form_required", readonly=False
    )
    csw_evidence_plan_required = fields.Boolean(related="company_id.csw_evidence_plan_required", readonly=False)
    csw_repair_days = fields.Integer(related="company_id.csw_repair_days", readonly=False)
    csw_entry_extension_hours = fields.Integer(related="company_id.csw_entry_extension_hours", readonly=False)
    csw_reschedule_cutoff_hours = fields.Integer(related="company_id.csw_reschedule_cutoff_hours", readonly=False)
    csw_emergency_entry_hours = fields.Integer(related="company_id.csw_emergency_entry_hours", readonly=False)
