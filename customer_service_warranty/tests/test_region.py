from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_report import CswMonthCase

SOUTH, EAST = "华南区域", "华东区域"


@tagged("post_install", "-at_install")
class TestRegion(CswMonthCase):
    """Two estates of 华南区域 and one of 华东区域, November 2026, counted by hand.

    云山花园 (A, 华南): the month of CswMonthCase: 5 tickets, 2 complaints, 3 responses due of which
    1 in time; 1 unit handed over. 云山花园二期 (C, 华南): one complaint answered in time; 3 units
    handed over. 星河湾 (B, 华东): one repair request, no complaint; 1 unit (handed over in 2021).
    华南: 6 tickets, 3 complaints, 4 units → 75 complaints per 100 units; 2 of 4 responses in time
    → 50 % (the average of the estates' rates would be 66.67 %).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.estate_c = cls.env["csw.project"].create(
            {
                "name": "云山花园二期",
                "code": "YSHY2",
                "company_id": cls.company.id,
                "completion_date": date(2024, 6, 1),
                "handover_date": date(2025, 1, 1),
            }
        )
        cls.units_c = cls.env["csw.unit"].create(
            [{"name": f"8-1-{floor}01", "project_id": cls.estate_c.id} for floor in (3, 5, 7)]
        )
        cls.ticket(
            "2026-11-16 08:00:00",
            cls.units_c[0],
            "complaint",
            response_deadline="2026-11-16 10:00:00",
            first_response_date="2026-11-16 09:00:00",
        )
        cls.foreign_unit.handover_date = date(2021, 6, 1)
        (cls.project | cls.estate_c).region = SOUTH
        cls.estate_b.region = EAST
        cls.reports = cls.env["csw.monthly.report"].create(
            [{"project_id": p.id, "month": date(2026, 11, 1)} for p in (cls.project, cls.estate_b, cls.estate_c)]
        )
        cls.reports.action_refresh()

    def test_the_copies_of_the_region_and_the_building_cannot_move_the_estate_or_the_unit(self):
        """A write through a ticket, a repair order, a callback, a deduction or a weekly report
        would change the estate's region (the unit's building): refused, whoever asks."""
        weekly = self.env["csw.weekly.report"].create({"project_id": self.project.id, "week_start": date(2026, 11, 13)})
        records = [self.t1, self.r1, self.r1.callback_ids[:1], self.deduction, weekly]
        for record in records:
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.with_user(self.manager).write({"region": "篡改区域"})
        with self.assertRaises(AccessError):
            self.t1.with_user(self.manager).write({"building": "99"})
        self.assertEqual(self.project.region, SOUTH)
        self.assertNotEqual(self.t1.unit_id.building, "99")

    def rollup(self, region):
        return self.env["csw.region.report"].search([("region", "=", region), ("month", "=", date(2026, 11, 1))])

    def test_region_is_stored_on_the_records_of_the_estate(self):
        records = [self.t1, self.r1, self.r1.callback_ids[:1], self.deduction, self.reports[0]]
        for record in records:
            self.assertEqual(record.region, SOUTH, record._name)
        self.project.region = "粤港澳区域"
        for record in records:
            self.assertEqual(record.region, "粤港澳区域", record._name)
        Ticket = self.env["csw.ticket"]
        self.assertEqual(
            Ticket.search_count([("region", "=", "粤港澳区域")]),
            Ticket.search_count([("project_id", "=", self.project.id)]),
        )
        estates = [("project_id", "in", (self.project | self.estate_b | self.estate_c).ids)]
        groups = dict(Ticket._read_group(estates, ["region"], ["__count"]))
        self.assertEqual(groups, {"粤港澳区域": 6, SOUTH: 1, EAST: 1})

    def test_monthly_figures_of_each_region(self):
        a, c = self.reports[0], self.reports[2]
        self.assertEqual((a.ticket_count, a.complaint_count, a.unit_count, a.complaint_rate), (5, 2, 1, 200.0))
        self.assertEqual((c.ticket_count, c.complaint_count, c.unit_count, c.complaint_rate), (1, 1, 3, 33.33))
        south, east = self.rollup(SOUTH), self.rollup(EAST)
        self.assertEqual(
            (south.estate_count, south.ticket_count, south.complaint_count, south.unit_count), (2, 6, 3, 4)
        )
        self.assertEqual(south.complaint_rate, 75.0, "3 × 100 / 4, not the average of 200 and 33.33")
        # 云山花园's follow-up, closed by the owner's satisfied answer after the rework, is decided late
        self.assertEqual((south.response_decided_count, south.response_on_time_count), (5, 2))
        self.assertEqual(south.response_on_time_rate, 40.0, "2 of 5, not the average of 25 % and 100 %")
        self.assertEqual((east.estate_count, east.ticket_count, east.complaint_count, east.unit_count), (1, 1, 0, 1))
        self.assertEqual(east.complaint_rate, 0.0)

    def test_changing_an_estates_region_moves_its_figures(self):
        self.estate_c.region = EAST
        self.env.flush_all()
        self.assertEqual(self.reports[2].region, EAST)
        self.assertEqual((self.rollup(SOUTH).ticket_count, self.rollup(EAST).ticket_count), (5, 2))
        self.assertEqual(self.rollup(EAST).complaint_rate, 25.0, "1 complaint × 100 / (3 + 1) units")

    def test_rollup_queries_do_not_depend_on_the_number_of_reports(self):
        counts = []
        Rollup = self.env["csw.region.report"]
        for month in (date(2026, 10, 1), date(2026, 9, 1)):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Rollup.search_read([], ["region", "month", "ticket_count", "complaint_rate", "callback_rate"])
            counts.append(self.env.cr.sql_log_count - before)
            more = self.env["csw.monthly.report"].create(
                [{"project_id": p.id, "month": month} for p in (self.project, self.estate_b, self.estate_c)]
            )
            more.action_refresh()
        self.assertEqual(counts[0], counts[1], counts)

    def test_access_to_the_rollup(self):
        Rollup = self.env["csw.region.report"]
        self.assertTrue(Rollup.with_user(self.center_agent).search([("region", "=", SOUTH)]))
        self.assertTrue(Rollup.with_user(self.manager).search([("region", "=", SOUTH)]))
        self.assertFalse(Rollup.with_user(self.project_agent).has_access("read"), "an estate's agent: not the region's")
        self.assertFalse(Rollup.with_user(self.other_manager).search([]), "another company")
