import subprocess
import tempfile
import unicodedata
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common_callback import CswCallbackCase


class CswFollowupCase(CswCallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ticket = cls.env["csw.ticket"]
        cls.Wizard = cls.env["csw.callback.followup.wizard"]

    def periodic_callback(self, unit=None, when=datetime(2026, 11, 20, 2, 0), agent=None):
        return self.Callback.create(
            {
                "unit_id": (unit or self.unit).id,
                "callback_type": "periodic",
                "scheduled_date": when,
                "deadline": when + timedelta(days=7),
                "user_id": (agent or self.callback_agent).id,
            }
        )

    def raise_followup(self, callback, problem="厨房下水管接口滴水", user=None, deadline=None, as_user=None):
        """Raise a follow-up through the form, as ``as_user`` (default: the callback agent)."""
        wizard = self.Wizard.with_user(as_user or self.callback_agent).with_context(default_callback_id=callback.id)
        with Form(wizard) as form:
            form.problem = problem
            form.location = "厨房"
            if user:
                form.user_id = user
            if deadline:
                form.date_deadline = deadline
            record = form.save()
        action = record.action_raise()
        return self.Ticket.browse(action["res_id"])


@tagged("post_install", "-at_install", "csw_dates")
class TestCallbackFollowup(CswFollowupCase):
    def test_satisfied_owner_raises_a_followup_from_a_periodic_callback(self):
        callback = self.periodic_callback()
        self.record(callback, "2026-11-20 10:00:00", satisfaction="5", comment="维修满意,但厨房下水管滴水")
        with freeze_time("2026-11-20 10:05:00"):
            followup = self.raise_followup(callback)
        self.assertEqual(followup.origin_callback_id, callback)
        self.assertEqual(callback.followup_ticket_id, followup)
        self.assertEqual((followup.channel, followup.unit_id, followup.partner_id), ("callback", self.unit, self.owner))
        self.assertEqual(followup.user_id, self.center_agent, "by default the estate's CS lead")
        self.assertEqual(followup.date_deadline, datetime(2026, 11, 22, 10, 5), "48 hours by default")
        self.assertIn("厨房下水管接口滴水", followup.description)
        self.assertEqual(followup.location, "厨房")
        self.assertEqual(callback.state, "done", "the callback itself is not changed")
        # a second problem is a second follow-up; the callback shows the latest
        with freeze_time("2026-11-20 10:10:00"):
            second = self.raise_followup(
                callback, "阳台推拉门关不严", user=self.project_agent, deadline=datetime(2026, 11, 21, 10, 0)
            )
        self.assertEqual(callback.followup_ticket_ids, followup | second)
        self.assertEqual(callback.followup_ticket_id, second)
        self.assertEqual((second.user_id, second.date_deadline), (self.project_agent, datetime(2026, 11, 21, 10, 0)))

    @freeze_time("2026-11-20 10:00:00")
    def test_any_callback_raises_a_followup_even_before_the_call_is_recorded(self):
        care = self.Callback.create(
            {
                "unit_id": self.unit.id,
                "callback_type": "care",
                "scheduled_date": datetime(2026, 11, 20, 1, 0),
                "deadline": datetime(2026, 11, 23, 1, 0),
            }
        )
        followup = self.raise_followup(care, "业主反映外墙渗水", as_user=self.project_agent)
        self.assertEqual(followup.origin_callback_id, care)
        self.assertEqual(care.state, "planned")
        self.assertEqual(followup.ticket_type, "repair")

    @freeze_time("2026-11-20 10:00:00")
    def test_followup_refusals_leave_nothing_written(self):
        callback = self.periodic_callback()
        agent_callback = callback.with_user(self.project_agent)
        later = datetime(2026, 11, 22, 10, 0)
        with self.assertRaises(UserError) as err:
            agent_callback._raise_followup("  ", self.center_agent, later)
        self.assertIn("problem", str(err.exception))
        with self.assertRaises(UserError) as err:
            agent_callback._raise_followup("外墙渗水", self.center_agent, datetime(2026, 11, 20, 9, 0))
        self.assertIn("future", str(err.exception))
        with self.assertRaises(UserError) as err:
            agent_callback._raise_followup("外墙渗水", self.other_manager, later)
        self.assertIn(self.company.name, str(err.exception))
        callback.write({"cancel_reason": "业主已出售房屋"})
        callback.action_cancel()
        with self.assertRaises(UserError) as err:
            agent_callback._raise_followup("外墙渗水", self.center_agent, later)
        self.assertIn("cancelled", str(err.exception))
        # a project agent raises follow-ups only for the callbacks of their estates
        foreign = self.periodic_callback(self.foreign_unit, agent=self.center_agent)
        with self.assertRaises(AccessError):
            foreign.with_user(self.project_agent)._raise_followup("外墙渗水", self.center_agent, later)
        self.assertFalse(self.Ticket.search([("origin_callback_id", "in", (callback | foreign).ids)]))
        self.assertFalse(callback.followup_ticket_id)

    def test_followup_ticket_and_escalation_flag_are_not_written_directly(self):
        callback = self.periodic_callback()
        with freeze_time("2026-11-20 10:00:00"):
            followup = self.raise_followup(callback)
        with self.assertRaises(AccessError):
            callback.with_user(self.project_agent).write({"followup_ticket_id": False})
        with self.assertRaises(AccessError):
            followup.with_user(self.project_agent).write({"followup_escalated": True})

    def test_followup_stays_open_while_the_repair_it_reopened_is_open(self):
        order = self.done_order(datetime(2026, 11, 20, 10, 0))
        self.record(order.callback_ids, "2026-11-21 09:00:00", satisfaction="1", comment="还在渗水")
        followup = order.callback_ids.followup_ticket_id
        self.assertEqual(order.state, "notified")
        followup.write({"resolution": "<p>班组已再次维修</p>"})
        followup.action_start()
        with self.assertRaises(UserError) as err:
            followup.action_resolve()
        self.assertIn(order.name, str(err.exception))
        self.assertEqual(followup.state, "in_progress")
        with freeze_time("2026-11-22 14:00:00"):
            order.action_done()
        followup.action_resolve()
        self.assertEqual(followup.state, "resolved")

    def test_followup_of_a_periodic_callback_resolves_and_closes_freely(self):
        callback = self.periodic_callback()
        with freeze_time("2026-11-20 10:00:00"):
            followup = self.raise_followup(callback)
        followup.write({"resolution": "<p>已更换下水管接口</p>"})
        followup.action_resolve()
        followup.action_close()
        self.assertEqual(followup.state, "closed")


@tagged("post_install", "-at_install", "csw_dates")
class TestFollowupEscalation(CswFollowupCase):
    def test_overdue_followups_escalate_to_the_team_leader_once(self):
        self.company.csw_team_leader_id = self.manager
        callback = self.periodic_callback()
        with freeze_time("2026-11-20 10:00:00"):
            late = self.raise_followup(callback)
            solved = self.raise_followup(callback, "阳台推拉门关不严")
        solved.write({"resolution": "<p>已调整</p>"})
        solved.action_resolve()
        with freeze_time("2026-11-22 09:00:00"):
            self.Ticket._cron_escalate_overdue_followups()
        self.assertFalse(late.followup_escalated, "not overdue yet")
        with freeze_time("2026-11-22 11:00:00"):
            self.assertEqual(self.Ticket.search([("is_followup_overdue", "=", True)]), late)
            self.Ticket._cron_escalate_overdue_followups()
            self.Ticket._cron_escalate_overdue_followups()
        self.assertTrue(late.followup_escalated)
        self.assertFalse(solved.followup_escalated, "a resolved follow-up is not chased")
        self.assertEqual(late.activity_ids.user_id, self.manager)
        self.assertEqual(len(late.activity_ids), 1, "escalated once")
        self.assertIn("Follow-up overdue", late.message_ids[0].body)

    def test_without_team_leader_the_estate_cs_lead_is_told(self):
        self.company.csw_team_leader_id = False
        with freeze_time("2026-11-20 10:00:00"):
            followup = self.raise_followup(self.periodic_callback())
        with freeze_time("2026-11-23 10:00:00"):
            self.Ticket._cron_escalate_overdue_followups()
        self.assertEqual(followup.activity_ids.user_id, self.center_agent)

    def test_escalation_queries_do_not_depend_on_volume(self):
        self.company.csw_team_leader_id = self.manager
        callback = self.periodic_callback()

        def escalate(count):
            tickets = self.Ticket.create(
                [
                    {
                        "name": "回访联系单",
                        "channel": "callback",
                        "unit_id": self.unit.id,
                        "user_id": self.project_agent.id,
                        "origin_callback_id": callback.id,
                        "date_deadline": datetime(2026, 10, 1, 2, 0),
                    }
                    for _n in range(count)
                ]
            )
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Ticket._cron_escalate_overdue_followups()
            queries = self.env.cr.sql_log_count - before
            self.assertTrue(all(tickets.mapped("followup_escalated")))
            return queries

        escalate(2)  # warms the caches
        self.assertEqual(escalate(5), escalate(40))


@tagged("post_install", "-at_install", "csw_dates")
class TestFollowupForm(CswFollowupCase):
    def followup(self):
        self.unit.address = "云山路8号3栋2单元1201"
        callback = self.periodic_callback()
        self.record(callback, "2026-11-20 10:00:00", satisfaction="4", comment="厨房下水管滴水")
        with freeze_time("2026-11-20 10:00:00"):
            return self.raise_followup(callback, user=self.project_agent, deadline=datetime(2026, 11, 22, 10, 0))

    def test_followup_form_holds_owner_unit_problem_person_and_deadline(self):
        followup = self.followup()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_service_warranty.action_report_followup_form", followup.ids)[0]
            .decode()
        )
        # to the minute, in the company's time zone
        deadline = self.env["csw.locale"]._format_datetime(followup.date_deadline, followup.company_id)
        for fact in (
            "Callback Follow-up Form",
            followup.number,
            self.owner.name,
            "13800138000",
            self.project.name,
            self.unit.name,
            "云山路8号3栋2单元1201",
            "厨房下水管接口滴水",
            self.project_agent.name,
            deadline,
            "Owner's confirmation",
        ):
            self.assertIn(fact, html)

    def test_followup_form_renders_as_pdf(self):
        followup = self.followup()
        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("customer_service_warranty.action_report_followup_form", followup.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            text = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, check=True).stdout.decode()
        # CJK fonts map some ideographs to their compatibility forms (⽔ for 水)
        text = unicodedata.normalize("NFKC", text)
        # to the minute, in the company's time zone
        deadline = self.env["csw.locale"]._format_datetime(followup.date_deadline, followup.company_id)
        for fact in (followup.number, self.owner.name, self.unit.name, "project_agent", deadline):
            self.assertIn(fact, text)


