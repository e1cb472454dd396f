from . import (
    test_access,
    test_defect_category,
    test_project_unit,
    test_settings,
    test_subcontract,
    test_ticket,
    test_ticket_escalation,
    test_ticket_mail,
    test_ticket_sla,
    test_translation,
    test_warranty_clock,
)
