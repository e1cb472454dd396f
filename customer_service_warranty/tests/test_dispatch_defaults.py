from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_money import CswAccountingCase, substitute_repair
from .common_repair import CswRepairCase


@tagged("post_install", "-at_install")
class TestDispatchDefaults(CswRepairCase):
    """Dispatch works out of the box: each team is told its own way, and only a team of the
    company can be engaged as a substitute."""

    # ------------------------------------------------------------------
    # B1: notify a team without e-mail
    # ------------------------------------------------------------------
    def test_team_without_email_is_notified_in_one_click(self):
        self.team.email = False
        order = self.order()
        self.assertEqual(order.notify_method, "written")
        order.with_user(self.project_agent).action_notify()
        self.assertEqual(order.state, "notified")
        self.assertTrue(order.notice_attachment_id)
        self.team.email = "shunan@example.com"
        self.assertEqual(self.order().notify_method, "email")

    def test_inspection_batch_notifies_each_team_its_own_way(self):
        self.team.email = False
        wizard = self.env["csw.inspection.wizard"].create(
            {
                "project_id": self.project.id,
                "default_unit_id": self.unit.id,
                "line_ids": [
                    Command.create({"location": "主卫", "category_id": self.category("waterproofing_bathroom").id}),
                    Command.create({"location": "客厅", "category_id": self.category("decoration_wall_tile").id}),
                ],
            }
        )
        action = wizard.action_create_orders()
        orders = self.env["csw.repair.order"].search(action["domain"])
        self.assertEqual(set(orders.mapped("state")), {"notified"})
        by_team = {order.subcontract_id: order.notify_method for order in orders}
        self.assertEqual(by_team, {self.subcontract: "written", self.tile_subcontract: "email"})

    # ------------------------------------------------------------------
    # B27: the substitute team is a team of the company
    # ------------------------------------------------------------------
    def test_substitute_team_is_a_subcontractor_or_repair_team_of_the_company(self):
        order = self.order()
        order.action_notify()
        owner_company = self.env["res.partner"].create({"name": "于磊", "is_company": True})
        self.env["csw.unit"].create({"name": "3-2-1203", "project_id": self.project.id, "owner_id": owner_company.id})
        stranger = self.env["res.partner"].create({"name": "Azure Interior", "is_company": True})
        for partner in (self.owner, owner_company, stranger):
            with self.subTest(partner=partner.name):
                with self.assertRaises(ValidationError), self.env.cr.savepoint():
                    order.with_user(self.project_agent).write({"substitute_partner_id": partner.id})
                order.invalidate_recordset()
                self.assertFalse(order.sudo().substitute_partner_id)
        # another estate's subcontractor of the same company, and a flagged repair team, may
        order.with_user(self.project_agent).write({"substitute_partner_id": self.tile_team.id})
        order.with_user(self.project_agent).write({"substitute_partner_id": self.repairer.id})
        self.assertEqual(order.substitute_partner_id, self.repairer)

    def test_substitute_team_choices_follow_the_same_rule(self):
        domain = self.env["res.partner"]._csw_repair_team_domain(self.company.id)
        choices = self.env["res.partner"].search(domain)
        self.assertIn(self.repairer, choices)
        self.assertIn(self.team, choices)
        self.assertNotIn(self.owner, choices)
        other = self.env["res.partner"]._csw_repair_team_domain(self.other_company.id)
        self.assertNotIn(self.team, self.env["res.partner"].search(other), "a team of another company")


@tagged("post_install", "-at_install")
class TestNoticeEvidence(CswAccountingCase):
    """B25: the notice screenshot is evidence of a notice sent by message, not of a written form."""

    def test_screenshot_required_only_for_a_notice_by_message(self):
        self.company.csw_evidence_notice_required = True
        deduction = substitute_repair(self.env, self.unit, self.repairer, 1000).deduction_id
        deduction.write({"evidence_photo_ids": [Command.link(self.photo.id)]})
        self.assertEqual(deduction.notify_method, "written")
        deduction.notify_method = "message"
        with self.assertRaises(UserError) as err:
            deduction.with_user(self.agent).action_submit()
        self.assertIn("notice screenshot", str(err.exception))
        self.assertEqual(deduction.state, "draft")
        deduction.notify_method = "written"
        deduction.with_user(self.agent).action_submit()
        self.assertEqual(deduction.state, "submitted")
