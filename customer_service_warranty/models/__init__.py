from . import (
    csw_defect_category,
    csw_project,
    csw_subcontract,
    csw_unit,
    res_company,
    res_config_settings,
    res_partner,
    warranty_clock,
)
