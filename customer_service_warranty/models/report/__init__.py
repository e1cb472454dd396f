from . import csw_period_report_mixin
from . import csw_monthly_report
from . import csw_weekly_report
from . import csw_region_report
from . import csw_quality_feedback

# extensions of the models of the domains below
from . import csw_project
