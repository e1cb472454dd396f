"""Issue 31: the attacks of the security review of 2026-12 (H6, H7, M9-M11) made as an integrator
would over JSON-RPC: public methods given values, ``default_<field>`` context keys, the posting
paths of a bill, the owner's link and the chatter. Each is refused or gives nothing; the
database is unchanged."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..models.base.csw_workflow_mixin import door_admits, open_door
from .common_money import BILLING, CswAccountingCase
from .common_portal import CswPortalCase
from .common_repair import CswRepairCase


@tagged("post_install", "-at_install")
class TestPublicMethodsWriteNoCallerValues(CswRepairCase):
    """H6: ``message_update`` is the mail gateway's, not a door to the protected fields."""

    def test_message_update_writes_no_caller_values(self):
        ticket = self.env["csw.ticket"].create({"name": "主卫天花渗水", "unit_id": self.unit.id})
        order = self.order(ticket_id=ticket.id)
        order.action_notify()
        before = (ticket.number, ticket.first_response_date, ticket.is_justified)
        mine = ticket.with_user(self.project_agent)
        for update_vals in (
            {"number": "FORGED-1"},
            {"first_response_date": "2020-01-01 00:00:00"},
            {"is_justified": True},
            {"repair_order_ids": [Command.update(order.id, {"state": "verified"})]},
            {"repair_order_ids": [Command.create({"unit_id": self.unit.id, "location": "x", "state": "verified"})]},
        ):
            with self.subTest(update_vals=update_vals), self.assertRaises(AccessError):
                mine.message_update({}, update_vals=update_vals)
        self.assertEqual((ticket.number, ticket.first_response_date, ticket.is_justified), before)
        self.assertEqual(order.state, "notified")
        self.assertEqual(ticket.repair_order_ids, order)

    def test_the_owners_reply_still_ends_the_wait(self):
        ticket = self.env["csw.ticket"].create({"name": "主卫天花渗水", "unit_id": self.unit.id})
        ticket.action_start()
        ticket.action_wait()
        self.assertEqual(ticket.state, "waiting")
        ticket.message_update({})
        self.assertEqual(ticket.state, "in_progress")


@tagged("post_install", "-at_install")
class TestTheDoorOpensForWhatTheActionNamed(CswRepairCase):
    """The actions write their fields through a door naming the model, the records and the
    fields: not a flag of the thread, not a context key a client can send."""

    def test_a_door_of_one_order_opens_neither_another_order_nor_another_field(self):
        order, other = self.order(), self.order(location="厨房")
        mine = order.with_user(self.project_agent)
        opened = open_door(mine, {"state"})
        self.assertTrue(door_admits(opened, {"state"}))
        with self.assertRaises(AccessError):
            opened.write({"state": "done", "done_date": fields.Datetime.now()})
        with self.assertRaises(AccessError):
            opened.browse(other.id).write({"state": "done"})
        with self.assertRaises(AccessError):
            opened.env["csw.ticket"].create({"name": "x", "unit_id": self.unit.id, "state": "closed"})
        self.assertEqual((order.state, other.state), ("draft", "draft"))

    def test_the_door_keeps_the_callers_context(self):
        # the language of the messages, a tracking switched off: the door adds to them only
        order = self.order().with_context(lang="zh_CN", mail_notrack=True)
        opened = open_door(order, {"state"})
        self.assertEqual(opened.env.context["lang"], "zh_CN")
        self.assertTrue(opened.env.context["mail_notrack"])

    def test_a_door_sent_as_json_in_the_context_opens_nothing(self):
        order = self.order()
        for door in (
            True,
            {"model": "csw.repair.order", "ids": [order.id], "fields": ["state"]},
            ["csw.repair.order", [order.id], ["state"]],
        ):
            with self.subTest(door=door), self.assertRaises(AccessError):
                order.with_user(self.project_agent).with_context(csw_workflow_door=door).write({"state": "done"})
        self.assertEqual(order.state, "draft")

    def test_the_actions_write_as_the_user_through_the_door(self):
        order = self.order()
        order.with_user(self.project_agent).action_notify()
        self.assertEqual(order.state, "notified")
        self.assertEqual(order.write_uid, self.project_agent)
        self.assertEqual(order.message_ids[:1].author_id, self.project_agent.partner_id)

    def test_a_module_extending_the_protected_fields_keeps_the_parents(self):
        protected = self.env["csw.ticket"]._csw_protected_fields()
        # declared in the ticket's own file and in the responsibility extension
        self.assertTrue({"number", "state", "first_response_date", "is_justified"} <= protected.keys())
        self.assertIn("received_date", self.env["csw.ticket"]._csw_creatable_fields())
        self.assertIn("is_justified", self.env["csw.ticket"]._csw_creatable_fields())


