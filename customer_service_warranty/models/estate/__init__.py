from . import csw_located_mixin
from . import csw_defect_category
from . import csw_project
from . import csw_unit
from . import csw_subcontract
from . import res_partner