@tagged("post_install", "-at_install", "csw_dates")
class TestDecorationPlan(CswFollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env["csw.callback.plan"].create(
            {
                "name": "家装回访计划",
                "line_ids": [(0, 0, {"name": "竣工回访", "milestone": "completion", "delay_days": 3})],
            }
        )
        cls.project.callback_plan_id = cls.plan

    def weekly(self, unit=None):
        unit = unit or self.unit
        return unit.callback_ids.filtered(lambda c: c.callback_type == "construction").sorted("plan_index")

    @freeze_time("2026-11-02 09:00:00")
    def test_decoration_works_are_called_back_every_week_until_completion(self):
        self.unit.write({"start_notice_date": date(2026, 11, 2), "decoration_completion_date": date(2027, 1, 11)})
        weekly = self.weekly()
        self.assertEqual(len(weekly), 9, "every week from the start notice, none on the completion day")
        self.assertEqual(
            [c.scheduled_date.date() for c in weekly], [date(2026, 11, 2) + timedelta(weeks=w) for w in range(1, 10)]
        )
        self.assertEqual(weekly.mapped("plan_index"), list(range(1, 10)))
        self.assertTrue(all(c.deadline == c.scheduled_date + timedelta(days=7) for c in weekly))
        self.assertEqual(set(weekly.mapped("user_id")), {self.callback_agent})
        # the works end earlier: the calls after the completion go, none is duplicated
        self.unit.decoration_completion_date = date(2026, 12, 10)
        self.assertEqual(
            [c.scheduled_date.date() for c in self.weekly()],
            [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7)],
        )
        # the start notice moves: the plan moves with it
        self.unit.start_notice_date = date(2026, 11, 4)
        self.assertEqual(
            [c.scheduled_date.date() for c in self.weekly()],
            [date(2026, 11, 11), date(2026, 11, 18), date(2026, 11, 25), date(2026, 12, 2), date(2026, 12, 9)],
        )
        with self.assertRaises(ValidationError):
            self.unit.decoration_completion_date = date(2026, 11, 1)

    @freeze_time("2026-11-02 09:00:00")
    def test_works_without_completion_notice_plan_half_a_year_of_weeks(self):
        self.unit.start_notice_date = date(2026, 11, 2)
        self.assertEqual(len(self.weekly()), 26)

    def test_weekly_plan_of_many_units_is_set_based(self):
        def plan(count, prefix):
            units = self.env["csw.unit"].create(
                [{"name": f"{prefix}-1-{n}", "project_id": self.project.id} for n in range(count)]
            )
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with freeze_time("2026-11-02 09:00:00"):
                units.write({"start_notice_date": date(2026, 11, 2), "decoration_completion_date": date(2027, 1, 11)})
            self.assertEqual(len(units.callback_ids.filtered(lambda c: c.callback_type == "construction")), 9 * count)
            return self.env.cr.sql_log_count - before

        plan(2, "A")  # warms the caches
        # one INSERT per batch of 100 callbacks, nothing per unit (the milestone and
        # periodic plans of the completion date are set-based too)
        self.assertLessEqual(plan(30, "C"), plan(5, "B") + 2 * 3)

    @freeze_time("2026-11-22 09:00:00")
    def test_periodic_plan_of_a_decoration_estate_counts_from_the_completion_notice(self):
        self.assertEqual(self.unit.handover_date, date(2020, 12, 1))
        self.unit.write({"start_notice_date": date(2026, 8, 1), "decoration_completion_date": date(2026, 11, 20)})
        periodic = self.unit.callback_ids.filtered(lambda c: c.callback_type == "periodic").sorted("plan_index")
        self.assertEqual(len(periodic), 16)
        self.assertEqual(
            [c.scheduled_date.date() for c in periodic],
            [date(2026, 11, 20) + relativedelta(months=m) for m in (*range(1, 13), 15, 18, 21, 24)],
        )
        self.assertFalse(self.weekly(), "the works are over: no weekly call left")
        # a handover of a decoration unit does not start the plan: the completion notice does
        self.unit.handover_date = date(2026, 11, 21)
        self.assertEqual(periodic[0].scheduled_date.date(), date(2026, 12, 20))

    @freeze_time("2026-11-22 09:00:00")
    def test_periodic_plan_of_an_estate_without_decoration_counts_from_handover(self):
        self.project.callback_plan_id = False
        self.unit.write({"handover_date": date(2026, 11, 10), "decoration_completion_date": date(2026, 11, 20)})
        periodic = self.unit.callback_ids.filtered(lambda c: c.callback_type == "periodic").sorted("plan_index")
        self.assertEqual(periodic[0].scheduled_date.date(), date(2026, 12, 10))
        # the estate becomes a decoration estate: its plan now counts from the completion notice
        self.project.callback_plan_id = self.plan
        self.assertEqual(periodic[0].scheduled_date.date(), date(2026, 12, 20))
        self.assertEqual(len(self.unit.callback_ids.filtered(lambda c: c.callback_type == "periodic")), 16)


