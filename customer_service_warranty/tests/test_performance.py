"""Query counts of the hot paths: bounded, whatever the number of records.

Each path is measured at two sizes under the same ``assertQueryCount`` bound, and both counts
must be equal: a query per record would show as a difference. The sizes stay below the ORM's
batches of 100 rows per INSERT, so that one statement per table serves both. Timings are
measured by the benchmarks in bench/, never asserted here.

Unlike the other tests, these run with mail.thread's followers, notes and activities on, as
in production (the base case disables tracking to speed the suite up).
"""

from datetime import date, datetime, timedelta
from itertools import cycle

from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged

from ..models.repair.csw_repair_order import OPEN_REPAIR_STATES as OPEN_ORDERS
from ..models.ticket.csw_ticket_constants import OPEN_TICKET_STATES as OPEN_TICKETS
from .common_ticket import CswTicketCase

SIZES = (5, 50)

# the queries each hot path may take, whatever the number of records; a cron reads the
# company's language and time zone first (its notes are written in them)
SLA_CRON_QUERIES = 45
COMPLAINT_INTAKE_QUERIES = 45
OVERDUE_CRON_QUERIES = 28  # one search per deadline (entry, completion), one for the missed visits
CALLBACK_CRON_QUERIES = 35
PERIODIC_PLANNER_QUERIES = 11
REPAIR_PLANNER_QUERIES = 11
MONTHLY_COUNT_QUERIES = 13  # with the on-time completions and the units handed over
TICKET_LIST_QUERIES = 8
ORDER_LIST_QUERIES = 11
# + the standard reply of its type, + the earlier ticket of a repeat, + the incidents of its estate,
# + the caller card (the owner's open tickets and repairs, last callbacks, warranty still covered)
TICKET_FORM_QUERIES = 18


