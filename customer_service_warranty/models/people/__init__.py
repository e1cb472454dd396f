from . import csw_assessment
from . import csw_ticket_responsibility

# extensions of the models of the domains below
from . import csw_ticket
from . import csw_callback
