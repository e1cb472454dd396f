# the domains, each above the ones it builds on (tests/test_architecture.py)
from . import base
from . import estate
from . import ticket
from . import repair
from . import callback
from . import money
from . import people
from . import report
