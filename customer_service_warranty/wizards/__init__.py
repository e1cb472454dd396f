from . import csw_inspection_wizard
from . import csw_callback_followup_wizard
