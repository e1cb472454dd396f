from datetime import datetime

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import PROJECT_AGENT
from .common_repair import CswRepairCase


@tagged("post_install", "-at_install")
class TestCallerIntake(CswRepairCase):
    """The agent's phone call: finding the caller, the caller card, the call taker, the proposed
    priority, one-click dispatch, the landing page, and resolving only finished repairs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Unit = cls.env["csw.unit"]
        cls.Ticket = cls.env["csw.ticket"]
        cls.neighbour = cls.Unit.create({"name": "3-2-1202", "project_id": cls.project.id})

    def _call(self, user=None, **values):
        Ticket = self.Ticket.with_user(user or self.project_agent)
        return Ticket.create({"name": "卫生间天花渗水", "unit_id": self.unit.id, **values})

    # ------------------------------------------------------------------
    # Caller recognition
    # ------------------------------------------------------------------
    def test_unit_found_in_every_form_owners_say_it(self):
        Unit = self.Unit.with_user(self.project_agent)
        for text in (
            "3-2-1201",
            "3栋2单元1201",
            "3号楼2单元1201室",
            "3-2-1201室",
            "云山花园3-2-1201",
            "云山花园 3-2-1201",
            "13800138000",
            "0138000",
            "周晓明",
        ):
            with self.subTest(text=text):
                found = Unit.name_search(text)
                self.assertEqual([unit_id for unit_id, _name in found], self.unit.ids)

    def test_unit_reference_of_another_estate_is_not_the_caller(self):
        self.assertFalse(self.Unit.name_search("星河湾3-2-1201"))
        self.assertFalse(self.Unit.name_search("3栋2单元1209"))

    def test_list_searches_find_the_caller_by_phone_unit_or_owner(self):
        """What the first field of each search view matches on Enter (B11)."""
        ticket = self._call()
        self._call(unit_id=self.neighbour.id)
        callback = self.env["csw.callback"].create(
            {
                "unit_id": self.unit.id,
                "callback_type": "periodic",
                "scheduled_date": "2030-01-01",
                "deadline": "2030-01-02",
            }
        )
        searches = (
            ("csw.ticket", "customer_service_warranty.csw_ticket_view_search", ticket),
            ("csw.callback", "customer_service_warranty.csw_callback_view_search", callback),
            ("csw.unit", "customer_service_warranty.csw_unit_view_search", self.unit),
        )
        for model, view_xmlid, record in searches:
            arch = self.env.ref(view_xmlid).arch
            filter_domain = self._first_filter_domain(arch)
            for text in ("13800138000", "周晓明", "3-2-1201", "3栋2单元1201"):
                with self.subTest(model=model, text=text):
                    domain = safe_eval(filter_domain, {"self": text})
                    found = self.env[model].with_user(self.project_agent).search(domain)
                    self.assertIn(record, found)
                    self.assertNotIn(self.neighbour, found if model == "csw.unit" else found.unit_id)

    @staticmethod
    def _first_filter_domain(arch):
        first = etree.fromstring(arch.encode()).find(".//field")
        return first.get("filter_domain")

    # ------------------------------------------------------------------
    # Caller card
    # ------------------------------------------------------------------
    def test_caller_card_shows_open_work_key_account_and_warranty(self):
        self.unit.write({"key_account": True})
        earlier = self._call(name="厨房下水堵塞")
        order = self.order(location="主卫天花")
        card = self.Ticket.with_user(self.project_agent).new({"name": "又漏水了", "unit_id": self.unit.id}).caller_card
        self.assertIn(earlier.number, card)
        self.assertIn(order.name, card)
        self.assertIn("Key Account", card)
        self.assertIn(self.category("waterproofing").name, card)
        self.assertNotIn(self.neighbour.name, card)

    def test_caller_card_reads_in_the_same_queries_for_one_or_many_open_items(self):
        counts = []
        # a first card warms the caches; then one open item, then eight
        for size in (1, 1, 8):
            self.Ticket.create([{"name": f"报修{n}", "unit_id": self.unit.id} for n in range(size)])
            self.order(location="阳台")
            self.env.flush_all()
            self.env.invalidate_all()
            ticket = self.Ticket.with_user(self.project_agent).new({"name": "来电", "unit_id": self.unit.id})
            before = self.cr.sql_log_count
            self.assertTrue(ticket.caller_card)
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[1], counts[2], f"caller card queries for 1 and 8 open items: {counts[1:]}")

    # ------------------------------------------------------------------
    # Call taker
    # ------------------------------------------------------------------
    def test_call_taker_is_the_agent_who_creates_the_ticket_and_cannot_be_changed(self):
        ticket = self._call(self.center_agent)
        self.assertEqual(ticket.intake_user_id, self.center_agent)
        self.assertEqual(ticket.user_id, self.center_agent, "assigned to the estate's lead")
        mine = self.Ticket.with_user(self.center_agent).search([("intake_user_id", "=", self.center_agent.id)])
        self.assertIn(ticket, mine)
        with self.assertRaises(AccessError):
            ticket.with_user(self.center_agent).write({"intake_user_id": self.project_agent.id})
        with self.assertRaises(AccessError):
            self._call(self.center_agent, intake_user_id=self.project_agent.id)
        self.assertEqual(ticket.intake_user_id, self.center_agent)

    # ------------------------------------------------------------------
    # Priority from the defect
    # ------------------------------------------------------------------
    def test_shipped_leak_categories_are_urgent(self):
        for xmlid in ("waterproofing", "waterproofing_bathroom", "plumbing_supply", "electrical_socket"):
            self.assertTrue(self.category(xmlid).urgent, xmlid)
        self.assertFalse(self.category("decoration_wall_tile").urgent)

    def test_leak_is_proposed_urgent_and_the_agent_may_change_it(self):
        ticket = self._call(category_id=self.category("waterproofing_bathroom").id)
        self.assertEqual(ticket.priority, "2")
        ticket.with_user(self.project_agent).priority = "0"
        self.assertEqual(ticket.priority, "0")
        tiles = self._call(category_id=self.category("decoration_wall_tile").id)
        self.assertEqual(tiles.priority, "0")
        order = self.order(ticket_id=self._call(category_id=self.category("waterproofing_bathroom").id).id)
        self.assertTrue(order.is_emergency, "an urgent ticket's repair takes the emergency entry time")

    # ------------------------------------------------------------------
    # One-click dispatch and the landing page
    # ------------------------------------------------------------------
    def test_dispatch_creates_the_repair_order_once_with_the_call(self):
        ticket = self._call(category_id=self.category("waterproofing_bathroom").id)
        Ticket = ticket.with_user(self.project_agent)
        with self.assertRaises(UserError):
            Ticket.action_dispatch()
        self.assertFalse(ticket.repair_order_ids, "no order without the location")
        ticket.with_user(self.project_agent).location = "主卫天花"
        action = Ticket.action_dispatch()
        order = ticket.repair_order_ids
        self.assertEqual(action["res_id"], order.id)
        self.assertRecordValues(
            order,
            [
                {
                    "unit_id": self.unit.id,
                    "category_id": self.category("waterproofing_bathroom").id,
                    "location": "主卫天花",
                    "subcontract_id": self.subcontract.id,
                    "is_emergency": True,
                    "state": "draft",
                }
            ],
        )
        self.assertEqual(Ticket.action_dispatch()["res_id"], order.id, "called again: the same draft order")
        self.assertEqual(len(ticket.repair_order_ids), 1)
        notice = order.with_user(self.project_agent).action_notify()
        self.assertEqual(notice["url"], f"/web/content/{order.notice_attachment_id.id}")

    def test_customer_service_users_land_on_the_tickets(self):
        home = self.env.ref("customer_service_warranty.csw_ticket_action")
        self.assertEqual(self.center_agent.action_id.id, home.id)
        self.assertEqual(self.project_agent.action_id.id, home.id)
        accountant = new_test_user(self.env, login="accountant_intake", groups="base.group_user")
        self.assertFalse(accountant.action_id)
        accountant.write({"groups_id": [Command.link(self.env.ref(PROJECT_AGENT).id)]})
        self.assertEqual(accountant.action_id.id, home.id)

    # ------------------------------------------------------------------
    # B24: resolved only once the repair is finished
    # ------------------------------------------------------------------
    def test_ticket_with_open_repair_cannot_be_resolved(self):
        ticket = self._call(resolution="<p>已派工</p>")
        order = self.order(ticket_id=ticket.id)
        ticket.with_user(self.project_agent).action_start()
        with self.assertRaises(UserError) as err:
            ticket.with_user(self.project_agent).action_resolve()
        self.assertIn(order.name, str(err.exception))
        with self.assertRaises(UserError):
            ticket.with_user(self.project_agent).write({"state": "resolved"})
        self.assertEqual(ticket.state, "in_progress")
        self.assertFalse(ticket.resolved_date)
        order.write({"cancel_reason": "业主自行维修"})
        order.action_cancel()
        ticket.with_user(self.project_agent).action_resolve()
        self.assertEqual(ticket.state, "resolved")

    def test_incident_with_an_open_repair_is_not_resolved(self):
        with freeze_time(datetime(2030, 10, 8, 2, 0)):
            ticket = self._call(resolution="<p>已派工</p>")
            incident = self.env["csw.incident"].create(
                {
                    "title": "3栋停水",
                    "project_id": self.project.id,
                    "resolution": "<p>已恢复供水</p>",
                }
            )
            incident.action_open()
            incident._link_tickets(ticket)
            order = self.order(ticket_id=ticket.id)
            with self.assertRaises(UserError) as err:
                incident.with_user(self.manager).action_resolve()
            self.assertIn(order.name, str(err.exception))
            self.assertEqual(incident.state, "open")
            self.assertEqual(ticket.state, "new")
