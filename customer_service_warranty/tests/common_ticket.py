from datetime import datetime

import pytz
from freezegun import freeze_time

from .common import CswCase

SHANGHAI = pytz.timezone("Asia/Shanghai")


class CswTicketCase(CswCase):
    """Adds working hours in Shanghai (Mon-Fri 9:00-12:00 and 13:00-18:00) to the base data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "客服中心工作时间",
                "tz": "Asia/Shanghai",
                "company_id": cls.company.id,
                "attendance_ids": [
                    (
                        0,
                        0,
                        {
                            "name": f"{day} {period}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": period,
                        },
                    )
                    for day in range(5)
                    for period, start, end in (("morning", 9, 12), ("afternoon", 13, 18))
                ],
            }
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.team_leader = cls.center_agent
        cls.general_manager = cls.manager.copy({"login": "general_manager", "name": "总经理"})
        cls.company.write(
            {
                "csw_team_leader_id": cls.team_leader.id,
                "csw_cs_manager_id": cls.manager.id,
                "csw_general_manager_id": cls.general_manager.id,
            }
        )

    @staticmethod
    def shanghai(*args):
        """The naive UTC datetime Odoo stores for a wall-clock time in Shanghai."""
        return SHANGHAI.localize(datetime(*args)).astimezone(pytz.utc).replace(tzinfo=None)

    def ticket(self, **values):
        """A ticket created when it is received (the SLA flags depend on the creation time)."""
        values = {"name": "卫生间天花渗水", "unit_id": self.unit.id, **values}
        if "received_date" not in values:
            return self.env["csw.ticket"].create(values)
        with freeze_time(values["received_date"]):
            return self.env["csw.ticket"].create(values)
