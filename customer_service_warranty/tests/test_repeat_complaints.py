"""Seed 002 / issue 20: the same problem reported again and again (同一问题反复投诉).

A complaint or repair request of the same unit and defect category as one received within the
company's window before it is flagged as a repeat, linked to it and counted per estate and team.
"""

from datetime import date, datetime, timedelta
from itertools import cycle

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common_repair import CswRepairCase

# the first report of the leak, and the window (90 days by default) counted from it
FIRST = datetime(2030, 3, 2, 2, 0)


@tagged("post_install", "-at_install")
class TestRepeatComplaints(CswRepairCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unit.handover_date = date(2029, 1, 1)
        cls.neighbour = cls.env["csw.unit"].create({"name": "3-2-1101", "project_id": cls.project.id})
        cls.leak = cls.category("waterproofing_bathroom")
        cls.kitchen = cls.category("waterproofing_kitchen")
        cls.Ticket = cls.env["csw.ticket"]

    def ticket(self, received, unit=None, category=None, ticket_type="complaint", **values):
        with freeze_time(received):
            return self.Ticket.create(
                {
                    "name": "主卫天花又渗水",
                    "ticket_type": ticket_type,
                    "unit_id": (unit or self.unit).id,
                    "category_id": (category or self.leak).id,
                    "received_date": received,
                    **values,
                }
            )

    def repeat(self, ticket):
        return ticket.repeat_of_id, ticket.is_repeat, ticket.repeat_count

    # ------------------------------------------------------------------
    # Detection
    # ------------------------------------------------------------------
    def test_same_unit_and_category_within_the_window_is_a_repeat_of_the_latest(self):
        first = self.ticket(FIRST, ticket_type="repair")
        second = self.ticket(FIRST + timedelta(days=40))
        third = self.ticket(FIRST + timedelta(days=89))
        self.assertEqual(self.repeat(first), (self.Ticket, False, 0))
        self.assertEqual(self.repeat(second), (first, True, 1), "a complaint repeats a repair request")
        self.assertEqual(self.repeat(third), (second, True, 2), "linked to the latest, both earlier ones counted")

    def test_not_a_repeat_after_the_window_which_the_company_sets(self):
        self.ticket(FIRST)
        late = self.ticket(FIRST + timedelta(days=91))
        self.assertEqual(self.repeat(late), (self.Ticket, False, 0))
        self.company.csw_repeat_window_days = 120
        later = self.ticket(FIRST + timedelta(days=100))
        self.assertEqual(self.repeat(later), (late, True, 2), "the first and the late one, within 120 days")
        with self.assertRaises(ValidationError):
            self.company.csw_repeat_window_days = 0

    def test_not_a_repeat_for_another_unit_category_type_or_a_cancelled_ticket(self):
        self.ticket(FIRST)
        cancelled = self.ticket(FIRST, unit=self.neighbour, category=self.kitchen)
        cancelled.action_cancel()
        later = FIRST + timedelta(days=10)
        self.assertFalse(self.ticket(later, unit=self.neighbour).is_repeat, "another unit")
        self.assertFalse(self.ticket(later, category=self.kitchen).is_repeat, "another category")
        self.assertFalse(self.ticket(later, ticket_type="consultation").is_repeat, "a consultation")
        self.assertFalse(
            self.ticket(later + timedelta(days=1), unit=self.neighbour, category=self.kitchen).is_repeat,
            "the only earlier one was cancelled",
        )

    def test_a_batch_is_checked_against_itself(self):
        with freeze_time(FIRST + timedelta(days=5)):
            first, second = self.Ticket.create(
                [
                    {
                        "name": f"主卫渗水{n}",
                        "ticket_type": "repair",
                        "unit_id": self.unit.id,
                        "category_id": self.leak.id,
                        "received_date": FIRST + timedelta(days=n),
                    }
                    for n in (1, 3)
                ]
            )
        self.assertEqual((self.repeat(first), self.repeat(second)), ((self.Ticket, False, 0), (first, True, 1)))

    def test_changing_the_category_rechecks_the_ticket(self):
        first = self.ticket(FIRST)
        second = self.ticket(FIRST + timedelta(days=3), category=self.kitchen)
        self.assertFalse(second.is_repeat)
        second.category_id = self.leak
        self.assertEqual(self.repeat(second), (first, True, 1))
        second.category_id = self.kitchen
        self.assertEqual(self.repeat(second), (self.Ticket, False, 0))

    def test_the_agent_sees_the_repeat_at_intake(self):
        first = self.ticket(FIRST)
        with freeze_time(FIRST + timedelta(days=7)):
            form = Form(self.Ticket.with_user(self.project_agent))
            form.name = "业主再次来电:主卫天花渗水"
            form.ticket_type = "complaint"
            form.unit_id = self.unit
            form.category_id = self.leak
            self.assertTrue(form.is_repeat)
            self.assertEqual(form.repeat_of_id, first)
            self.assertEqual(form.repeat_of_number, first.number)
            ticket = form.save()
        self.assertEqual(self.repeat(ticket), (first, True, 1))
        self.assertFalse(ticket.repeat_linked_by_hand, "the form sent back the link the check found")
        action = ticket.action_view_repeat_of()
        self.assertEqual((action["res_model"], action["res_id"]), ("csw.ticket", first.id))
        repeats = self.Ticket.search([("is_repeat", "=", True), ("unit_id", "=", self.unit.id)])
        self.assertEqual(repeats, ticket, "the Repeats filter")

    # ------------------------------------------------------------------
    # Manual link and its rules
    # ------------------------------------------------------------------
    def test_the_agent_links_a_repeat_by_hand_while_it_is_open(self):
        first = self.ticket(FIRST, category=self.kitchen)
        second = self.ticket(FIRST + timedelta(days=200), category=self.leak).with_user(self.project_agent)
        self.assertFalse(second.is_repeat)
        second.repeat_of_id = first
        self.assertEqual(self.repeat(second), (first, True, 1))
        self.assertTrue(second.repeat_linked_by_hand)
        second.category_id = self.kitchen
        self.assertEqual(self.repeat(second), (first, True, 1), "the link made by hand stays")
        second.repeat_of_id = False
        self.assertEqual(self.repeat(second), (self.Ticket, False, 0))
        second.repeat_of_id = first
        second.sudo().write({"resolution": "<p>已重做防水</p>", "state": "closed"})
        with self.assertRaisesRegex(UserError, "no longer open"):
            second.repeat_of_id = False

    def test_the_agent_links_a_repeat_at_creation(self):
        first = self.ticket(FIRST, category=self.kitchen)
        with freeze_time(FIRST + timedelta(days=150)):
            second = self.Ticket.with_user(self.project_agent).create(
                {
                    "name": "业主说还是上次的问题",
                    "ticket_type": "complaint",
                    "unit_id": self.unit.id,
                    "repeat_of_id": first.id,
                }
            )
        self.assertEqual(self.repeat(second), (first, True, 1))
        self.assertTrue(second.repeat_linked_by_hand)

    def test_a_repeat_links_only_to_an_earlier_ticket_of_the_same_unit_never_itself(self):
        first = self.ticket(FIRST, unit=self.neighbour)
        second = self.ticket(FIRST + timedelta(days=3)).with_user(self.project_agent)
        later = self.ticket(FIRST + timedelta(days=300), category=self.kitchen)
        with self.assertRaisesRegex(ValidationError, "same unit"):
            second.repeat_of_id = first
        with self.assertRaisesRegex(ValidationError, "itself"):
            second.repeat_of_id = second
        with self.assertRaisesRegex(ValidationError, "received before"):
            second.repeat_of_id = later

    def test_the_flag_and_count_are_not_written_directly(self):
        ticket = self.ticket(FIRST).with_user(self.project_agent)
        for values in ({"is_repeat": True}, {"repeat_count": 3}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                ticket.write(values)
        with self.assertRaises(AccessError):
            self.Ticket.with_user(self.project_agent).create(
                {"name": "渗水", "unit_id": self.unit.id, "is_repeat": True}
            )

    # ------------------------------------------------------------------
    # Counted per estate and team
    # ------------------------------------------------------------------
    def test_monthly_report_counts_the_repeats_of_the_estate_and_the_team(self):
        """May 2030, 云山花园, counted by hand: A leak 10 Apr; B repeat 5 May (its repair order
        with the waterproofing team); C repeat 20 May; D the neighbour's leak 8 May; E the unit's
        kitchen 12 May; F the neighbour's kitchen, 1 Jun (next month). Repeats in May: B and C."""
        self.ticket(datetime(2030, 4, 10, 2, 0))
        b = self.ticket(datetime(2030, 5, 5, 2, 0))
        c = self.ticket(datetime(2030, 5, 20, 2, 0), ticket_type="repair")
        self.ticket(datetime(2030, 5, 8, 2, 0), unit=self.neighbour)
        self.ticket(datetime(2030, 5, 12, 2, 0), category=self.kitchen)
        self.ticket(datetime(2030, 6, 1, 2, 0), unit=self.neighbour, category=self.kitchen)
        self.assertEqual((b.is_repeat, c.is_repeat), (True, True))
        with freeze_time("2030-05-06 02:00:00"):
            order = self.order(ticket_id=b.id, report_date=date(2030, 5, 6))
        self.assertEqual(order.subcontractor_id, self.team)
        report = self.env["csw.monthly.report"].create({"project_id": self.project.id, "month": date(2030, 5, 1)})
        report.action_refresh()
        self.assertEqual((report.ticket_count, report.complaint_count, report.repeat_count), (4, 3, 2))
        self.assertIn((self.team.display_name, 1, 0, 1), report._breakdowns()["by_team"])

    # ------------------------------------------------------------------
    # Performance
    # ------------------------------------------------------------------
    def test_a_batch_is_checked_in_the_same_queries_whatever_its_size(self):
        units = self.env["csw.unit"].create(
            [{"name": f"8-{n // 10 + 1}-{n % 10 + 1}02", "project_id": self.project.id} for n in range(40)]
        )

        def create(count, day):
            with freeze_time(FIRST + timedelta(days=day)):
                return self.Ticket.create(
                    [
                        {
                            "name": f"主卫渗水{n}",
                            "ticket_type": "repair",
                            "unit_id": unit.id,
                            "category_id": self.leak.id,
                            "received_date": FIRST + timedelta(days=day),
                        }
                        for n, unit in zip(range(count), cycle(units))
                    ]
                )

        # earlier reports of every unit, and a warm-up
        create(40, 0)
        create(2, 1)
        counts = []
        for size, day in ((4, 2), (40, 3)):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            tickets = create(size, day)
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
            self.assertTrue(all(tickets.mapped("is_repeat")))
        self.assertEqual(counts[0], counts[1], f"queries for 4 and 40 tickets: {counts}")
