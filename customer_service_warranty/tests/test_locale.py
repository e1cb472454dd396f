from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import CswCase
from .common_callback import CswCallbackCase
from .common_ticket import CswTicketCase


class LocaleMixin:
    """A Chinese company in Beijing time, its crons run as OdooBot: no language, Brussels."""

    @classmethod
    def use_chinese_company(cls):
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.company.partner_id.lang = "zh_CN"
        cls.company.resource_calendar_id.tz = "Asia/Shanghai"
        cls.env.ref("base.user_root").tz = "Europe/Brussels"
        cls.env = cls.env(context={key: value for key, value in cls.env.context.items() if key not in ("lang", "tz")})

    def bodies(self, records):
        return "\n".join(records.message_ids.mapped("body"))


@tagged("post_install", "-at_install")
class TestCronLanguage(LocaleMixin, CswTicketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.use_chinese_company()

    def test_sla_escalation_note_and_todo_are_in_the_company_language(self):
        complaint = self.ticket(ticket_type="complaint", received_date=self.shanghai(2026, 11, 16, 9, 0))
        with freeze_time(complaint.response_deadline + timedelta(minutes=5)):
            self.env["csw.ticket"].with_user(self.env.ref("base.user_root"))._cron_escalate()
        self.assertEqual(complaint.escalation_level, 1)
        self.assertIn("本工单已超出服务时限:升级至第 1 级(主管)", self.bodies(complaint))
        self.assertNotIn("escalated", self.bodies(complaint))
        activity = complaint.activity_ids.filtered(lambda a: a.user_id == self.team_leader)
        self.assertEqual(activity.summary, "服务时限超时:已升级至第 1 级")

    def test_company_language_falls_back_to_chinese_when_nobody_chose_one(self):
        Locale = self.env["csw.locale"]
        self.assertEqual(Locale._company_lang(self.company), "zh_CN")
        self.company.partner_id.lang = False
        admin = self.env.ref("base.user_admin")
        admin.lang = "zh_CN"
        self.assertEqual(Locale._company_lang(self.company), "zh_CN", "the administrator's language")
        self.assertEqual(Locale._company_tz(self.company), "Asia/Shanghai", "the working calendar's zone")


@tagged("post_install", "-at_install")
class TestLocalTimeInMessages(LocaleMixin, CswCallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.use_chinese_company()

    def test_notice_note_gives_the_entry_deadline_in_beijing_time_to_the_minute(self):
        with freeze_time("2026-11-30 13:15:54"):  # 21:15:54 in Beijing
            order = self.order(notify_method="written")
            order.with_context(lang="zh_CN").action_notify()
        self.assertEqual(order.entry_deadline, datetime(2026, 12, 1, 13, 15, 54))
        note = self.bodies(order)
        self.assertIn("须于 2026-12-01 21:15 前进场", note)
        self.assertNotIn("13:15", note)

    def test_unreachable_callback_retry_is_in_beijing_time(self):
        self.company.write({"csw_callback_max_attempts": 3, "csw_callback_retry_hours": 4})
        callback = self.done_order(datetime(2026, 11, 20, 2, 0)).callback_ids
        with freeze_time("2026-11-20 03:00:00"):  # 11:00 in Beijing
            callback.with_context(lang="zh_CN").action_record_unreachable()
        self.assertIn("请于 2026-11-20 15:00 后再次回访", self.bodies(callback))

    def test_overdue_callback_cron_writes_chinese_and_beijing_time(self):
        callback = self.done_order(datetime(2026, 11, 20, 2, 0)).callback_ids
        deadline = callback.deadline
        with freeze_time(deadline + timedelta(hours=1)):
            self.env["csw.callback"].with_user(self.env.ref("base.user_root"))._cron_escalate_overdue()
        local = (deadline + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
        self.assertIn(f"回访已于 {local} 超期", self.bodies(callback))


@tagged("post_install", "-at_install")
class TestReportListDisplay(CswCase):
    def test_monthly_report_month_reads_as_a_chinese_month(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        report = self.env["csw.monthly.report"].create({"project_id": self.project.id, "month": date(2026, 11, 1)})
        self.assertEqual(report.with_context(lang="zh_CN").month_label, "2026年11月")
        self.assertEqual(report.with_context(lang="en_US").month_label, "Nov 2026")

    def test_rates_without_a_base_show_no_figure_in_the_lists(self):
        for model in ("csw.monthly.report", "csw.weekly.report"):
            arch = self.env[model].get_views([(False, "list")])["views"]["list"]["arch"]
            # an estate with no callback has no callback rate, not 0 %
            self.assertIn('name="callback_rate" invisible="not callback_completed_count"', arch, model)
            self.assertIn('name="satisfaction_avg" invisible="not rated_count"', arch, model)
