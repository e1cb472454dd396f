from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import MANAGER, CswCase

# The access matrix of the product (DOMAIN §9): model -> operations of each role, in the order of
# ROLES. r read, w write, c create, u unlink. Portal users only read what record rules give them;
# everything they change goes through the portal's checked actions.
ROLES = ("internal", "billing", "portal", "project_agent", "center_agent", "manager", "manager_billing")
ACCESS_MATRIX = {
    "csw.project": ("", "", "", "r", "r", "rwcu", "rwcu"),
    "csw.unit": ("", "", "r", "rw", "rwc", "rwcu", "rwcu"),
    "csw.defect.category": ("", "", "", "r", "r", "rwcu", "rwcu"),
    "csw.subcontract": ("", "", "", "r", "rwc", "rwcu", "rwcu"),
    "csw.sla.policy": ("", "", "", "r", "r", "rwcu", "rwcu"),
    "csw.ticket": ("", "", "r", "rwc", "rwc", "rwcu", "rwcu"),
    # owners read an incident's notice through the portal controller only
    "csw.incident": ("", "", "", "rwc", "rwc", "rwcu", "rwcu"),
    "csw.assessment": ("", "", "", "r", "r", "rwcu", "rwcu"),
    "csw.repair.order": ("", "", "r", "rwc", "rwc", "rwcu", "rwcu"),
    "csw.appointment.window": ("", "", "r", "rwcu", "rwcu", "rwcu", "rwcu"),
    "csw.inspection.wizard": ("", "", "", "rwcu", "rwcu", "rwcu", "rwcu"),
    "csw.inspection.wizard.line": ("", "", "", "rwcu", "rwcu", "rwcu", "rwcu"),
    "csw.emergency.repair.wizard": ("", "", "", "rwcu", "rwcu", "rwcu", "rwcu"),
    "csw.deadline.move": ("", "", "", "rwcu", "rwcu", "rwcu", "rwcu"),
    "csw.deduction": ("", "", "", "rwc", "rwc", "rwcu", "rwcu"),
    "csw.retention.entry": ("", "", "", "", "r", "r", "r"),
    "csw.retention.review": ("", "", "", "", "r", "rc", "rc"),
    "csw.callback": ("", "", "r", "rwc", "rwc", "rwcu", "rwcu"),
    "csw.callback.followup.wizard": ("", "", "", "rwcu", "rwcu", "rwcu", "rwcu"),
    "csw.callback.plan": ("", "", "", "r", "r", "rwcu", "rwcu"),
    "csw.callback.plan.line": ("", "", "", "r", "r", "rwcu", "rwcu"),
    "csw.callback.report": ("", "", "", "r", "r", "r", "r"),
    "csw.monthly.report": ("", "", "", "r", "r", "rwcu", "rwcu"),
    "csw.weekly.report": ("", "", "", "r", "r", "rwcu", "rwcu"),
    "csw.region.report": ("", "", "", "", "r", "r", "r"),
    "csw.quality.feedback": ("", "", "", "", "", "r", "r"),
    "csw.script": ("", "", "", "r", "r", "rwcu", "rwcu"),
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}
BILLING = "account.group_account_invoice"


