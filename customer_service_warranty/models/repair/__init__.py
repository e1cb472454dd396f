from . import csw_repair_order
from . import csw_repair_appointment
from . import csw_appointment_window

# extensions of the models of the domains below
from . import csw_ticket
from . import csw_unit
from . import csw_subcontract
from . import res_partner
