from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common_repair import CswRepairCase


@tagged("post_install", "-at_install", "csw_dates")
class TestRepairOrderWarranty(CswRepairCase):
    """Both clocks decide: the owner's coverage and the subcontractor's liability."""

    def test_owner_covered_but_subcontractor_no_longer_liable(self):
        # handed over 2020-12-01 (owner: 5 years), accepted 2020-06-01 (team: 5 years)
        order = self.order(report_date=date(2025, 8, 1))
        self.assertEqual(order.coverage, "in_warranty")
        self.assertEqual(order.owner_warranty_end, date(2025, 12, 1))
        self.assertEqual(order.subcontractor_liability_end, date(2025, 6, 1))
        self.assertFalse(order.subcontractor_liable)

    def test_both_clocks_running(self):
        order = self.order(report_date=date(2024, 3, 1))
        self.assertEqual(order.coverage, "in_warranty")
        self.assertTrue(order.subcontractor_liable)

    def test_expired_and_owner_damage_are_recorded_and_marked(self):
        tiles = self.order(category_id=self.category("decoration_wall_tile").id, report_date=date(2023, 1, 10))
        self.assertEqual(tiles.coverage, "expired")
        self.assertEqual(tiles.owner_warranty_end, date(2022, 12, 1))
        damaged = self.order(report_date=date(2024, 3, 1), owner_damage=True)
        self.assertEqual(damaged.coverage, "not_covered")

    def test_responsible_subcontract_is_proposed_and_can_be_changed(self):
        self.assertEqual(self.order().subcontract_id, self.subcontract)
        tiles = self.order(category_id=self.category("decoration_floor_tile").id)
        self.assertEqual(tiles.subcontract_id, self.tile_subcontract)
        bathroom_specialist = self.env["csw.subcontract"].create(
            {
                "name": "YS-FB-003",
                "partner_id": self.repairer.id,
                "project_id": self.project.id,
                "category_ids": [(6, 0, self.category("waterproofing_bathroom").ids)],
                "state": "active",
            }
        )
        self.assertEqual(self.order().subcontract_id, bathroom_specialist, "the most specific contract")
        roof = self.order(category_id=self.category("waterproofing_roof").id)
        self.assertEqual(roof.subcontract_id, self.subcontract)
        roof.subcontract_id = bathroom_specialist
        self.assertEqual(roof.subcontract_id, bathroom_specialist)
        nobody = self.order(category_id=self.category("heating_radiator").id)
        self.assertFalse(nobody.subcontract_id)

    def test_batch_over_two_estates_gets_each_estates_contract(self):
        """One import of orders of two estates: each order the contract of its own estate, an
        active contract before a more specific draft one."""
        self.foreign_subcontract.write({"category_ids": [(6, 0, self.category("waterproofing").ids)]})
        self.foreign_subcontract.action_activate()
        draft_specialist = self.env["csw.subcontract"].create(
            {
                "name": "XH-FB-002",
                "partner_id": self.repairer.id,
                "project_id": self.foreign_project.id,
                "category_ids": [(6, 0, self.category("waterproofing_bathroom").ids)],
            }
        )
        self.assertEqual(draft_specialist.state, "draft")
        bathroom = self.category("waterproofing_bathroom").id
        orders = self.env["csw.repair.order"].create(
            [
                {"unit_id": unit.id, "category_id": bathroom, "location": "主卫"}
                for unit in (self.unit, self.foreign_unit, self.unit, self.foreign_unit)
            ]
        )
        self.assertEqual([order.subcontract_id for order in orders], [self.subcontract, self.foreign_subcontract] * 2)
        self.foreign_subcontract.action_close()
        self.assertEqual(self.order(unit_id=self.foreign_unit.id).subcontract_id, draft_specialist)

    def test_numbers_and_key_account_assignment(self):
        with freeze_time("2026-11-05"):
            first = self.order()
        self.assertEqual(first.name, "WX2026110001")
        self.unit.write({"key_account": True, "key_account_user_id": self.project_agent.id})
        order = self.order()
        self.assertEqual(order.user_id, self.project_agent)
        self.assertTrue(order.key_account)


