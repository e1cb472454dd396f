from . import csw_inspection_wizard
