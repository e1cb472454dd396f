from .common import CswCase


class CswRepairCase(CswCase):
    """A waterproofing team in force, a decoration team, and a helper to create orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.email = "shunan@example.com"
        cls.subcontract.write({"entry_hours": 24, "agency_fee_percent": 50})
        cls.subcontract.action_activate()
        cls.tile_team = cls.env["res.partner"].create(
            {"name": "陈记瓦工班组", "is_company": True, "email": "chenji@example.com"}
        )
        cls.tile_subcontract = cls.env["csw.subcontract"].create(
            {
                "name": "YS-FB-002",
                "partner_id": cls.tile_team.id,
                "project_id": cls.project.id,
                "category_ids": [(6, 0, cls.category("decoration").ids)],
                "state": "active",
            }
        )
        cls.repairer = cls.env["res.partner"].create(
            {"name": "佛山快修工程队", "is_company": True, "email": "kuaixiu@example.com", "csw_repair_team": True}
        )

    def order(self, **values):
        values = {
            "unit_id": self.unit.id,
            "location": "主卫天花",
            "category_id": self.category("waterproofing_bathroom").id,
            "description": "<p>主卫天花渗水,楼下天花发黄</p>",
            **values,
        }
        return self.env["csw.repair.order"].create(values)

    @staticmethod
    def engage_in_emergency(orders, repairer, cost):
        """Give notified ``orders`` to ``repairer`` at once (a manager's emergency engagement, as the
        superuser), with ``cost`` as estimate and actual cost: they join their contract's draft deduction."""
        orders.write(
            {
                "substitute_partner_id": repairer.id,
                "estimated_cost": cost,
                "substitute_cost": cost,
                "emergency_engage_reason": "业主家中持续漏水, 原班组联系不上",
            }
        )
        orders.action_engage_emergency()
