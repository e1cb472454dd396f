"""The money domain's fixture: an estate in a company with a chart of accounts, its
deductions and substitute repairs."""

import base64
from datetime import date

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user

from .common import MANAGER, PROJECT_AGENT

BILLING = "account.group_account_invoice"


def build_estate(env, company, suffix=""):
    """A project, a unit, a waterproofing team in force and a substitute team, in ``company``."""
    project = env["csw.project"].create(
        {
            "name": f"云山花园{suffix}",
            "code": f"YS{suffix}",
            "company_id": company.id,
            "completion_date": date(2024, 1, 10),
            "handover_date": date(2024, 6, 1),
        }
    )
    owner = env["res.partner"].create({"name": f"林晓雯{suffix}"})
    unit = env["csw.unit"].create(
        {"name": "3-2-1201", "project_id": project.id, "address": "云山路8号3栋1201", "owner_id": owner.id}
    )
    team = env["res.partner"].create({"name": f"顺安防水工程有限公司{suffix}", "is_company": True})
    subcontract = env["csw.subcontract"].create(
        {
            "name": f"YS-FB-001{suffix}",
            "partner_id": team.id,
            "project_id": project.id,
            "category_ids": [Command.set(env.ref("customer_service_warranty.category_waterproofing").ids)],
            "amount": 1_000_000,
            "agency_fee_percent": 50,
            "state": "active",
        }
    )
    repairer = env["res.partner"].create({"name": "快修工程队", "is_company": True, "csw_repair_team": True})
    return project, unit, team, subcontract, repairer


def substitute_repair(env, unit, repairer, cost, compensation=0.0, report_date=date(2025, 3, 1)):
    """A notified order of ``unit`` repaired by ``repairer`` for ``cost`` (its estimate too), engaged
    in an emergency by the superuser (the request-first path is in test_substitute_request):
    returns the done order of a draft deduction."""
    order = env["csw.repair.order"].create(
        {
            "unit_id": unit.id,
            "location": "主卫",
            "category_id": env.ref("customer_service_warranty.category_waterproofing_bathroom").id,
            "report_date": report_date,
            "notify_method": "written",
            "compensation_amount": compensation,
            "estimated_cost": cost,
        }
    )
    order.action_notify()
    order.write({"substitute_partner_id": repairer.id, "emergency_engage_reason": "渗漏严重, 业主无法使用卫生间"})
    order.action_engage_emergency()
    order.write({"substitute_cost": cost, "completion_note": "代维班组已修复"})
    order.action_done()
    return order


class CswAccountingCase(AccountTestInvoicingCommon):
    """An estate with a subcontract in a company with a chart of accounts, its agent, manager
    and accountant (manager + billing), and two evidence files."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        # crons write in the company's language: the suite asserts their English texts
        cls.company.partner_id.lang = "en_US"
        cls.env.user.company_ids |= cls.company
        # the accounting test user also sets up estates and contracts
        cls.env.user.groups_id |= cls.env.ref(MANAGER)
        cls.agent = cls.company_user("deduction_agent", PROJECT_AGENT)
        cls.manager = cls.company_user("deduction_manager", MANAGER)
        cls.accountant = cls.company_user("deduction_accountant", f"{MANAGER},{BILLING}")
        cls.project, cls.unit, cls.team, cls.subcontract, cls.repairer = build_estate(cls.env, cls.company)
        cls.project.member_ids = cls.agent
        cls.photo = cls.env["ir.attachment"].create({"name": "现场照片.jpg", "datas": base64.b64encode(b"jpeg")})
        cls.screenshot = cls.env["ir.attachment"].create({"name": "通知截图.png", "datas": base64.b64encode(b"png")})

    @classmethod
    def company_user(cls, login, groups):
        return new_test_user(
            cls.env,
            login=login,
            groups=f"base.group_user,{groups}",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )

    def _bill(self, partner, amount, post=True, subcontract=None):
        """A bill of ``amount`` from ``partner`` (one line, no tax), posted unless ``post`` is false."""
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": partner.id,
                "invoice_date": date(2025, 2, 1),
                "csw_subcontract_id": subcontract.id if subcontract else False,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "进度款",
                            "account_id": self.company_data["default_account_expense"].id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if post:
            bill.action_post()
        return bill
