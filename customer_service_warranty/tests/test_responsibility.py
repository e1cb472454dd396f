from datetime import date, timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common_ticket import CswTicketCase


@tagged("post_install", "-at_install", "csw_dates")
class TestResponsibility(CswTicketCase):
    """Seed 002: penalties go to who caused the complaint (责任人), not to the agent who took the call."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the project manager of the estate's decoration works: an employee, not a CS agent
        cls.site_manager = new_test_user(
            cls.env,
            login="site_manager",
            name="陈建国",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.Assessment = cls.env["csw.assessment"]

    def complaint(self, **values):
        return self.env["csw.ticket"].create(
            {
                "name": "维修拖延,业主投诉到总经理",
                "ticket_type": "complaint",
                "unit_id": self.unit.id,
                "user_id": self.project_agent.id,
                **values,
            }
        )

    def complaint_assessments(self, ticket):
        return ticket.assessment_ids.filtered(lambda a: a.reason in ("complaint_gm", "complaint_leadership"))

    # ------------------------------------------------------------------
    # Complaints to the general manager and the leadership
    # ------------------------------------------------------------------
    def test_justified_gm_complaint_at_intake_assesses_the_responsible_person_not_the_agent(self):
        ticket = self.complaint(
            complained_to="general_manager",
            responsible_user_id=self.site_manager.id,
            root_cause="水电改造未按约定时间进场",
            is_justified=True,
        )
        assessment = self.complaint_assessments(ticket)
        self.assertEqual(
            (assessment.reason, assessment.user_id, assessment.amount, assessment.points),
            ("complaint_gm", self.site_manager, 200, -10),
        )
        self.assertFalse(self.Assessment.search([("user_id", "=", self.project_agent.id)]), "never the agent")
        self.assertIn(self.site_manager.name, ticket.message_ids[0].body, "the note names who was assessed")

    def test_gm_complaint_confirmed_later_is_assessed_once(self):
        ticket = self.complaint(complained_to="general_manager", responsible_user_id=self.site_manager.id)
        self.assertFalse(ticket.assessment_ids, "not before it is verified")
        ticket.with_user(self.project_agent).action_confirm_justified()
        self.assertTrue(ticket.is_justified)
        self.assertEqual(self.complaint_assessments(ticket).user_id, self.site_manager)
        with self.assertRaises(UserError) as err:
            ticket.with_user(self.project_agent).action_confirm_justified()
        self.assertIn("already confirmed", str(err.exception))
        ticket._apply_justification()
        # the SLA ladder up to the general manager adds a late response, never a second ¥200
        for days in (2, 3, 4, 5):
            with freeze_time(ticket.received_date + timedelta(days=days)):
                self.env["csw.ticket"]._cron_escalate()
        self.assertEqual(ticket.escalation_level, 3)
        self.assertEqual(len(self.complaint_assessments(ticket)), 1)
        self.assertEqual(
            sorted(ticket.assessment_ids.mapped(lambda a: (a.reason, a.user_id.login))),
            [("complaint_gm", "site_manager"), ("overdue_response", "project_agent")],
        )

    def test_justified_complaint_without_a_responsible_person_is_refused(self):
        ticket = self.complaint(complained_to="general_manager")
        with self.assertRaises(UserError) as err:
            ticket.with_user(self.project_agent).action_confirm_justified()
        self.assertIn("name who caused it", str(err.exception))
        self.assertFalse(ticket.is_justified)
        with self.assertRaises(UserError):
            self.complaint(complained_to="general_manager", is_justified=True)
        self.assertFalse(
            self.Assessment.search([("reason", "=", "complaint_gm"), ("company_id", "=", self.company.id)])
        )

    def test_a_team_at_fault_is_recorded_without_staff_assessment(self):
        ticket = self.complaint(complained_to="general_manager", responsible_partner_id=self.team.id)
        ticket.action_confirm_justified()
        self.assertFalse(ticket.assessment_ids)
        self.assertIn("the team's contract", ticket.message_ids[0].body)
        self.assertIn(self.team.name, ticket.message_ids[0].body)

    def test_leadership_complaint_penalty_follows_the_severity(self):
        self.company.csw_assessment_leadership_serious_amount = 280
        amounts = {}
        for severity in ("minor", "moderate", "serious"):
            ticket = self.complaint(
                complained_to="leadership",
                complaint_severity=severity,
                responsible_user_id=self.site_manager.id,
                is_justified=True,
            )
            assessment = self.complaint_assessments(ticket)
            self.assertEqual((assessment.reason, assessment.user_id), ("complaint_leadership", self.site_manager))
            amounts[severity] = assessment.amount
        self.assertEqual(amounts, {"minor": 100, "moderate": 200, "serious": 280})
        ticket = self.complaint(complained_to="leadership", responsible_user_id=self.site_manager.id)
        with self.assertRaises(UserError) as err:
            ticket.action_confirm_justified()
        self.assertIn("severity", str(err.exception))

    def test_a_complaint_to_the_service_desk_is_justified_without_penalty(self):
        ticket = self.complaint(responsible_user_id=self.site_manager.id, is_justified=True)
        self.assertTrue(ticket.is_justified)
        self.assertFalse(ticket.assessment_ids)

    def test_only_complaints_and_follow_ups_are_confirmed(self):
        ticket = self.complaint(ticket_type="suggestion", responsible_user_id=self.site_manager.id)
        with self.assertRaises(UserError):
            ticket.action_confirm_justified()

    # ------------------------------------------------------------------
    # Rules in the model (an external API client)
    # ------------------------------------------------------------------
    def test_agents_cannot_write_the_justified_flag(self):
        ticket = self.complaint(complained_to="general_manager", responsible_user_id=self.site_manager.id)
        with self.assertRaises(AccessError):
            ticket.with_user(self.project_agent).write({"is_justified": True})
        self.assertFalse(ticket.is_justified)
        self.assertFalse(ticket.assessment_ids)

    def test_an_assessed_complaint_changes_only_after_a_manager_rejects_it(self):
        ticket = self.complaint(complained_to="general_manager", responsible_user_id=self.site_manager.id)
        ticket.with_user(self.project_agent).action_confirm_justified()
        as_agent = ticket.with_user(self.project_agent)
        for values in (
            {"responsible_user_id": self.center_agent.id},
            {"complained_to": "none"},
            {"ticket_type": "consultation"},
        ):
            with self.assertRaises(UserError) as err:
                as_agent.write(values)
            self.assertIn("confirmed as justified", str(err.exception))
        as_agent.write({"responsible_user_id": self.site_manager.id, "root_cause": "材料未按期到场"})
        with self.assertRaises(UserError) as err:
            as_agent.action_reject_complaint()
        self.assertIn("only a CS manager", str(err.exception))
        self.assertTrue(ticket.is_justified)
        self.assertEqual(len(self.complaint_assessments(ticket)), 1)
        # the manager withdraws the penalty with the complaint; the agent then corrects and confirms
        ticket.with_user(self.manager).action_reject_complaint()
        self.assertFalse(ticket.is_justified)
        self.assertFalse(ticket.assessment_ids)
        self.assertIn("withdrawn", ticket.message_ids[0].body)
        as_agent.write({"responsible_user_id": self.center_agent.id})
        as_agent.action_confirm_justified()
        self.assertEqual(self.complaint_assessments(ticket).user_id, self.center_agent)
        with self.assertRaises(UserError):
            self.complaint().action_reject_complaint()

    # ------------------------------------------------------------------
    # Service failures
    # ------------------------------------------------------------------
    def _dissatisfied_complaint_callback(self, ticket):
        ticket.write({"resolution": "<p>已协调施工队返工</p>"})
        ticket.action_resolve()
        callback = ticket.callback_ids
        self.assertEqual(callback.callback_type, "complaint")
        callback.write({"result": "reached", "satisfaction": "1", "comment": "返工后仍然渗水"})
        callback.with_user(self.project_agent).action_done()
        return callback

    def test_service_failure_of_a_justified_complaint_goes_to_its_responsible_person(self):
        ticket = self.complaint(responsible_user_id=self.site_manager.id, is_justified=True)
        callback = self._dissatisfied_complaint_callback(ticket)
        failure = self.Assessment.search([("callback_id", "=", callback.id)])
        self.assertEqual((failure.reason, failure.user_id), ("service_failure", self.site_manager))
        self.assertIn(self.site_manager.name, callback.message_ids[0].body)

    def test_service_failure_without_a_justified_complaint_stays_on_the_agent_and_says_so(self):
        ticket = self.complaint(responsible_user_id=self.site_manager.id)
        callback = self._dissatisfied_complaint_callback(ticket)
        failure = self.Assessment.search([("callback_id", "=", callback.id)])
        self.assertEqual((failure.reason, failure.user_id), ("service_failure", self.project_agent))
        self.assertIn(self.project_agent.name, callback.message_ids[0].body)

    # ------------------------------------------------------------------
    # Fifth strike (累计达五次)
    # ------------------------------------------------------------------
    def failures(self, day, count, user=None, reason="overdue_callback"):
        return self.Assessment.create(
            [
                {
                    "user_id": (user or self.project_agent).id,
                    "reason": reason,
                    "date": day,
                    "company_id": self.company.id,
                }
                for _n in range(count)
            ]
        )

    def strike_activities(self):
        # this company's only (the demo has a strike of its own)
        assessments = self.Assessment.search([("company_id", "=", self.company.id)])
        return self.env["mail.activity"].search(
            [("res_model", "=", "csw.assessment"), ("res_id", "in", assessments.ids)]
        )

    def test_fifth_failure_of_the_month_alerts_the_cs_manager_once(self):
        first = self.failures(date(2026, 11, 3), 3)
        first |= self.failures(date(2026, 11, 10), 1, reason="service_failure")
        self.failures(date(2026, 11, 12), 1, user=self.center_agent)
        self.failures(date(2026, 11, 12), 2, reason="praise")  # not failures
        self.assertFalse(self.strike_activities())
        fifth = self.failures(date(2026, 11, 20), 1, reason="overdue_response")
        self.assertTrue(fifth.is_strike)
        self.assertEqual(fifth.strike_count, 1)
        self.assertFalse(first.filtered("is_strike"))
        activity = self.strike_activities()
        self.assertEqual((activity.user_id, activity.res_id), (self.manager, fifth.id))
        self.assertIn(self.project_agent.name, activity.summary)
        self.assertIn("5", activity.summary)
        sixth = self.failures(date(2026, 11, 21), 2)
        self.assertFalse(sixth.filtered("is_strike"), "once a month")
        self.assertEqual(len(self.strike_activities()), 1)

    def test_failures_across_the_month_end_are_no_strike(self):
        with freeze_time("2026-02-01 10:00:00"):
            self.failures(date(2026, 1, 31), 4)
            february = self.failures(date(2026, 2, 1), 1)
        self.assertFalse(february.is_strike)
        self.assertFalse(self.strike_activities())
        # the fifth of February is, counted in one batch
        batch = self.failures(date(2026, 2, 2), 4)
        self.assertEqual(batch.filtered("is_strike"), batch.sorted("id")[3])

    def test_the_strike_count_is_a_setting(self):
        self.company.csw_assessment_strike_count = 2
        pair = self.failures(date(2026, 11, 3), 2, reason="service_failure")
        self.assertTrue(pair[1].is_strike)
        self.company.csw_assessment_strike_count = 0
        self.assertFalse(self.failures(date(2026, 12, 3), 5).filtered("is_strike"), "0: no alert")

    def test_assessing_a_batch_costs_the_same_queries_for_10_or_50_records(self):
        Ticket = self.env["csw.ticket"]
        counts = []
        for size in (10, 50):
            # each batch is the failures of a new agent: both reach the strike count once
            agent = self.project_agent.copy({"login": f"agent_{size}", "name": f"客服{size}"})
            tickets = Ticket.create(
                [
                    {"name": f"投诉{n}", "ticket_type": "complaint", "unit_id": self.unit.id, "user_id": agent.id}
                    for n in range(size)
                ]
            )
            self.env.invalidate_all()
            with self.assertQueryCount(40):
                before = self.cr.sql_log_count
                assessments = self.Assessment._assess("overdue_response", tickets, lambda t: t.user_id, "ticket_id")
                counts.append(self.cr.sql_log_count - before)
            self.assertEqual(len(assessments.filtered("is_strike")), 1)
        self.assertEqual(counts[0], counts[1])

    # ------------------------------------------------------------------
    # Praise (点名表扬)
    # ------------------------------------------------------------------
    def test_a_resolved_praise_ticket_rewards_the_praised_person_once(self):
        ticket = self.env["csw.ticket"].create(
            {
                "name": "表扬陈经理工地管理认真负责",
                "ticket_type": "praise",
                "unit_id": self.unit.id,
                "user_id": self.project_agent.id,
                "praised_user_id": self.site_manager.id,
                "resolution": "<p>已转达并上报公司</p>",
            }
        )
        self.assertFalse(ticket.assessment_ids, "rewarded when resolved")
        as_agent = ticket.with_user(self.project_agent)
        as_agent.action_resolve()
        reward = ticket.assessment_ids
        self.assertEqual((reward.reason, reward.user_id, reward.points), ("praise", self.site_manager, 5))
        as_agent.action_reopen()
        as_agent.action_resolve()
        self.assertEqual(len(ticket.assessment_ids), 1)
        with self.assertRaises(UserError):
            as_agent.write({"praised_user_id": self.center_agent.id})

    def test_a_callback_marked_as_praise_rewards_the_praised_person(self):
        ticket = self.complaint(responsible_user_id=self.site_manager.id)
        ticket.write({"resolution": "<p>已更换窗框密封条</p>"})
        ticket.action_resolve()
        callback = ticket.callback_ids.with_user(self.project_agent)
        with self.assertRaises(ValidationError):
            callback.write({"is_praise": True})
        callback.write(
            {
                "result": "reached",
                "satisfaction": "5",
                "comment": "陈经理处理很及时,点名表扬",
                "is_praise": True,
                "praised_user_id": self.site_manager.id,
            }
        )
        callback.action_done()
        reward = self.Assessment.search([("callback_id", "=", callback.id)])
        self.assertEqual((reward.reason, reward.user_id), ("praise", self.site_manager))
        with self.assertRaises(UserError):
            callback.write({"praised_user_id": self.center_agent.id})

    def test_settings_show_the_responsibility_amounts(self):
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        self.assertEqual(
            (
                settings.csw_assessment_leadership_amount,
                settings.csw_assessment_leadership_moderate_amount,
                settings.csw_assessment_leadership_serious_amount,
                settings.csw_assessment_strike_count,
            ),
            (100, 200, 300, 5),
        )

    def test_a_manager_cannot_write_a_strike_nor_a_negative_amount(self):
        assessment = (
            self.env["csw.assessment"]
            .with_user(self.manager)
            .create({"user_id": self.site_manager.id, "reason": "service_failure"})
        )
        for values in ({"is_strike": True}, {"strike_count": 3}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                assessment.write(values)
        self.assertFalse(assessment.is_strike)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            assessment.with_user(self.manager).write({"amount": -50})
            assessment.flush_recordset()