@tagged("post_install", "-at_install", "csw_dates")
class TestRepairOrderWorkflow(CswRepairCase):
    def _mails_to(self, partner):
        return self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])

    def test_notify_sends_one_notice_per_team(self):
        now = datetime(2026, 11, 20, 9, 0)
        orders = (
            self.order()
            | self.order(location="厨房")
            | self.order(category_id=self.category("decoration_wall_tile").id, location="客厅")
        )
        with freeze_time(now):
            orders.action_notify()
        self.assertEqual(set(orders.mapped("state")), {"notified"})
        self.assertEqual(orders[0].notify_date, now)
        self.assertEqual(orders[0].entry_deadline, now + timedelta(hours=24), "the contract's entry time")
        self.assertEqual(orders[2].entry_deadline, now + timedelta(hours=48))
        waterproofing_mail = self._mails_to(self.team)
        self.assertEqual(len(waterproofing_mail), 1)
        self.assertIn("2 defect", waterproofing_mail.subject)
        self.assertEqual(len(waterproofing_mail.attachment_ids), 1)
        self.assertEqual(len(self._mails_to(self.tile_team)), 1)
        self.assertEqual(orders[0].notice_attachment_id, orders[1].notice_attachment_id)
        self.assertIn("Notice sent", orders[0].message_ids[0].body)

    def test_notify_refusals_leave_the_order_as_it_was(self):
        no_location = self.order(location=False)
        with self.assertRaises(UserError) as err:
            no_location.action_notify()
        self.assertIn("location", str(err.exception))
        self.assertEqual(no_location.state, "draft")
        no_team = self.order(category_id=self.category("heating_radiator").id)
        with self.assertRaises(UserError):
            no_team.action_notify()
        self.team.email = False
        order = self.order()
        self.assertEqual(order.notify_method, "written", "a team without e-mail is notified in writing by default")
        order.notify_method = "email"
        with self.assertRaises(UserError) as err:
            order.action_notify()
        self.assertIn("e-mail", str(err.exception))
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.notify_date)
        order.notify_method = "written"
        order.action_notify()
        self.assertEqual(order.state, "notified")
        self.assertTrue(order.notice_attachment_id, "the written notice is printed")
        self.assertFalse(self._mails_to(self.team))

    def test_full_cycle_with_its_refusals(self):
        order = self.order()
        with self.assertRaises(UserError):
            order.action_start()
        order.action_notify()
        order.action_start()
        self.assertEqual(order.state, "in_progress")
        self.assertTrue(order.entry_date)
        with self.assertRaises(UserError) as err:
            order.action_done()
        self.assertIn("completion note", str(err.exception))
        self.assertEqual(order.state, "in_progress")
        order.completion_note = "重做防水层,闭水试验 48 小时无渗漏"
        order.action_done()
        self.assertEqual(order.state, "done")
        self.assertIn("without a completion photo", order.message_ids[0].body)
        # the subcontractor (through the portal, as sudo) cannot verify its own work
        team_user = new_test_user(self.env, login="team_user", groups="base.group_portal")
        with self.assertRaises(UserError):
            order.with_user(team_user).sudo().action_verify()
        self.assertEqual(order.state, "done")
        order.with_user(self.project_agent).action_verify()
        self.assertEqual(order.state, "verified")
        with self.assertRaises(UserError):
            order.action_cancel()

    def test_cancel_needs_a_reason(self):
        order = self.order()
        with self.assertRaises(UserError):
            order.action_cancel()
        order.cancel_reason = "业主自行维修"
        order.action_cancel()
        self.assertEqual(order.state, "cancelled")

    def test_reopen_goes_back_to_the_same_team(self):
        order = self.order(completion_note="已修复")
        order.action_notify()
        order.action_done()
        order.action_reopen()
        self.assertEqual(order.state, "notified")
        self.assertEqual(order.reopen_count, 1)
        self.assertEqual(order.subcontract_id, self.subcontract)
        self.assertFalse(order.done_date)
        self.assertEqual(len(self._mails_to(self.team)), 2, "a new notice")

    def test_only_drafts_can_be_deleted(self):
        draft = self.order()
        notified = self.order()
        notified.action_notify()
        with self.assertRaises(UserError):
            notified.with_user(self.manager).unlink()
        draft.with_user(self.manager).unlink()

    def test_ticket_with_several_orders(self):
        ticket = self.env["csw.ticket"].create({"name": "多处渗水", "unit_id": self.unit.id, "location": "主卫"})
        action = ticket.action_new_repair_order()
        self.assertEqual(action["context"]["default_unit_id"], self.unit.id)
        self.order(ticket_id=ticket.id)
        self.order(ticket_id=ticket.id, location="次卫")
        self.assertEqual(ticket.repair_order_count, 2)
        self.assertEqual(self.owner.csw_repair_order_count, 2)

    def test_project_agents_see_the_orders_of_their_estates(self):
        own = self.order()
        foreign = self.env["csw.repair.order"].create(
            {"unit_id": self.foreign_unit.id, "location": "阳台", "category_id": self.category("decoration").id}
        )
        Order = self.env["csw.repair.order"].with_user(self.project_agent)
        self.assertEqual(Order.search([]), own)
        with self.assertRaises(AccessError):
            foreign.with_user(self.project_agent).read(["name"])
        with self.assertRaises(AccessError):
            own.with_user(self.project_agent).unlink()
        self.assertEqual(
            self.env["csw.repair.order"].with_user(self.other_manager).search([]), self.env["csw.repair.order"]
        )


