from . import csw_retention_review
from . import csw_retention_entry
from . import csw_deduction
from . import account_move

# extensions of the models of the domains below
from . import csw_project
from . import csw_subcontract
from . import csw_repair_order
