from datetime import date

from odoo.tests import TransactionCase, new_test_user

PROJECT_AGENT = "customer_service_warranty.group_csw_project_agent"
CENTER_AGENT = "customer_service_warranty.group_csw_center_agent"
MANAGER = "customer_service_warranty.group_csw_manager"


class CswCase(TransactionCase):
    """Builds its own estates, units, teams and users; never relies on demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env["res.company"].create({"name": "云山置业有限公司"})
        # crons write in the company's language: the suite asserts their English texts
        cls.company.partner_id.lang = "en_US"
        cls.other_company = cls.env["res.company"].create({"name": "海岸地产有限公司"})
        cls.env.user.write(
            {"company_ids": [(4, cls.company.id), (4, cls.other_company.id)], "company_id": cls.company.id}
        )

        def user(login, groups, company=cls.company):
            return new_test_user(
                cls.env,
                login=login,
                groups=f"base.group_user,{groups}",
                company_id=company.id,
                company_ids=[company.id],
            )

        cls.project_agent = user("project_agent", PROJECT_AGENT)
        cls.center_agent = user("center_agent", CENTER_AGENT)
        cls.manager = user("manager", MANAGER)
        cls.other_manager = user("other_manager", MANAGER, cls.other_company)

        Project = cls.env["csw.project"]
        cls.project = Project.create(
            {
                "name": "云山花园",
                "code": "YSHY",
                "company_id": cls.company.id,
                "completion_date": date(2020, 6, 1),
                "handover_date": date(2020, 12, 1),
                "cs_user_id": cls.center_agent.id,
                "member_ids": [(6, 0, cls.project_agent.ids)],
            }
        )
        cls.foreign_project = Project.create(
            {
                "name": "星河湾",
                "code": "XHW",
                "company_id": cls.company.id,
                "completion_date": date(2021, 3, 1),
            }
        )
        cls.other_company_project = Project.with_company(cls.other_company).create(
            {"name": "海岸一号", "code": "HAYH", "company_id": cls.other_company.id}
        )
        cls.owner = cls.env["res.partner"].create({"name": "周晓明", "mobile": "13800138000"})
        cls.unit = cls.env["csw.unit"].create(
            {"name": "3-2-1201", "project_id": cls.project.id, "owner_id": cls.owner.id}
        )
        cls.foreign_unit = cls.env["csw.unit"].create({"name": "1-1-101", "project_id": cls.foreign_project.id})
        cls.team = cls.env["res.partner"].create({"name": "顺安防水工程有限公司", "is_company": True})
        cls.subcontract = cls.env["csw.subcontract"].create(
            {
                "name": "YS-FB-001",
                "partner_id": cls.team.id,
                "project_id": cls.project.id,
                "category_ids": [(6, 0, cls.category("waterproofing").ids)],
                "amount": 1_000_000,
            }
        )
        cls.foreign_subcontract = cls.env["csw.subcontract"].create(
            {"name": "XH-FB-001", "partner_id": cls.team.id, "project_id": cls.foreign_project.id}
        )

    @classmethod
    def category(cls, xmlid):
        return cls.env.ref(f"customer_service_warranty.category_{xmlid}")
