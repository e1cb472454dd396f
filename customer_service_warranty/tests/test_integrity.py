"""Issue 17, "rules live in the model": every attack of the security review (H1-H5, M6,
L10, L11, L13, L14) made as a user over the ORM, as an RPC client would, is refused with a
clear message and changes nothing; the buttons keep working."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CENTER_AGENT, MANAGER
from .common_money import BILLING, CswAccountingCase, substitute_repair
from .common_repair import CswRepairCase


@tagged("post_install", "-at_install", "csw_dates")
class TestProtectedFields(CswRepairCase):
    """Workflow, trail and SLA fields of orders, tickets, callbacks and contracts."""

    def _refused(self, records, vals, *expected):
        """Write ``vals`` as the user of ``records``: refused, the message names ``expected``,
        nothing changed."""
        before = records.sudo().read(list(vals))
        with self.assertRaises(UserError) as err:
            records.write(vals)
        for text in expected:
            self.assertIn(text, str(err.exception))
        self.assertEqual(records.sudo().read(list(vals)), before)
        return err.exception

    def test_agent_cannot_write_the_workflow_fields_of_a_repair_order(self):
        order = self.order(report_date=date(2024, 3, 1))
        order.action_notify()
        mine = order.with_user(self.project_agent)
        self._refused(mine, {"state": "verified"}, "State", "Verify")
        self._refused(mine, {"state": "cancelled"}, "Cancel")
        self._refused(mine, {"is_overdue": True}, "Team Overdue", "overdue")
        self._refused(mine, {"done_deadline": fields.Datetime.now()}, "Completion Deadline", "repair time limit")
        self._refused(mine, {"entry_date": fields.Datetime.now()}, "Team On Site")
        self._refused(mine, {"is_substitute": True}, "Substitute Repair")
        self._refused(mine, {"reopen_count": 7}, "Reopen")
        self._refused(mine, {"subcontractor_liable": False}, "warranty clocks")
        self._refused(mine, {"name": "WX-FORGED"}, "numbering")
        # the buttons still work for the same user
        mine.action_start()
        self.assertEqual(order.state, "in_progress")
        self.assertTrue(order.entry_date)
        # a value sent back unchanged is no change
        mine.write({"state": "in_progress", "location": "主卫地漏"})
        self.assertEqual(order.location, "主卫地漏")

    def test_a_context_key_sent_by_a_client_is_no_bypass(self):
        order = self.order(report_date=date(2024, 3, 1))
        for key in ("csw_workflow", "workflow", "csw_protected_bypass"):
            with self.subTest(key=key):
                forged = order.with_user(self.project_agent).with_context(**{key: True})
                self._refused(forged, {"state": "done"}, "Mark Done")
        self.assertEqual(order.state, "draft")

    def test_agent_cannot_create_a_record_past_its_workflow(self):
        Order = self.env["csw.repair.order"].with_user(self.project_agent)
        values = {"unit_id": self.unit.id, "location": "厨房", "category_id": self.category("waterproofing").id}
        for forged in ({"state": "verified"}, {"is_substitute": True}, {"name": "WX-FORGED"}):
            with self.subTest(forged=forged), self.assertRaises(UserError):
                Order.create({**values, **forged})
        self.assertFalse(self.env["csw.repair.order"].search([("location", "=", "厨房")]))
        # the default values are fine
        order = Order.create({**values, "state": "draft", "name": "/"})
        self.assertNotEqual(order.name, "/")

    def test_ticket_sla_and_escalation_fields_change_only_by_the_system(self):
        received = fields.Datetime.now() - timedelta(hours=30)
        Ticket = self.env["csw.ticket"].with_user(self.project_agent)
        # the time of the call is given at creation
        ticket = Ticket.create(
            {"name": "投诉物业", "ticket_type": "complaint", "unit_id": self.unit.id, "received_date": received}
        )
        self.assertEqual(ticket.received_date, received)
        self._refused(ticket, {"received_date": fields.Datetime.now()}, "Received On", "creation")
        self._refused(ticket, {"escalation_level": 3}, "escalation")
        self._refused(ticket, {"response_breached": not ticket.response_breached}, "SLA")
        self._refused(ticket, {"sla_state": "breached" if ticket.sla_state != "breached" else "on_track"}, "SLA")
        self._refused(ticket, {"first_response_date": received}, "reply")
        self._refused(ticket, {"state": "closed"}, "Close")
        self._refused(ticket, {"number": "KF-FORGED"}, "numbering")
        lax = self.env["csw.sla.policy"].create(
            {"name": "宽松", "ticket_type": "complaint", "priority": "0", "response_hours": 999, "resolve_hours": 999}
        )
        self._refused(ticket, {"sla_policy_id": lax.id}, "SLA Policy", "manager")
        with self.assertRaises(UserError):
            Ticket.create({"name": "x", "ticket_type": "consultation", "number": "KF-FORGED"})
        # a manager may choose another policy
        ticket.with_user(self.manager).write({"sla_policy_id": lax.id})
        self.assertEqual(ticket.sla_policy_id, lax)
        ticket.action_start()
        self.assertEqual(ticket.state, "in_progress")
        self.assertTrue(ticket.first_response_date)

    def test_empty_recordsets_change_nothing(self):
        """L13: a write or an action on no record runs no global SLA refresh; L14 alike."""
        ticket = self.env["csw.ticket"].create({"name": "咨询", "ticket_type": "consultation"})
        # a stale SLA state that a global refresh would correct
        ticket.sudo().write({"response_deadline": fields.Datetime.now() - timedelta(hours=1)})
        self.assertEqual(ticket.sla_state, "on_track")
        Ticket = self.env["csw.ticket"].with_user(self.project_agent)
        self.assertTrue(Ticket.browse().write({"state": "new"}))
        with self.assertRaises(UserError):
            Ticket.browse().action_start()
        for model, action in (
            ("csw.repair.order", "action_notify"),
            ("csw.repair.order", "action_substitute"),
            ("csw.callback", "action_done"),
            ("csw.subcontract", "action_activate"),
        ):
            with self.subTest(model=model, action=action), self.assertRaises(UserError):
                getattr(self.env[model].with_user(self.center_agent).browse(), action)()
        ticket.invalidate_recordset()
        self.assertEqual(ticket.sla_state, "on_track")

    def _periodic_callback(self):
        """A callback of the project agent, due within a day."""
        return self.env["csw.callback"].create(
            {
                "callback_type": "periodic",
                "unit_id": self.unit.id,
                "deadline": fields.Datetime.now() + timedelta(days=1),
                "user_id": self.project_agent.id,
            }
        )

    def test_callback_fields_and_answer_are_kept(self):
        callback = self._periodic_callback()
        mine = callback.with_user(self.project_agent)
        self._refused(mine, {"state": "done"}, "Record Call")
        self._refused(mine, {"done_date": fields.Datetime.now()}, "Record Call")
        self._refused(mine, {"escalated": True}, "overdue callbacks")
        self._refused(mine, {"attempt_count": 2}, "No Answer")
        mine.write({"result": "reached", "satisfaction": "1"})
        mine.action_done()
        self.assertEqual(callback.state, "done")
        # the answer counts in the KPIs: it no longer changes, even for the superuser
        self._refused(mine, {"satisfaction": "5"}, "Satisfaction", "Planned")
        self._refused(callback, {"satisfaction": "5"}, "Satisfaction")
        with self.assertRaises(UserError):
            mine.action_done()
        with self.assertRaises(UserError):
            mine.action_cancel()
        self.assertEqual(callback.state, "done")

    def test_no_answer_counts_once_per_retry(self):
        """A second "No Answer" click before the retry time would spend the owner's attempts."""
        # without working hours, retried exactly 4 hours later, told in the agent's time zone
        self.company.write(
            {"csw_callback_max_attempts": 3, "csw_callback_retry_hours": 4, "resource_calendar_id": False}
        )
        self.project_agent.tz = "UTC"
        with freeze_time("2026-11-20 02:00:00"):
            callback = self._periodic_callback()
            mine = callback.with_user(self.project_agent)
            mine.action_record_unreachable()
            self.assertEqual((callback.state, callback.attempt_count), ("planned", 1))
            with self.assertRaises(UserError) as err:
                mine.action_record_unreachable()
            # the retry time in the company's time zone, to the minute
            retry = self.env["csw.locale"]._format_datetime(
                fields.Datetime.to_datetime("2026-11-20 06:00:00"), self.company
            )
            self.assertIn(retry, str(err.exception))
        self.assertEqual((callback.state, callback.attempt_count), ("planned", 1))
        with freeze_time("2026-11-20 06:01:00"):
            mine.action_record_unreachable()
        self.assertEqual(callback.attempt_count, 2)

    def test_derived_paths_of_a_category_are_not_written(self):
        category = self.env["csw.defect.category"].create(
            {"name": "阳台渗水", "parent_id": self.category("waterproofing").id}
        )
        for fname in ("parent_path", "sort_path"):
            with self.subTest(field=fname):
                self._refused(category.with_user(self.manager), {fname: "1/"}, "parent")

    def test_contract_state_and_release_fields_are_protected(self):
        mine = self.subcontract.with_user(self.center_agent)
        self._refused(mine, {"state": "closed"}, "Put in Force")
        self._refused(mine, {"retention_released": True}, "Release Retention")
        self._refused(mine, {"retention_release_date": date(2026, 1, 1)}, "Release Retention")
        with self.assertRaises(UserError):
            self.env["csw.subcontract"].with_user(self.center_agent).create(
                {
                    "name": "YS-FB-009",
                    "partner_id": self.team.id,
                    "project_id": self.project.id,
                    "retention_released": True,
                }
            )
        mine.action_close()
        self.assertEqual(self.subcontract.state, "closed")
        with self.assertRaises(UserError):
            mine.action_close()

    def test_actions_repeated_or_in_the_wrong_state_are_refused(self):
        order = self.order(report_date=date(2024, 3, 1))
        order.write({"cancel_reason": "业主撤回"})
        order.action_cancel()
        for action in ("action_cancel", "action_verify", "action_start", "action_done", "action_substitute"):
            with self.subTest(action=action), self.assertRaises(UserError):
                getattr(order.with_user(self.project_agent), action)()
        self.assertEqual(order.state, "cancelled")
        ticket = self.env["csw.ticket"].create({"name": "咨询", "ticket_type": "consultation"})
        ticket.action_start()
        with self.assertRaises(UserError):
            ticket.with_user(self.project_agent).action_start()
        self.assertEqual(ticket.state, "in_progress")

    def test_an_order_cannot_move_to_a_closed_or_foreign_contract(self):
        order = self.order(report_date=date(2024, 3, 1))
        mine = order.with_user(self.center_agent)
        self._refused(mine, {"subcontract_id": self.foreign_subcontract.id}, self.foreign_subcontract.name)
        self.tile_subcontract.action_close()
        self._refused(mine, {"subcontract_id": self.tile_subcontract.id}, self.tile_subcontract.name)


