from . import csw_callback_plan
from . import csw_callback
from . import csw_callback_report

# extensions of the models of the domains below
from . import csw_project
from . import csw_unit
from . import csw_ticket
from . import csw_script
from . import csw_repair_order
from . import res_partner