@tagged("post_install", "-at_install", "csw_dates")
class TestRepairCallbackOrigin(CswFollowupCase):
    def order_created_at(self, created):
        order = self.order(notify_method="written", completion_note="已修复")
        self.env.cr.execute("UPDATE csw_repair_order SET create_date = %s WHERE id = %s", (created, order.id))
        order.invalidate_recordset(["create_date"])
        return order

    def complete(self, order, when):
        with freeze_time(when):
            order.action_notify()
            order.action_done()
        return order.callback_ids

    def test_repair_callback_counts_from_completion_by_default(self):
        self.assertEqual(self.company.csw_callback_repair_from, "done")
        order = self.order_created_at(datetime(2026, 11, 20, 8, 0))
        callback = self.complete(order, "2026-11-20 15:00:00")
        self.assertEqual(callback.deadline, datetime(2026, 11, 21, 15, 0))

    def test_repair_callback_counts_from_the_order_creation_when_the_company_says_so(self):
        self.company.csw_callback_repair_from = "created"
        order = self.order_created_at(datetime(2026, 11, 20, 8, 0))
        callback = self.complete(order, "2026-11-20 15:00:00")
        self.assertEqual(callback.scheduled_date, datetime(2026, 11, 20, 15, 0))
        self.assertEqual(callback.deadline, datetime(2026, 11, 21, 8, 0), "24 hours after the work order")
        # completed after those 24 hours: due at once
        late = self.order_created_at(datetime(2026, 11, 20, 8, 0))
        callback = self.complete(late, "2026-11-22 10:00:00")
        self.assertEqual(callback.deadline, datetime(2026, 11, 22, 10, 0))

    def test_settings_show_where_the_repair_callback_counts_from(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.csw_callback_repair_from, "done")
        settings.csw_callback_repair_from = "created"
        settings.execute()
        self.assertEqual(self.env.company.csw_callback_repair_from, "created")
