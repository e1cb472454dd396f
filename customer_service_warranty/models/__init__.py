from . import warranty_clock
from . import res_company
from . import res_config_settings
from . import csw_defect_category
from . import csw_project
from . import csw_unit
from . import csw_subcontract
from . import res_partner
