import subprocess
import tempfile
from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common_report import CswMonthCase


@tagged("post_install", "-at_install")
class TestQualityFeedback(CswMonthCase):
    """The defects of CswMonthCase's 云山花园 (all in building 3), counted by hand, plus a repeated leak.

    November: bathroom waterproofing R1 (reopened once), R3, R4 (draft) and R8, raised from a
    repeated complaint of 21 Nov; wall tiles R2; R5 cancelled (not a defect). October: bathroom
    waterproofing R6. 星河湾: bathroom waterproofing R7 (building 1).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leak = cls.category("waterproofing_bathroom")
        cls.tiles = cls.category("decoration_wall_tile")
        for received in ("2026-11-18 02:00:00", "2026-11-21 02:00:00"):
            with freeze_time(received):
                repeat = cls.env["csw.ticket"].create(
                    {
                        "name": "主卫天花又渗水",
                        "ticket_type": "complaint",
                        "unit_id": cls.unit.id,
                        "category_id": cls.leak.id,
                        "received_date": received,
                    }
                )
        with freeze_time("2026-11-21 03:00:00"):
            cls.r8 = cls.repair("2026-11-21", ticket_id=repeat.id)
        cls.repeat_ticket = repeat

    def test_defects_by_trade_category_building_and_month(self):
        self.assertTrue(self.repeat_ticket.is_repeat)
        Feedback = self.env["csw.quality.feedback"]
        estate = [("project_id", "=", self.project.id)]
        rows = Feedback._read_group(
            estate,
            ["trade_id", "category_id", "building", "report_date:month"],
            ["defect_count:sum", "repeat_count:sum", "reopened_count:sum"],
        )
        self.assertEqual(
            {(t, c, b, m): figures for t, c, b, m, *figures in rows},
            {
                (self.category("waterproofing"), self.leak, "3", date(2026, 11, 1)): [4, 1, 1],
                (self.category("waterproofing"), self.leak, "3", date(2026, 10, 1)): [1, 0, 0],
                (self.category("decoration"), self.tiles, "3", date(2026, 11, 1)): [1, 0, 0],
            },
        )
        both = [("project_id", "in", (self.project | self.estate_b).ids)]
        by_trade = dict(Feedback._read_group(both, ["trade_id"], ["defect_count:sum"]))
        self.assertEqual(
            by_trade, {self.category("waterproofing"): 6, self.category("decoration"): 1}, "7 orders, R5 out"
        )

    def test_monthly_report_lists_the_month_against_the_previous_one(self):
        report = self.env["csw.monthly.report"].create({"project_id": self.project.id, "month": date(2026, 11, 1)})
        report.action_refresh()
        self.assertEqual(
            report._quality_feedback(),
            [(self.leak.display_name, "3", 4, 1, 1), (self.tiles.display_name, "3", 1, 0, 0)],
        )
        content, _type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("customer_service_warranty.action_report_monthly", res_ids=report.ids)
        )
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(content)
            handle.flush()
            text = subprocess.run(["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True).stdout
        text = " ".join(text.decode().split())
        self.assertIn("Quality feedback: defects by category and building", text)
        # the long category name wraps in its cell: its figures, and the tiles' whole row
        self.assertRegex(text, r"Bathroom (leaks )?3 4 1 1")
        self.assertIn("Hollow wall tiles 3 1 0 0", text)

    def test_managers_only(self):
        Feedback = self.env["csw.quality.feedback"]
        self.assertTrue(Feedback.with_user(self.manager).search([("project_id", "=", self.project.id)]))
        self.assertFalse(Feedback.with_user(self.other_manager).search([]), "another company's manager")
        for agent in (self.project_agent, self.center_agent):
            self.assertFalse(Feedback.with_user(agent).has_access("read"))
