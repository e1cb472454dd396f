from . import csw_ticket_constants
from . import csw_sla_policy
from . import csw_ticket
from . import csw_incident
from . import csw_script
from . import res_users

# extensions of the models of the domains below
from . import csw_project
from . import res_partner