@tagged("post_install", "-at_install", "csw_dates")
class TestRepairOrderOverdueAndSubstitute(CswRepairCase):
    def test_overdue_cron_flags_and_proposes_substitute(self):
        with freeze_time("2026-11-20 09:00:00"):
            late = self.order()
            on_time = self.order(category_id=self.category("decoration_wall_tile").id)
            (late | on_time).action_notify()
        with freeze_time("2026-11-21 10:00:00"):  # 25 h later: past 24 h, within 48 h
            self.env["csw.repair.order"]._cron_flag_overdue()
        self.assertTrue(late.is_overdue)
        self.assertFalse(on_time.is_overdue)
        self.assertIn("substitute", late.message_ids[0].body)
        activity = self.env["mail.activity"].search([("res_model", "=", "csw.repair.order"), ("res_id", "=", late.id)])
        self.assertEqual(activity.user_id, self.project.cs_user_id)
        overdue = self.env["csw.repair.order"].search([("is_overdue", "=", True)])
        self.assertIn(late, overdue)
        self.assertNotIn(on_time, overdue)

    def test_overdue_cron_queries_do_not_depend_on_volume(self):
        Order = self.env["csw.repair.order"]

        def flag(count, day):
            with freeze_time(datetime(2026, 11, day, 9, 0)):
                orders = Order.create(
                    [
                        {
                            "unit_id": self.unit.id,
                            "location": f"部位{n}",
                            "notify_method": "written",
                            "category_id": self.category("waterproofing_roof").id,
                        }
                        for n in range(count)
                    ]
                )
                orders.action_notify()
            with freeze_time(datetime(2026, 11, day + 2, 9, 0)):
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                Order._cron_flag_overdue()
                queries = self.env.cr.sql_log_count - before
            self.assertTrue(all(orders.mapped("is_overdue")))
            orders.write({"state": "cancelled", "cancel_reason": "test"})
            return queries

        flag(3, 1)  # warms the caches
        self.assertEqual(flag(10, 5), flag(100, 9))

    def test_substitute_request_creates_then_extends_the_draft_deduction(self):
        first = self.order(report_date=date(2024, 3, 1), compensation_amount=800)
        second = self.order(report_date=date(2024, 3, 2), location="次卫")
        (first | second).action_notify()
        first.write({"substitute_partner_id": self.repairer.id, "estimated_cost": 3000})
        first.action_request_substitute()
        deduction = first.deduction_id
        self.assertFalse(first.is_substitute, "a request engages no one")
        self.assertEqual(first.state, "notified")
        self.assertEqual(deduction.state, "draft")
        self.assertEqual(deduction.subcontract_id, self.subcontract)
        self.assertEqual(deduction.estimated_cost, 3000)
        self.assertEqual(deduction.substitute_cost, 0, "no actual cost before the work")
        self.assertEqual(deduction.compensation_amount, 800)
        self.assertTrue(deduction.name.startswith("KK"))
        second.write({"substitute_partner_id": self.repairer.id, "estimated_cost": 1000})
        second.action_request_substitute()
        self.assertEqual(second.deduction_id, deduction, "the open draft is extended")
        self.assertEqual(deduction.estimated_cost, 4000)
        # once done, the actual costs make the charge
        (first | second).write({"substitute_cost": 2500})
        self.assertEqual(deduction.substitute_cost, 5000)
        self.assertEqual(deduction.agency_fee_amount, 2500, "50 % agency fee of the contract")
        self.assertEqual(deduction.amount_total, 5000 + 2500 + 800)
        self.assertEqual(first.cost_difference, -500)
        self.assertEqual(deduction.cost_difference, 1000)

    def test_substitute_refused_outside_the_subcontractor_liability(self):
        order = self.order(report_date=date(2025, 8, 1))  # team liable until 2025-06-01
        order.action_notify()
        order.write({"substitute_partner_id": self.repairer.id, "estimated_cost": 3000})
        for action in ("action_request_substitute", "action_substitute"):
            with self.subTest(action=action), self.assertRaises(UserError) as err:
                getattr(order, action)()
            self.assertIn("outside the liability", str(err.exception))
        self.assertFalse(order.is_substitute)
        self.assertFalse(self.env["csw.deduction"].search([("subcontract_id", "=", self.subcontract.id)]))

    def test_substitute_request_needs_the_team_and_its_estimate(self):
        order = self.order(report_date=date(2024, 3, 1))
        order.action_notify()
        with self.assertRaises(UserError):
            order.action_request_substitute()
        order.substitute_partner_id = self.repairer
        with self.assertRaises(UserError) as err:
            order.action_request_substitute()
        self.assertIn("estimated cost", str(err.exception))
        self.assertFalse(order.deduction_id)
