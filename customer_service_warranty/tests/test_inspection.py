import subprocess
import tempfile
import unicodedata

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common_repair import CswRepairCase


@tagged("post_install", "-at_install", "csw_dates")
class TestInspection(CswRepairCase):
    def test_batch_is_dispatched_one_notice_per_team(self):
        self.project.handover_date = False
        self.unit.handover_date = False
        wizard_form = Form(self.env["csw.inspection.wizard"].with_user(self.project_agent))
        wizard_form.project_id = self.project
        wizard_form.default_unit_id = self.unit
        for location, category in (
            ("主卫", "waterproofing_bathroom"),
            ("厨房", "waterproofing_kitchen"),
            ("客厅", "decoration_floor_tile"),
        ):
            with wizard_form.line_ids.new() as line:
                line.location = location
                line.category_id = self.category(category)
                line.description = "承接查验发现"
        wizard = wizard_form.save()
        action = wizard.action_create_orders()
        orders = self.env["csw.repair.order"].search(action["domain"])
        self.assertEqual(len(orders), 3)
        # the same batch sent again (a double click, a replayed call) creates nothing more
        with self.assertRaises(UserError):
            wizard.action_create_orders()
        self.assertEqual(self.env["csw.repair.order"].search_count([("unit_id", "=", self.unit.id)]), 3)
        self.assertEqual(set(orders.mapped("source")), {"pre_delivery"})
        self.assertEqual(set(orders.mapped("state")), {"notified"})
        self.assertEqual(orders.subcontract_id, self.subcontract | self.tile_subcontract)
        mails = self.env["mail.mail"].search([("recipient_ids", "in", (self.team | self.tile_team).ids)])
        self.assertEqual(len(mails), 2)
        # at handover, the unit lists its open inspection defects
        self.assertEqual(self.unit.open_inspection_order_ids, orders)

    def test_batch_needs_lines_with_units(self):
        wizard = self.env["csw.inspection.wizard"].create({"project_id": self.project.id})
        with self.assertRaises(UserError):
            wizard.action_create_orders()
        wizard.line_ids = [(0, 0, {"location": "阳台", "category_id": self.category("decoration").id})]
        with self.assertRaises(UserError):
            wizard.action_create_orders()
        self.assertFalse(self.env["csw.repair.order"].search([("location", "=", "阳台")]))


@tagged("post_install", "-at_install", "csw_dates")
class TestRepairNotice(CswRepairCase):
    def test_notice_holds_the_facts_the_team_needs(self):
        self.unit.address = "云山路8号3栋2单元1201"
        order = self.order()
        order.action_notify()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_service_warranty.action_report_repair_notice", order.ids)[0]
            .decode()
        )
        for fact in (
            self.team.name,
            self.project.name,
            "云山路8号3栋2单元1201",
            "主卫天花",
            "主卫天花渗水",
            order.name,
            self.subcontract.name,
        ):
            self.assertIn(fact, html)

    def test_notice_renders_as_pdf(self):
        order = self.order()
        order.action_notify()
        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("customer_service_warranty.action_report_repair_notice", order.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            text = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, check=True).stdout.decode()
        # CJK fonts map some ideographs to their compatibility forms (⽔ for 水)
        # a table cell may wrap its text over lines
        text = "".join(unicodedata.normalize("NFKC", text).split())
        for fact in (order.name, self.subcontract.name, self.team.name, self.project.name, "主卫天花渗水"):
            self.assertIn(fact, text)