@tagged("post_install", "-at_install")
class TestContextDefaultsGiveNothing(CswRepairCase):
    """H7: a ``default_<field>`` context key is refused as the same value given would be."""

    def _refused(self, model, user, defaults, vals):
        before = self.env[model].search_count([])
        with self.assertRaises(AccessError) as err:
            self.env[model].with_user(user).with_context(**defaults).create(vals)
        self.assertEqual(self.env[model].search_count([]), before, "nothing created")
        return str(err.exception)

    def test_an_order_is_not_created_past_its_workflow_by_the_context(self):
        values = {"unit_id": self.unit.id, "location": "厨房", "category_id": self.category("waterproofing").id}
        for defaults in (
            {"default_state": "verified"},
            {"default_is_substitute": True},
            {"default_verified_date": "2026-01-01 00:00:00"},
            {"default_name": "WX-FORGED"},
        ):
            with self.subTest(defaults=defaults):
                self._refused("csw.repair.order", self.project_agent, defaults, values)
        # a default that is what the record gets anyway is no forgery (a kanban column "draft")
        order = self.env["csw.repair.order"].with_user(self.project_agent).with_context(default_state="draft")
        self.assertEqual(order.create(values).state, "draft")

    def test_a_ticket_is_not_created_resolved_by_the_context(self):
        now = fields.Datetime.now()
        message = self._refused(
            "csw.ticket",
            self.project_agent,
            {"default_state": "resolved", "default_first_response_date": now, "default_resolved_date": now},
            {"name": "厨房下水慢", "unit_id": self.unit.id},
        )
        self.assertIn("cannot be given", message)

    def test_a_contract_is_not_created_released_by_the_context(self):
        self._refused(
            "csw.subcontract",
            self.manager,
            {"default_retention_released": True, "default_retention_release_date": "2026-01-01"},
            {
                "name": "YS-FB-009",
                "partner_id": self.tile_team.id,
                "project_id": self.project.id,
                "category_ids": [Command.set(self.category("decoration").ids)],
            },
        )

    def test_an_action_does_not_pass_the_callers_defaults_to_what_it_creates(self):
        """The notice an action creates takes no ``default_`` key of the caller's context."""
        order = self.order()
        order.with_user(self.project_agent).with_context(default_res_model="res.partner").action_notify()
        self.assertEqual(order.notice_attachment_id.res_model, "csw.repair.order")


@tagged("post_install", "-at_install")
class TestBindingDates(CswRepairCase):
    def test_a_ticket_is_not_received_in_the_future(self):
        Ticket = self.env["csw.ticket"].with_user(self.project_agent)
        with self.assertRaises(ValidationError):
            Ticket.create(
                {
                    "name": "主卫天花渗水",
                    "unit_id": self.unit.id,
                    "received_date": fields.Datetime.now() + timedelta(hours=3),
                }
            )
        self.assertFalse(self.env["csw.ticket"].search([("name", "=", "主卫天花渗水")]))
        # a call taken earlier and typed in now is recorded as it happened
        ticket = Ticket.create(
            {
                "name": "主卫天花渗水",
                "unit_id": self.unit.id,
                "received_date": fields.Datetime.now() - timedelta(hours=3),
            }
        )
        self.assertTrue(ticket.received_date < fields.Datetime.now())