@tagged("post_install", "-at_install", "csw_dates")
class TestPerformance(CswTicketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # as in production: followers, creation notes and activities
        cls.env = cls.env(context={key: value for key, value in cls.env.context.items() if key != "tracking_disable"})
        cls.subcontract.write({"entry_hours": 24})
        cls.subcontract.action_activate()
        cls.project.callback_user_id = cls.project_agent
        # the crons assess one agent again and again: the fifth-strike alert, a few queries once a
        # month whatever the volume, is measured at two sizes in test_responsibility
        cls.company.csw_assessment_strike_count = 0
        owners = cls.env["res.partner"].create([{"name": f"业主{n}", "mobile": f"1390000{n:04d}"} for n in range(50)])
        cls.units = cls.env["csw.unit"].create(
            [
                {"name": f"9-{n // 10 + 1}-{n % 10 + 1}01", "project_id": cls.project.id, "owner_id": owner.id}
                for n, owner in enumerate(owners)
            ]
        )
        cls.Ticket = cls.env["csw.ticket"]
        cls.Order = cls.env["csw.repair.order"]
        cls.Callback = cls.env["csw.callback"]
        cls.bathroom = cls.category("waterproofing_bathroom")

    def assertQueriesBounded(self, bound, prepare, sizes=SIZES, warmup=2):
        """``prepare(size)`` builds ``size`` records and returns the work to measure on them.

        The work takes at most ``bound`` queries at each size, and as many at one as at the
        other. A first run (on ``warmup`` records) warms the caches, and does the work the
        database already held (demo data).
        """
        counts = []
        for size in (warmup, *sizes):
            work = prepare(size)
            # what preparing left for the commit is done, and every record is read anew
            self.env.flush_all()
            self.env.cr.flush()
            self.env.invalidate_all()
            if size is warmup:
                work()
                continue
            with self.subTest(size=size), self.assertQueryCount(bound):
                before = self.cr.sql_log_count
                work()
                # what the transaction still runs before its commit (mail tracking) counts too
                self.env.flush_all()
                self.env.cr.flush()
                counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[-1], f"queries for {sizes} records: {counts}")

    def tickets(self, count, received, **values):
        # entered when they were received: a ticket is never received in the future
        with freeze_time(received):
            return self.Ticket.create(
                [
                    {"name": f"卫生间天花渗水{n}", "unit_id": unit.id, "received_date": received, **values}
                    for n, unit in zip(range(count), cycle(self.units))
                ]
            )

    def orders(self, count, **values):
        return self.Order.create(
            [
                {"unit_id": unit.id, "location": f"主卫{n}", "category_id": self.bathroom.id, **values}
                for n, unit in zip(range(count), cycle(self.units))
            ]
        )

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------
    def test_sla_cron_escalates_any_number_of_tickets_in_bounded_queries(self):
        # only the tickets of this test (demo tickets would escalate on their own)
        self.Ticket.search([("state", "in", OPEN_TICKETS)]).write({"state": "cancelled"})
        mondays = iter((7, 14, 21))
        previous = self.Ticket

        def prepare(size):
            nonlocal previous
            previous.write({"state": "cancelled"})
            received = self.shanghai(2030, 1, next(mondays), 9, 0)
            with freeze_time(received):
                tickets = previous = self.tickets(size, received, ticket_type="complaint")

            def work():
                # breached: a note, an activity for the team leader, an overdue-response assessment each
                with freeze_time(tickets[0].response_deadline + timedelta(minutes=1)):
                    self.Ticket._cron_escalate()
                self.assertEqual(set(tickets.mapped("escalation_level")), {1})
                self.assertEqual(len(tickets.assessment_ids), len(tickets))

            return work

        self.assertQueriesBounded(SLA_CRON_QUERIES, prepare)

    def test_complaints_reach_the_manager_in_bounded_queries(self):
        days = iter((7, 14, 21))

        def prepare(size):
            received = self.shanghai(2030, 2, next(days), 21, 14)

            def work():
                # an import of complaints: numbered, a to-do each for the CS manager, one notification
                with freeze_time(received):
                    tickets = self.tickets(size, received, ticket_type="complaint")
                self.assertEqual(len(tickets.activity_ids.filtered(lambda a: a.user_id == self.manager)), size)

            return work

        self.assertQueriesBounded(COMPLAINT_INTAKE_QUERIES, prepare)

    def test_overdue_entry_cron_flags_any_number_of_orders_in_bounded_queries(self):
        days = iter(range(1, 28, 7))

        def prepare(size):
            notified = datetime(2030, 2, next(days), 1, 0)
            orders = self.orders(size)
            # notified as action_notify does, without rendering the notice
            orders.write({"state": "notified", "notify_date": notified, "notify_method": "verbal"})

            def work():
                with freeze_time(notified + timedelta(hours=25)):
                    self.Order._cron_flag_overdue()
                self.assertTrue(all(orders.mapped("is_overdue")))

            return work

        self.assertQueriesBounded(OVERDUE_CRON_QUERIES, prepare)

    def test_callback_cron_escalates_any_number_of_callbacks_in_bounded_queries(self):
        days = iter(range(1, 28, 7))

        def prepare(size):
            deadline = datetime(2030, 3, next(days), 2, 0)
            callbacks = self.Callback.create(
                [
                    {
                        "unit_id": unit.id,
                        "callback_type": "periodic",
                        "scheduled_date": deadline - timedelta(days=7),
                        "deadline": deadline,
                        "user_id": self.project_agent.id,
                    }
                    for _n, unit in zip(range(size), cycle(self.units))
                ]
            )

            def work():
                with freeze_time(deadline + timedelta(hours=1)):
                    self.Callback._cron_escalate_overdue()
                self.assertTrue(all(callbacks.mapped("escalated")))

            return work

        self.assertQueriesBounded(CALLBACK_CRON_QUERIES, prepare)

    # ------------------------------------------------------------------
    # Callback planners
    # ------------------------------------------------------------------
    def test_periodic_plan_of_any_number_of_units_in_bounded_queries(self):
        Unit = self.env["csw.unit"]
        handover = date(2030, 4, 1)
        buildings = iter(range(20, 23))

        def prepare(size):
            building = next(buildings)
            units = Unit.create([{"name": f"{building}-1-{n}01", "project_id": self.project.id} for n in range(size)])
            # handed over now; the planner is measured alone, without the unit's write
            self.env.cr.execute("UPDATE csw_unit SET handover_date = %s WHERE id IN %s", [handover, tuple(units.ids)])
            units.invalidate_recordset(["handover_date"])

            def work():
                with freeze_time(datetime(2030, 4, 2, 9, 0)):
                    callbacks = self.Callback._plan_periodic(units)
                self.assertEqual(len(callbacks), 16 * len(units))

            return work

        # 16 callbacks a unit: 16 and 96 callbacks, one INSERT each
        self.assertQueriesBounded(PERIODIC_PLANNER_QUERIES, prepare, sizes=(1, 6))

    def test_callbacks_after_any_number_of_repairs_in_bounded_queries(self):
        def prepare(size):
            done = datetime(2030, 5, 6, 15, 0)
            orders = self.orders(size)
            orders.write({"state": "done", "done_date": done})

            def work():
                callbacks = self.Callback._plan_after_repairs(orders)
                self.assertEqual(callbacks.repair_order_id, orders)
                self.assertEqual(callbacks.user_id, self.project_agent)

            return work

        self.assertQueriesBounded(REPAIR_PLANNER_QUERIES, prepare)

    def test_planned_callbacks_are_followed_by_their_agent(self):
        orders = self.orders(3)
        orders.write({"state": "done", "done_date": datetime(2030, 5, 6, 15, 0)})
        mails_before = self.env["mail.mail"].search_count([])
        # planned by the system, whoever completed the repair: the estate's callback agent follows
        callbacks = self.Callback.with_user(self.center_agent)._plan_after_repairs(orders)
        self.assertEqual(len(callbacks), 3)
        for callback in callbacks:
            self.assertEqual(callback.message_partner_ids, self.project_agent.partner_id)
        # followers without an e-mail per callback
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)

    # ------------------------------------------------------------------
    # Monthly report
    # ------------------------------------------------------------------
    def test_monthly_report_counts_any_volume_in_bounded_queries(self):
        months = iter((date(2030, 6, 1), date(2030, 7, 1), date(2030, 8, 1)))
        projects = self.project | self.foreign_project

        def prepare(size):
            month = next(months)
            received = self.shanghai(month.year, month.month, 3, 10, 0)
            self.tickets(size, received)
            orders = self.orders(size, report_date=month)
            orders.write({"state": "done", "done_date": received, "notify_date": received})
            callbacks = self.Callback._plan_after_repairs(orders)
            callbacks.write({"state": "done", "done_date": received, "result": "reached", "satisfaction": "4"})

            def work():
                figures = self.env["csw.monthly.report"]._count(projects, month)
                self.assertEqual(figures[self.project]["ticket_count"], size)
                self.assertEqual(figures[self.project]["callback_done_count"], size)

            return work

        self.assertQueriesBounded(MONTHLY_COUNT_QUERIES, prepare)

    # ------------------------------------------------------------------
    # Views: list pages and a form, as the web client reads them
    # ------------------------------------------------------------------
    def specification(self, model, view_type):
        """The ``specification`` the web client sends for the fields of the model's view."""
        Model = self.env[model].with_user(self.center_agent)
        arch = etree.fromstring(Model.get_view(view_type=view_type)["arch"])
        return self._spec_of(Model, arch, with_name=view_type == "form")

    def _spec_of(self, Model, arch, with_name):
        spec = {"display_name": {}} if with_name else {}
        for node in arch.iter("field"):
            # the fields of an inline x2many list belong to that list
            if any(parent.tag == "field" for parent in node.iterancestors()):
                continue
            field = Model._fields[node.get("name")]
            if field.type == "many2one":
                spec[field.name] = {"fields": {"display_name": {}}}
            elif field.type in ("one2many", "many2many"):
                subview = next((child for child in node if child.tag == "list"), None)
                fields = {} if subview is None else self._spec_of(Model.env[field.comodel_name], subview, False)
                spec[field.name] = {"fields": fields, "limit": 40}
            else:
                spec[field.name] = {}
        return spec

    def test_ticket_list_page_reads_in_the_same_queries_whatever_the_table(self):
        spec = self.specification("csw.ticket", "list")
        Ticket = self.Ticket.with_user(self.center_agent)

        def prepare(size):
            self.tickets(size, datetime(2030, 9, 2, 2, 0))

            def work():
                page = Ticket.web_search_read([("state", "in", OPEN_TICKETS)], spec, limit=80, count_limit=10001)
                self.assertEqual(len(page["records"]), 80)

            return work

        # a full page of 80 among 180, then among 480 open tickets
        self.assertQueriesBounded(TICKET_LIST_QUERIES, prepare, sizes=(100, 300), warmup=80)

    def test_repair_order_list_page_reads_in_the_same_queries_whatever_the_table(self):
        spec = self.specification("csw.repair.order", "list")
        Order = self.Order.with_user(self.center_agent)

        def prepare(size):
            for low in range(0, size, 100):
                self.orders(min(100, size - low))

            def work():
                page = Order.web_search_read([("state", "in", OPEN_ORDERS)], spec, limit=80, count_limit=10001)
                self.assertEqual(len(page["records"]), 80)

            return work

        self.assertQueriesBounded(ORDER_LIST_QUERIES, prepare, sizes=(100, 300), warmup=80)

    def test_ticket_form_reads_in_the_same_queries_whatever_its_relations(self):
        spec = self.specification("csw.ticket", "form")
        Ticket = self.Ticket.with_user(self.center_agent)

        def prepare(size):
            ticket = self.tickets(1, datetime(2030, 10, 7, 2, 0))
            orders = self.orders(size, ticket_id=ticket.id)
            orders.write({"state": "done", "done_date": datetime(2030, 10, 8, 2, 0)})
            self.Callback._plan_after_repairs(orders)
            ticket.message_post(body="已联系业主", message_type="comment", subtype_xmlid="mail.mt_note")

            def work():
                [values] = Ticket.browse(ticket.id).web_read(spec)
                self.assertEqual(len(values["callback_ids"]), size)
                self.assertEqual(values["repair_order_count"], size)

            return work

        # a ticket with 5, then 30 repair orders and callbacks
        self.assertQueriesBounded(TICKET_FORM_QUERIES, prepare, sizes=(5, 30))