@tagged("post_install", "-at_install")
class TestAccess(CswCase):
    def role_users(self):
        def user(login, groups):
            return new_test_user(
                self.env, login=login, groups=groups, company_id=self.company.id, company_ids=[self.company.id]
            )

        return {
            "internal": user("employee", "base.group_user"),
            "billing": user("accountant", f"base.group_user,{BILLING}"),
            "portal": user("portal_owner", "base.group_portal"),
            "project_agent": self.project_agent,
            "center_agent": self.center_agent,
            "manager": self.manager,
            "manager_billing": user("manager_billing", f"base.group_user,{MANAGER},{BILLING}"),
        }

    def test_access_matrix_covers_every_model(self):
        models = {name for name, model in self.env.registry.items() if name.startswith("csw.") and not model._abstract}
        self.assertEqual(models, set(ACCESS_MATRIX), "every model of the addon has its row in the matrix")

    def test_access_rights_per_role(self):
        """Every model x every role x every operation, as the matrix says and nothing more."""
        users = self.role_users()
        differences = []
        for model, allowed_per_role in ACCESS_MATRIX.items():
            for role, allowed in zip(ROLES, allowed_per_role, strict=True):
                for letter, operation in OPERATIONS.items():
                    granted = self.env[model].with_user(users[role]).has_access(operation)
                    if granted != (letter in allowed):
                        differences.append(f"{model} {role} {operation}: {'granted' if granted else 'refused'}")
        self.assertFalse(differences, "access differs from the matrix")

    def test_project_agents_see_the_records_of_their_estates_only(self):
        Ticket, Order = self.env["csw.ticket"], self.env["csw.repair.order"]
        mine = {
            "csw.ticket": Ticket.create({"name": "门禁卡失效", "unit_id": self.unit.id}),
            "csw.repair.order": Order.create({"unit_id": self.unit.id, "location": "入户门"}),
            "csw.deduction": self.env["csw.deduction"].create({"subcontract_id": self.subcontract.id}),
            "csw.callback": self.env["csw.callback"].create(self.callback_values(self.unit)),
        }
        foreign = {
            "csw.ticket": Ticket.create({"name": "电梯故障", "unit_id": self.foreign_unit.id}),
            "csw.repair.order": Order.create({"unit_id": self.foreign_unit.id, "location": "厨房"}),
            "csw.deduction": self.env["csw.deduction"].create({"subcontract_id": self.foreign_subcontract.id}),
            "csw.callback": self.env["csw.callback"].create(self.callback_values(self.foreign_unit)),
        }
        for model, record in mine.items():
            with self.subTest(model=model):
                visible = (
                    self.env[model].with_user(self.project_agent).search([("id", "in", (record | foreign[model]).ids)])
                )
                self.assertEqual(visible, record)
                with self.assertRaises(AccessError):
                    foreign[model].with_user(self.project_agent).read(["id"])
                self.assertEqual(
                    self.env[model].with_user(self.center_agent).search([("id", "in", (record | foreign[model]).ids)]),
                    record | foreign[model],
                    "center agents see every estate",
                )
                self.assertFalse(self.env[model].with_user(self.other_manager).search([("id", "=", record.id)]))

    def callback_values(self, unit):
        return {
            "unit_id": unit.id,
            "callback_type": "periodic",
            "scheduled_date": fields.Datetime.now() + timedelta(days=1),
            "deadline": fields.Datetime.now() + timedelta(days=8),
        }

    def test_project_agent_sees_only_member_estates(self):
        Project = self.env["csw.project"].with_user(self.project_agent)
        self.assertEqual(Project.search([]), self.project)
        self.assertEqual(self.env["csw.unit"].with_user(self.project_agent).search([]), self.unit)
        self.assertEqual(self.env["csw.subcontract"].with_user(self.project_agent).search([]), self.subcontract)
        with self.assertRaises(AccessError):
            self.foreign_project.with_user(self.project_agent).read(["name"])
        with self.assertRaises(AccessError):
            self.foreign_unit.with_user(self.project_agent).write({"address": "x"})

    def test_project_agent_updates_units_of_their_estates(self):
        new_owner = self.env["res.partner"].create({"name": "吴丽华"})
        self.unit.with_user(self.project_agent).write({"owner_id": new_owner.id})
        self.assertEqual(self.unit.owner_id, new_owner)

    def test_cs_lead_sees_the_estate_without_being_member(self):
        lead = self.project_agent.copy({"login": "lead_only"})
        self.foreign_project.cs_user_id = lead
        self.assertEqual(self.env["csw.project"].with_user(lead).search([]), self.foreign_project)

    def test_center_agent_sees_every_estate_of_the_company(self):
        self.assertEqual(
            self.env["csw.project"].with_user(self.center_agent).search([]),
            self.project | self.foreign_project,
        )
        self.assertEqual(len(self.env["csw.unit"].with_user(self.center_agent).search([])), 2)

    def test_companies_are_isolated(self):
        self.assertEqual(self.env["csw.project"].with_user(self.other_manager).search([]), self.other_company_project)
        self.assertFalse(self.env["csw.unit"].with_user(self.other_manager).search([]))
        self.assertFalse(self.env["csw.subcontract"].with_user(self.other_manager).search([]))
        with self.assertRaises(AccessError):
            self.project.with_user(self.other_manager).read(["name"])
        self.assertNotIn(self.other_company_project, self.env["csw.project"].with_user(self.manager).search([]))

    def test_records_cannot_mix_companies(self):
        own_category = self.env["csw.defect.category"].create(
            {"name": "Sea-salt corrosion", "company_id": self.other_company.id}
        )
        with self.assertRaises(UserError):
            self.env["csw.subcontract"].create(
                {
                    "name": "MIX-001",
                    "partner_id": self.team.id,
                    "project_id": self.project.id,
                    "category_ids": [(6, 0, own_category.ids)],
                }
            )
        # a category shared by all companies is fine
        self.subcontract.category_ids |= self.category("decoration")

    def test_shared_categories_are_visible_to_every_company(self):
        categories = self.env["csw.defect.category"].with_user(self.other_manager).search([])
        self.assertIn(self.category("waterproofing"), categories)
