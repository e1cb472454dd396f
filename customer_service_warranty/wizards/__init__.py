from . import csw_inspection_wizard
from . import csw_callback_followup_wizard
from . import csw_emergency_repair_wizard
from . import csw_deadline_move