@tagged("post_install", "-at_install", "csw_dates")
class TestDeductionIntegrity(CswAccountingCase):
    """H1, H2, H3, H5, L10, L11, L14 on deductions and the retention."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.center_agent = cls.company_user("integrity_center", CENTER_AGENT)
        cls.billing_only = cls.company_user("integrity_billing", BILLING)
        cls.accountant2 = cls.company_user("integrity_accountant2", f"{MANAGER},{BILLING}")

    def _order(self, cost=3000, compensation=800):
        order = substitute_repair(self.env, self.unit, self.repairer, cost, compensation)
        order.deduction_id.write(
            {
                "evidence_photo_ids": [Command.link(self.photo.id)],
                "evidence_notice_ids": [Command.link(self.screenshot.id)],
            }
        )
        return order

    def _posted(self):
        order = self._order()
        deduction = order.deduction_id
        deduction.with_user(self.agent).action_submit()
        deduction.with_user(self.manager).action_approve()
        deduction.with_user(self.accountant).action_post()
        return order, deduction

    def _refused(self, records, vals, *expected, error=UserError):
        before = records.sudo().read(list(vals))
        with self.assertRaises(error) as err:
            records.write(vals)
        for text in expected:
            self.assertIn(text, str(err.exception))
        self.assertEqual(records.sudo().read(list(vals)), before)

    def _assert_equals_credit_note(self, deduction):
        deduction.invalidate_recordset()
        self.assertEqual(deduction.amount_total, deduction.move_id.amount_total)
        self.assertEqual(deduction.partner_id, deduction.move_id.partner_id)

    def test_agent_cannot_approve_or_unpost_by_writing(self):
        """H1: the state, the trail and the credit note link change only through the buttons."""
        order = self._order()
        deduction = order.deduction_id
        deduction.with_user(self.agent).action_submit()
        mine = deduction.with_user(self.agent)
        self._refused(mine, {"state": "approved"}, "State", "Approve")
        self._refused(mine.with_context(csw_workflow=True), {"state": "approved"}, "Approve")
        self._refused(mine, {"approved_uid": self.manager.id, "approved_date": fields.Datetime.now()}, "Approve")
        deduction.with_user(self.manager).action_approve()
        deduction.with_user(self.accountant).action_post()
        move = deduction.move_id
        for user in (self.agent, self.accountant):
            with self.subTest(user=user.login):
                self._refused(deduction.with_user(user), {"state": "approved", "move_id": False}, "Post Credit Note")
                self._refused(deduction.with_user(user), {"posted_uid": self.agent.id}, "Post Credit Note")
        with self.assertRaises(UserError):
            deduction.with_user(self.accountant2).action_post()
        self.assertEqual(deduction.state, "posted")
        self.assertEqual(deduction.move_id, move)
        self.assertEqual(self.env["account.move"].search_count([("csw_deduction_id", "=", deduction.id)]), 1)

    def test_amounts_are_frozen_once_submitted(self):
        """H2: the deduction no longer follows its orders or its contract; posted equals its credit note."""
        order = self._order(cost=3000, compensation=800)
        deduction = order.deduction_id
        deduction.with_user(self.agent).action_submit()
        self.assertEqual(deduction.amount_total, 5300)
        for vals in (
            {"substitute_cost": 1},
            {"agency_fee_amount": 0},
            {"compensation_amount": 0},
            {"subcontract_id": self.subcontract.copy({"name": "YS-FB-002"}).id},
        ):
            with self.subTest(vals=vals):
                self._refused(deduction.with_user(self.agent), vals, "no longer changes")
        self._refused(deduction.with_user(self.agent), {"amount_total": 1}, "adds up")
        self._refused(deduction.with_user(self.agent), {"partner_id": self.repairer.id}, "subcontract")
        self._refused(deduction.with_user(self.agent), {"repair_order_ids": [Command.clear()]}, "Substitute Repair")
        self._refused(order.with_user(self.agent), {"compensation_amount": 0}, deduction.name, "refused")
        self._refused(order.with_user(self.agent), {"estimated_cost": 1}, deduction.name)
        self._refused(order.with_user(self.agent), {"deduction_id": False}, "Substitute Repair")
        self._refused(self.subcontract.with_user(self.manager), {"agency_fee_percent": 80}, deduction.name)
        self._refused(self.subcontract.with_user(self.manager), {"partner_id": self.repairer.id}, deduction.name)
        self.assertEqual(deduction.amount_total, 5300)

        deduction.with_user(self.manager).action_approve()
        deduction.with_user(self.accountant).action_post()
        self._assert_equals_credit_note(deduction)
        # even the superuser cannot change what a posted deduction charged
        self._refused(order, {"substitute_cost": 99_999}, deduction.name)
        self._refused(deduction, {"substitute_cost": 1}, "no longer changes")
        self._assert_equals_credit_note(deduction)
        # nor can the credit note be reset and edited in Accounting
        with self.assertRaises(UserError):
            deduction.move_id.with_user(self.accountant).button_draft()
        self.assertEqual(deduction.move_id.state, "posted")
        # a manager's amendment of the contract leaves the posted deduction as it was charged
        self.subcontract.with_user(self.manager).write({"agency_fee_percent": 80, "partner_id": self.repairer.id})
        self.env.flush_all()
        self.assertEqual(deduction.agency_fee_amount, 1500)
        self.assertEqual(deduction.partner_id, self.team)
        self._assert_equals_credit_note(deduction)

    def test_evidence_is_kept_once_approved(self):
        order = self._order(cost=3000, compensation=0)
        deduction = order.deduction_id
        deduction.with_user(self.agent).action_submit()
        # still completed while the manager reviews the request
        deduction.with_user(self.agent).write({"evidence_plan_ids": [Command.link(self.photo.id)]})
        deduction.with_user(self.manager).action_approve()
        for fname in ("evidence_photo_ids", "evidence_notice_ids", "evidence_contact_form_ids", "evidence_plan_ids"):
            with self.subTest(field=fname):
                self._refused(
                    deduction.with_user(self.agent), {fname: [Command.link(self.screenshot.id)]}, "kept as approved"
                )

    def test_reset_to_draft_unfreezes(self):
        order = self._order(cost=3000, compensation=0)
        deduction = order.deduction_id
        deduction.action_submit()
        deduction.with_user(self.manager).action_cancel()
        deduction.action_draft()
        self.assertFalse(deduction.approved_uid)
        order.with_user(self.agent).write({"substitute_cost": 2000})
        self.assertEqual(deduction.substitute_cost, 2000)
        self.assertEqual(deduction.agency_fee_amount, 1000)

    def test_substitute_cannot_be_given_twice(self):
        """H3: the second call is refused; the posted deduction keeps the cost, no new draft."""
        order, deduction = self._posted()
        before = self.env["csw.deduction"].search_count([])
        with self.assertRaises(UserError) as err:
            order.with_user(self.agent).action_substitute()
        self.assertIn("cannot be given to a substitute team", str(err.exception))
        self.assertEqual(order.deduction_id, deduction)
        self.assertEqual(self.env["csw.deduction"].search_count([]), before)
        self._assert_equals_credit_note(deduction)
        # also while its deduction is still draft
        other = self._order(cost=500)
        with self.assertRaises(UserError):
            other.action_substitute()
        self.assertEqual(other.deduction_id.substitute_cost, 500)

    def test_separation_of_duties(self):
        """L11: who approved does not post; an agent does not cancel an approved deduction."""
        deduction = self._order().deduction_id
        deduction.with_user(self.agent).action_submit()
        deduction.with_user(self.accountant).action_approve()
        with self.assertRaises(AccessError) as err:
            deduction.with_user(self.accountant).action_post()
        self.assertIn("another person", str(err.exception))
        with self.assertRaises(AccessError):
            deduction.with_user(self.agent).action_cancel()
        self.assertEqual(deduction.state, "approved")
        self.assertFalse(deduction.move_id)
        deduction.with_user(self.accountant2).action_post()
        self.assertEqual(deduction.state, "posted")
        self.assertEqual(deduction.posted_uid, self.accountant2)
        with self.assertRaises(UserError):
            deduction.with_user(self.accountant2).action_post()
        with self.assertRaises(UserError):
            deduction.with_user(self.manager).action_approve()
        self.assertEqual(self.env["account.move"].search_count([("csw_deduction_id", "=", deduction.id)]), 1)

    def test_actions_on_no_deduction_are_refused_cleanly(self):
        """L14: no SQL error on an empty list of ids."""
        Deduction = self.env["csw.deduction"].with_user(self.accountant)
        for action in ("action_submit", "action_approve", "action_post", "action_cancel", "action_draft"):
            with self.subTest(action=action), self.assertRaises(UserError):
                getattr(Deduction.browse(), action)()

    def test_numbers_come_from_the_sequence(self):
        """L10: a number given by the caller is refused, and a number is never rewritten."""
        Deduction = self.env["csw.deduction"].with_user(self.agent)
        with self.assertRaises(UserError):
            Deduction.create({"subcontract_id": self.subcontract.id, "name": "KK-FORGED"})
        deduction = Deduction.create({"subcontract_id": self.subcontract.id, "reason": "other"})
        self.assertTrue(deduction.name.startswith("KK"))
        self._refused(deduction, {"name": "KK-FORGED"}, "numbering")

    def test_retention_release_rules(self):
        """H4, H5: dates, state, rights, open records of any visibility, protected flags."""
        self.assertEqual(self.subcontract.warranty_end_date, date(2026, 1, 10))
        with freeze_time("2026-01-09"), self.assertRaises(UserError) as err:
            self.subcontract.with_user(self.accountant).action_release_retention()
        self.assertIn("2026-01-10", str(err.exception))
        with freeze_time("2026-02-01"):
            for user in (self.billing_only, self.manager):
                with self.subTest(user=user.login), self.assertRaises(AccessError):
                    self.subcontract.with_user(user).action_release_retention()
            order = substitute_repair(self.env, self.unit, self.repairer, 1000)
            # an agent cannot close the defect by writing it
            self._refused(order.with_user(self.agent), {"state": "verified"}, "Verify")
            with self.assertRaises(UserError) as err:
                self.subcontract.with_user(self.accountant).action_release_retention()
            self.assertIn("1 defect(s)", str(err.exception))
            order.action_verify()
            with self.assertRaises(UserError) as err:
                self.subcontract.with_user(self.accountant).action_release_retention()
            self.assertIn(order.deduction_id.name, str(err.exception))
            order.deduction_id.write({"evidence_photo_ids": [Command.link(self.photo.id)]})
            order.deduction_id.write({"evidence_notice_ids": [Command.link(self.screenshot.id)]})
            order.deduction_id.action_submit()
            order.deduction_id.with_user(self.manager).action_approve()
            order.deduction_id.with_user(self.accountant2).action_post()
            self.assertFalse(self.subcontract.retention_released)
            # terms locked by the posted deduction: an agent cannot change the payee or amount
            self._refused(
                self.subcontract.with_user(self.center_agent), {"partner_id": self.repairer.id}, error=AccessError
            )
            self._refused(self.subcontract.with_user(self.center_agent), {"amount": 2_000_000}, error=AccessError)
            with self.assertRaisesRegex(UserError, "release review"):
                self.subcontract.with_user(self.accountant).action_release_retention()
            self.env["csw.retention.review"].with_user(self.manager).create(
                {
                    "subcontract_id": self.subcontract.id,
                    "opinion_quality": "缺陷均已销项",
                    "opinion_substitute": "代维修一次,已扣款",
                    "conclusion": "release_all",
                }
            )
            self.subcontract.with_user(self.accountant).action_release_retention()
            self.assertTrue(self.subcontract.retention_released)
            self.assertEqual(self.subcontract.state, "closed")
            bill = self.subcontract.retention_bill_id
            for user in (self.center_agent, self.accountant):
                with self.subTest(user=user.login):
                    self._refused(
                        self.subcontract.with_user(user), {"retention_released": False, "state": "active"}, "Release"
                    )
                    self._refused(self.subcontract.with_user(user), {"retention_bill_id": False}, "Release")
            with self.assertRaises(UserError):
                self.subcontract.with_user(self.accountant2).action_release_retention()
            self.assertEqual(self.subcontract.retention_bill_id, bill)
            self.assertEqual(
                self.env["account.move"].search_count(
                    [("csw_subcontract_id", "=", self.subcontract.id), ("move_type", "=", "in_invoice")]
                ),
                1,
            )

    def test_retention_counts_the_defects_the_user_cannot_see(self):
        """H4: the open defects are counted over all records, not the releasing user's."""
        with freeze_time("2026-02-01"):
            hidden = self.env["csw.repair.order"].create(
                {
                    "unit_id": self.unit.id,
                    "location": "隐藏的缺陷",
                    "category_id": self.env.ref("customer_service_warranty.category_waterproofing_bathroom").id,
                }
            )
            self.assertEqual(hidden.subcontract_id, self.subcontract)
            self.env["ir.rule"].create(
                {
                    "name": "hide one defect",
                    "model_id": self.env["ir.model"]._get_id("csw.repair.order"),
                    "domain_force": "[('location', '!=', '隐藏的缺陷')]",
                }
            )
            Order = self.env["csw.repair.order"].with_user(self.accountant)
            self.assertFalse(Order.search([("subcontract_id", "=", self.subcontract.id)]))
            with self.assertRaises(UserError) as err:
                self.subcontract.with_user(self.accountant).action_release_retention()
            self.assertIn("1 defect(s)", str(err.exception))
            self.assertFalse(self.subcontract.retention_released)
            self.assertFalse(self.subcontract.retention_bill_id)

    def test_retention_is_refused_unless_the_contract_is_in_force(self):
        with freeze_time("2026-02-01"):
            self.subcontract.action_close()
            with self.assertRaises(UserError) as err:
                self.subcontract.with_user(self.accountant).action_release_retention()
            self.assertIn("in force", str(err.exception))
            self.assertFalse(self.subcontract.retention_released)

    def test_a_manager_amendment_of_locked_terms_is_recorded(self):
        self._posted()
        self._refused(self.subcontract.with_user(self.center_agent), {"agency_fee_percent": 60}, error=AccessError)
        self.subcontract.with_user(self.manager).write({"agency_fee_percent": 60})
        self.assertEqual(self.subcontract.agency_fee_percent, 60)
        note = self.subcontract.message_ids[:1]
        self.assertIn("amended", note.body)
        self.assertIn("50.0 → 60.0", note.body)
        self.assertEqual(note.author_id, self.manager.partner_id)
