import base64
from datetime import date

from odoo.tests import HttpCase, new_test_user

from .common_repair import CswRepairCase

# a real 1×1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class CswPortalCase(CswRepairCase, HttpCase):
    """Two owners, each with a ticket, a notified repair order and a callback; two teams
    with a foreman on the portal each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project.handover_date = date(2025, 6, 28)
        cls.unit.handover_date = date(2025, 6, 28)
        cls.owner.email = "zhou.xiaoming@example.com"
        cls.other_owner = cls.env["res.partner"].create({"name": "吴丽华", "mobile": "13900139000"})
        cls.other_unit = cls.env["csw.unit"].create(
            {"name": "5-1-702", "project_id": cls.project.id, "owner_id": cls.other_owner.id}
        )

        def portal_user(login, partner):
            return new_test_user(
                cls.env,
                login=login,
                groups="base.group_portal",
                partner_id=partner.id,
                company_id=cls.company.id,
                company_ids=[cls.company.id],
            )

        cls.owner_user = portal_user("owner_zhou", cls.owner)
        cls.other_owner_user = portal_user("owner_wu", cls.other_owner)
        cls.foreman = cls.env["res.partner"].create({"name": "刘师傅", "parent_id": cls.team.id})
        cls.team_user = portal_user("team_shunan", cls.foreman)
        cls.tile_foreman = cls.env["res.partner"].create({"name": "陈师傅", "parent_id": cls.tile_team.id})
        cls.tile_user = portal_user("team_chenji", cls.tile_foreman)

        Ticket = cls.env["csw.ticket"]
        cls.ticket = Ticket.create({"name": "主卫天花渗水", "unit_id": cls.unit.id})
        cls.other_ticket = Ticket.create({"name": "吴女士家阳台漏水", "unit_id": cls.other_unit.id})
        cls.job = cls.order_for(cls.unit, "主卫天花", cls.ticket)
        cls.other_job = cls.order_for(cls.other_unit, "阳台地面", cls.other_ticket)
        cls.tile_job = cls.order_for(cls.unit, "厨房墙砖", cls.ticket, category=cls.category("decoration_wall_tile"))
        (cls.job | cls.other_job | cls.tile_job).action_notify()
        cls.draft_job = cls.order_for(cls.unit, "次卫地漏", cls.ticket)

        done = cls.order_for(cls.unit, "客厅窗台", cls.ticket, category=cls.category("waterproofing_window"))
        other_done = cls.order_for(cls.other_unit, "主卧窗台", cls.other_ticket)
        (done | other_done).action_notify()
        (done | other_done).write({"completion_note": "已重新打胶"})
        (done | other_done).action_done()
        cls.done_job, cls.callback = done, done.callback_ids
        cls.other_callback = other_done.callback_ids

    @classmethod
    def order_for(cls, unit, location, ticket, category=None):
        return cls.env["csw.repair.order"].create(
            {
                "unit_id": unit.id,
                "ticket_id": ticket.id,
                "location": location,
                "category_id": (category or cls.category("waterproofing_bathroom")).id,
                "notify_method": "written",
                "description": f"<p>{location}需要维修</p>",
            }
        )
