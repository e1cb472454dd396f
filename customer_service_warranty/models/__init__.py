from . import warranty_clock
from . import kpi
from . import csw_portal_upload
from . import batch_create
from . import csw_ticket_constants
from . import ir_sequence
from . import csw_locale
from . import csw_state_mixin
from . import csw_binding_deadline
from . import csw_followup_mixin
from . import csw_located_mixin
from . import res_company
from . import res_config_settings
from . import csw_defect_category
from . import csw_project
from . import csw_unit
from . import csw_subcontract
from . import csw_retention_review
from . import csw_retention_entry
from . import csw_sla_policy
from . import csw_ticket
from . import csw_incident
from . import csw_assessment
from . import csw_ticket_responsibility
from . import csw_deduction
from . import csw_repair_order
from . import csw_repair_appointment
from . import csw_appointment_window
from . import csw_callback_plan
from . import csw_callback
from . import csw_callback_report
from . import csw_script
from . import csw_period_report_mixin
from . import csw_monthly_report
from . import csw_weekly_report
from . import csw_region_report
from . import csw_quality_feedback
from . import account_move
from . import res_partner
from . import res_users
from . import mail_message
from . import ir_http

# refuses the fields only the actions change, before the models' own create and write
from . import csw_protected_fields

# last, so first to run: checks the values before anything else reads them (an infinite
# amount must be refused as such, not trip a comparison of the protected fields)
from . import csw_input_guard