@tagged("post_install", "-at_install")
class TestOwnersLinkAndChatter(CswPortalCase):
    """M10: the owner's link is the owner's; M11 and H7: a message stays as it was posted."""

    def test_a_team_gets_neither_the_owners_link_nor_the_code(self):
        code = self.job.sudo().acceptance_code
        as_team = self.job.with_user(self.team_user)
        with self.assertRaises(AccessError):
            as_team.get_portal_url()
        with self.assertRaises(AccessError):
            as_team.read(["access_token"])
        # another portal account given the owner's link by staff sees the page, not the code
        link = self.job.get_portal_url()
        self.authenticate("team_chenji", "team_chenji")
        page = self.url_open(link)
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(code, page.text)
        self.authenticate(None, None)
        self.assertNotIn(code, self.url_open(link).text, "nor to a visitor holding the link")
        # the owner still reads the link and the code
        self.assertIn("access_token=", self.job.with_user(self.owner_user).get_portal_url())
        self.authenticate("owner_zhou", "owner_zhou")
        self.assertIn(code, self.url_open(f"/my/repairs/{self.job.id}").text)

    def test_an_owner_posts_in_their_own_name_whatever_the_context(self):
        agent_partner = self.project_agent.partner_id
        message = (
            self.env["mail.message"]
            .with_user(self.owner_user)
            .with_context(default_author_id=agent_partner.id)
            .create(
                {
                    "model": "csw.ticket",
                    "res_id": self.ticket.id,
                    "body": "<p>您好</p>",
                    "message_type": "comment",
                    "subtype_id": self.env.ref("mail.mt_comment").id,
                }
            )
        )
        self.assertEqual(message.sudo().author_id, self.owner)

    def test_posted_messages_are_not_rewritten_by_owners(self):
        own = self.ticket.with_user(self.owner_user).message_post(
            body="业主留言", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        reply = self.ticket.with_user(self.project_agent).message_post(
            body="已安排师傅上门", message_type="comment", subtype_xmlid="mail.mt_comment", partner_ids=self.owner.ids
        )
        agent_partner = self.project_agent.partner_id
        with self.assertRaises(AccessError):
            own.with_user(self.owner_user).write({"author_id": agent_partner.id})
        with self.assertRaises(AccessError):
            reply.with_user(self.owner_user).write({"body": "<p>不修了, 已过保修期</p>"})
        self.assertEqual(own.author_id, self.owner)
        self.assertIn("已安排师傅上门", reply.body)
        # the text of one's own comment may still be corrected
        own.with_user(self.owner_user).write({"body": "<p>业主留言 (更正)</p>"})
        self.assertIn("更正", own.body)


@tagged("post_install", "-at_install")
class TestSettlementBlockOnEveryPath(CswAccountingCase):
    """M9: a bill of a team with open defects is not posted by any path unless a CS manager
    confirmed that very bill (its team and amount)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = cls.company_user("door_billing", BILLING)
        cls.env["csw.repair.order"].create(
            {
                "unit_id": cls.unit.id,
                "location": "主卫",
                "category_id": cls.env.ref("customer_service_warranty.category_waterproofing_bathroom").id,
                "notify_method": "written",
            }
        )
        cls.other_team = cls.env["res.partner"].create({"name": "广东粤通幕墙工程有限公司", "is_company": True})
        cls.other_contract = cls.env["csw.subcontract"].create(
            {
                "name": "YT-MQ-001",
                "partner_id": cls.other_team.id,
                "project_id": cls.project.id,
                "category_ids": [Command.set(cls.env.ref("customer_service_warranty.category_decoration").ids)],
                "state": "active",
            }
        )

    def _assert_not_posted(self, bill, post):
        with self.assertRaisesRegex(UserError, "not settled while defects are left"):
            post()
        self.assertEqual(bill.state, "draft")

    def test_the_post_entries_wizard_is_blocked_too(self):
        bill = self._bill(self.team, 9000, post=False)
        wizard = (
            self.env["validate.account.move"]
            .with_user(self.billing)
            .with_context(active_model="account.move", active_ids=bill.ids)
            .create({})
        )
        self._assert_not_posted(bill, wizard.validate_move)

    def test_the_auto_post_cron_leaves_the_bill_in_draft_and_says_why(self):
        bill = self._bill(self.team, 9000, post=False)
        bill.write({"auto_post": "at_date", "date": bill.invoice_date, "checked": True})
        self.env["account.move"]._autopost_draft_entries()
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.auto_post, "no")
        self.assertIn("not settled while defects are left", bill.message_ids[:1].body)

    def test_naming_another_teams_contract_settles_the_bills_own_team(self):
        bill = self._bill(self.team, 9000, post=False, subcontract=self.other_contract)
        self.assertEqual(bill.csw_open_defect_count, 1)
        self._assert_not_posted(bill, bill.with_user(self.billing).action_post)

    def test_a_confirmation_cannot_come_from_the_context(self):
        bill = (
            self.env["account.move"]
            .with_user(self.billing)
            .with_context(default_csw_settlement_reason="ok", default_csw_settlement_confirmed_uid=self.manager.id)
            .create({"move_type": "in_invoice", "partner_id": self.team.id})
        )
        self.assertRecordValues(bill, [{"csw_settlement_reason": False, "csw_settlement_confirmed_uid": False}])

    def test_a_confirmed_bill_cannot_grow(self):
        bill = self._bill(self.team, 1, post=False)
        bill.with_user(self.accountant).write({"csw_settlement_reason": "尾差 1 元, 照付"})
        bill.with_user(self.billing).write(
            {"invoice_line_ids": [Command.update(bill.invoice_line_ids.id, {"price_unit": 500000})]}
        )
        self._assert_not_posted(bill, bill.with_user(self.billing).action_post)
        # confirmed again at its new amount, it posts
        bill.with_user(self.accountant).write({"csw_settlement_reason": "进度款已核对, 遗留问题已预留代工款"})
        bill.with_user(self.billing).action_post()
        self.assertEqual(bill.state, "posted")


@tagged("post_install", "-at_install")
class TestBindingDeadlinesMoveWithAReason(CswRepairCase):
    """The deadlines that bind someone move only by Move Deadline, with a reason, by whom the
    rule allows; the chatter says who moved what, from when to when, and why."""

    def move(self, user, record, fname, value, reason="业主周五前不在家, 与班组约定周五上门"):
        key = "new_date" if record._fields[fname].type == "date" else "new_deadline"
        wizard = (
            self.env["csw.deadline.move"]
            .with_user(user)
            .create({"res_model": record._name, "res_id": record.id, "field_name": fname, key: value, "reason": reason})
        )
        return wizard.action_move()

    def test_a_later_entry_is_agreed_with_a_reason_and_beyond_the_limit_by_a_manager(self):
        order = self.order()
        order.action_notify()
        contract_deadline = order.entry_deadline
        mine = order.with_user(self.project_agent)
        with self.assertRaisesRegex(UserError, "Move"):
            mine.write({"entry_deadline": contract_deadline + timedelta(hours=4)})
        with self.assertRaises(UserError):
            self.move(self.project_agent, order, "entry_deadline", contract_deadline + timedelta(hours=4), reason=" ")
        with self.assertRaises(ValidationError):
            self.move(self.project_agent, order, "entry_deadline", contract_deadline - timedelta(hours=4))
        self.assertEqual(order.entry_deadline, contract_deadline)
        # within the company's limit (24 h past the contract's deadline) the agent agrees it
        self.move(self.project_agent, order, "entry_deadline", contract_deadline + timedelta(hours=20))
        self.assertEqual(order.entry_deadline, contract_deadline + timedelta(hours=20))
        self.assertEqual(order.done_deadline, order.entry_deadline + timedelta(days=order.subcontract_id.repair_days))
        note = order.message_ids[0]
        self.assertIn("业主周五前不在家", note.body)
        self.assertIn(self.project_agent.name, note.body)
        # further needs a CS manager
        with self.assertRaises(AccessError):
            self.move(self.project_agent, order, "entry_deadline", contract_deadline + timedelta(hours=30))
        self.move(self.manager, order, "entry_deadline", contract_deadline + timedelta(hours=30))
        self.assertEqual(order.entry_deadline, contract_deadline + timedelta(hours=30))

    def test_move_deadline_refuses_a_repeat_a_record_out_of_reach_and_other_fields(self):
        order = self.order()
        order.action_notify()
        later = order.entry_deadline + timedelta(hours=4)
        self.move(self.project_agent, order, "entry_deadline", later)
        notes = len(order.message_ids)
        with self.assertRaisesRegex(UserError, "same"):
            self.move(self.project_agent, order, "entry_deadline", later)
        self.assertEqual((order.entry_deadline, len(order.message_ids)), (later, notes), "the repeat changes nothing")
        # a field that is no binding deadline is not moved by the wizard
        with self.assertRaises(UserError):
            self.move(self.manager, order, "state", later)
        self.assertEqual(order.state, "notified")
        # an order of an estate the agent is no member of
        foreign = self.env["csw.repair.order"].create(
            {"unit_id": self.foreign_unit.id, "location": "客厅", "category_id": self.category("waterproofing").id}
        )
        with self.assertRaises(AccessError):
            foreign.with_user(self.project_agent)._csw_move_deadline(
                "entry_deadline", fields.Datetime.now() + timedelta(days=3), "越权"
            )
        self.assertFalse(foreign.entry_deadline)

    def test_a_callbacks_deadline_is_extended_by_a_manager(self):
        now = fields.Datetime.now().replace(microsecond=0)
        callback = (
            self.env["csw.callback"]
            .with_user(self.project_agent)
            .create(
                {
                    "unit_id": self.unit.id,
                    "callback_type": "periodic",
                    "scheduled_date": now + timedelta(days=1),
                    "deadline": now + timedelta(days=3),
                }
            )
        )
        with self.assertRaisesRegex(UserError, "Move"):
            callback.with_user(self.project_agent).write({"deadline": now + timedelta(days=30)})
        with self.assertRaises(AccessError):
            self.move(self.project_agent, callback, "deadline", now + timedelta(days=30))
        self.move(self.manager, callback, "deadline", now + timedelta(days=5))
        self.assertEqual(callback.deadline, now + timedelta(days=5))

    def test_the_retention_date_of_a_contract_in_force_is_moved_by_a_manager_with_a_reason(self):
        held_until = self.subcontract.warranty_end_date
        with self.assertRaisesRegex(UserError, "Move"):
            self.subcontract.with_user(self.manager).write({"warranty_end_date": held_until - timedelta(days=365)})
        self.move(
            self.manager, self.subcontract, "warranty_end_date", held_until + timedelta(days=90), "外墙渗漏整改未完"
        )
        self.assertEqual(self.subcontract.warranty_end_date, held_until + timedelta(days=90))
        self.assertIn("外墙渗漏整改未完", self.subcontract.message_ids[0].body)

    def test_the_retention_date_does_not_move_through_its_inputs(self):
        held_until = self.subcontract.warranty_end_date
        with self.assertRaisesRegex(UserError, "Move"):
            self.subcontract.with_user(self.manager).write({"defect_liability_months": 60})
        with self.assertRaisesRegex(UserError, "Move"):
            self.project.with_user(self.manager).write(
                {"completion_date": self.project.completion_date - timedelta(days=400)}
            )
        self.assertEqual(self.subcontract.warranty_end_date, held_until)
        # a value sent back unchanged is no change; a contract still in draft follows its terms
        self.subcontract.with_user(self.manager).write(
            {"defect_liability_months": self.subcontract.defect_liability_months}
        )
        draft = self.subcontract.copy({"name": "DOOR-DRAFT-1", "state": "draft"})
        draft.with_user(self.manager).write({"defect_liability_months": 12})
        self.assertEqual(draft.warranty_end_date, self.project.completion_date + relativedelta(months=12))

    def test_a_follow_up_deadline_is_extended_by_a_manager(self):
        now = fields.Datetime.now().replace(microsecond=0)
        callback = self.env["csw.callback"].create(
            {
                "unit_id": self.unit.id,
                "callback_type": "periodic",
                "scheduled_date": now,
                "deadline": now + timedelta(days=3),
            }
        )
        followup = callback.with_user(self.project_agent)._raise_followup(
            "阳台门关不严", self.project_agent, now + timedelta(days=2)
        )
        with self.assertRaisesRegex(UserError, "Move"):
            followup.with_user(self.project_agent).write({"date_deadline": now + timedelta(days=20)})
        with self.assertRaises(AccessError):
            self.move(self.project_agent, followup, "date_deadline", now + timedelta(days=20))
        self.move(self.manager, followup, "date_deadline", now + timedelta(days=4), "业主出差, 下周一上门")
        self.assertEqual(followup.date_deadline, now + timedelta(days=4))
        # a ticket that is no follow-up keeps an editable deadline
        ticket = self.env["csw.ticket"].with_user(self.project_agent).create({"name": "咨询", "unit_id": self.unit.id})
        ticket.write({"date_deadline": now + timedelta(days=1)})
        self.assertEqual(ticket.date_deadline, now + timedelta(days=1))
