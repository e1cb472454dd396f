import subprocess
import tempfile
import unicodedata

from freezegun import freeze_time

from odoo.addons.customer_service_warranty.models.base.csw_locale import amount_in_chinese_capitals
from odoo.tests import TransactionCase, tagged

from .common_money import CswAccountingCase, substitute_repair
from .common_repair import CswRepairCase

NOTICE = "customer_service_warranty.action_report_repair_notice"


def pdf_text(pdf):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        text = subprocess.run(["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True).stdout
    # CJK fonts map some ideographs to their compatibility forms (⽔ for 水)
    return unicodedata.normalize("NFKC", text.decode())


class TestAmountInCapitals(TransactionCase):
    def test_amounts_read_as_on_a_chinese_charge_notice(self):
        for amount, capitals in (
            (2550, "人民币贰仟伍佰伍拾元整"),
            (900, "人民币玖佰元整"),
            (1005, "人民币壹仟零伍元整"),
            (1050.5, "人民币壹仟零伍拾元伍角整"),
            (1.05, "人民币壹元零伍分"),
            (12.34, "人民币壹拾贰元叁角肆分"),
            (100000, "人民币壹拾万元整"),
            (1000500, "人民币壹佰万零伍佰元整"),
            (100010000, "人民币壹亿零壹万元整"),
            (0.5, "人民币伍角整"),
            (0, "人民币零元整"),
        ):
            self.assertEqual(amount_in_chinese_capitals(amount), capitals, amount)


@tagged("post_install", "-at_install")
class TestRepairNoticeLayout(CswRepairCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"phone": "0757-22888888", "city": "佛山", "street": "顺德区大良街道翠湖路88号"})
        cls.company.resource_calendar_id.tz = "Asia/Shanghai"
        # the notices of the crons and of the demo are rendered as OdooBot, in Brussels
        cls.env.ref("base.user_root").tz = "Europe/Brussels"

    def notified_order(self):
        with freeze_time("2026-11-30 13:15:54"):  # 21:15:54 in Beijing
            order = self.order(notify_method="written")
            order.action_notify()
        return order

    def test_notice_has_letterhead_owner_hotline_and_beijing_minutes(self):
        order = self.notified_order()
        html = self.env["ir.actions.report"]._render_qweb_html(NOTICE, order.ids)[0].decode()
        for fact in (
            self.company.name,
            "顺德区大良街道翠湖路88号",
            "0757-22888888",
            f'No. <span class="o_csw_nowrap">{order.name}',
            self.owner.name,
            "13800138000",
            "2026-12-01 21:15",  # the entry deadline, 24 h after the notice, in Beijing time
            "Company seal",
            "Received by the team (signature):",
        ):
            self.assertIn(fact, html)
        self.assertNotIn("21:15:54", html, "no seconds")
        self.assertNotIn("2026-12-01 14:15", html, "not in OdooBot's Brussels time")
        self.assertNotIn("50.0 %", html)

    def test_notice_pdf_starts_with_the_letterhead(self):
        order = self.notified_order()
        pdf, _report_type = (
            self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf(NOTICE, order.ids)
        )
        lines = [line.strip() for line in pdf_text(pdf).splitlines() if line.strip()]
        self.assertEqual(lines[0], self.company.name, "the company's name heads the first page")
        text = "\n".join(lines)
        self.assertIn("0757-22888888", text)
        self.assertIn(order.name, text)
        self.assertIn("2026-12-01 21:15", text)
        self.assertIn(self.owner.name, text)

    def test_download_button_returns_the_stored_notice(self):
        order = self.notified_order()
        action = order.action_download_notice()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["url"], f"/web/content/{order.notice_attachment_id.id}?download=true")


@tagged("post_install", "-at_install")
class TestChargeNoticeLayout(CswAccountingCase):
    def test_charge_notice_gives_the_amount_in_yuan_and_capitals_with_sign_off(self):
        deduction = substitute_repair(self.env, self.unit, self.repairer, 1500, 300).deduction_id
        self.assertEqual(deduction.amount_total, 2550, "1,500 + 50 % agency fee + 300 compensation")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_service_warranty.action_report_deduction_team_notice", deduction.ids)[0]
            .decode()
        )
        self.assertIn("人民币贰仟伍佰伍拾元整", html)
        self.assertIn("2,550.00", html)
        self.assertIn("Received by the team (signature):", html)
        self.assertIn(deduction.company_id.name, html)
        request = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_service_warranty.action_report_deduction", deduction.ids)[0]
            .decode()
        )
        for block in ("Handled by:", "Reviewed by:", "Approved by:", "Company seal"):
            self.assertIn(block, request)
