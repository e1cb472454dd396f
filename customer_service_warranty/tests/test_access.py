from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CswCase

# model -> operations allowed per group (project agent, center agent, manager)
ACCESS_MATRIX = {
    "csw.project": ("r", "r", "rwcu"),
    "csw.unit": ("rw", "rwc", "rwcu"),
    "csw.defect.category": ("r", "r", "rwcu"),
    "csw.subcontract": ("r", "rwc", "rwcu"),
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


@tagged("post_install", "-at_install")
class TestAccess(CswCase):
    def test_access_rights_per_group(self):
        users = (self.project_agent, self.center_agent, self.manager)
        for model, allowed_per_group in ACCESS_MATRIX.items():
            for user, allowed in zip(users, allowed_per_group, strict=True):
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, user=user.login, operation=operation):
                        granted = self.env[model].with_user(user).has_access(operation)
                        self.assertEqual(granted, letter in allowed)

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
