from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CENTER_AGENT, PROJECT_AGENT
from .common_ticket import CswTicketCase


@tagged("post_install", "-at_install", "csw_dates")
class TestTicket(CswTicketCase):
    def test_phone_call_in_a_few_keystrokes(self):
        with Form(self.env["csw.ticket"].with_user(self.project_agent)) as form:
            form.unit_id = self.unit
            self.assertEqual(form.partner_id, self.owner)
            self.assertEqual(form.project_id, self.project)
            self.assertEqual(form.partner_phone, "13800138000")
            form.name = "厨房插座不通电"
        ticket = form.save()
        self.assertEqual(ticket.channel, "phone")
        self.assertEqual(ticket.ticket_type, "repair")
        self.assertEqual(ticket.user_id, self.center_agent, "the estate's CS lead")
        self.assertEqual(ticket.state, "new")

    def test_owner_found_by_phone_through_the_unit(self):
        found = self.env["csw.unit"].with_user(self.project_agent).name_search("13800138000")
        self.assertEqual([unit_id for unit_id, _name in found], self.unit.ids)
        ticket = self.ticket()
        self.assertEqual(self.env["csw.ticket"].search([("partner_phone", "ilike", "138001")]), ticket)

    def test_numbers_per_company_restart_every_month(self):
        with freeze_time("2026-11-03"):
            first, second = self.ticket(), self.ticket()
        self.assertEqual(first.number, "KF2026110001")
        self.assertEqual(second.number, "KF2026110002")
        with freeze_time("2026-12-01"):
            december = self.ticket()
        self.assertEqual(december.number, "KF2026120001")
        with freeze_time("2026-11-20"):
            other = self.env["csw.ticket"].create(
                {"name": "咨询", "ticket_type": "consultation", "company_id": self.other_company.id}
            )
        self.assertEqual(other.number, "KF2026110001")

    def test_one_batch_numbers_each_month_and_company_in_order(self):
        # an import: tickets received in two months and for two companies, created at once
        with freeze_time("2026-12-05"):
            self.ticket()
            tickets = self.env["csw.ticket"].create(
                [
                    {"name": "渗水", "unit_id": self.unit.id, "received_date": self.shanghai(2026, 11, day, 10, 0)}
                    for day in (2, 3)
                ]
                + [{"name": "咨询", "ticket_type": "consultation", "company_id": self.other_company.id}]
                + [{"name": "渗水", "unit_id": self.unit.id}]
            )
        self.assertEqual(tickets.mapped("number"), ["KF2026110001", "KF2026110002", "KF2026120001", "KF2026120002"])

    def test_key_account_unit_goes_to_its_dedicated_person(self):
        self.unit.write({"key_account": True, "key_account_user_id": self.project_agent.id})
        self.assertEqual(self.ticket().user_id, self.project_agent)

    def test_balanced_assignment_picks_the_member_with_fewest_open_tickets(self):
        second_agent = self.project_agent.copy({"login": "second_agent"})
        self.project.write({"ticket_assignment": "balanced", "member_ids": [(4, second_agent.id)]})
        busy = self.ticket(user_id=self.project_agent.id)
        tickets = self.env["csw.ticket"].create([{"name": f"报修{n}", "unit_id": self.unit.id} for n in range(3)])
        self.assertEqual(tickets.mapped("user_id"), second_agent | self.project_agent)
        load = {
            user: len((tickets | busy).filtered(lambda t, u=user: t.user_id == u))
            for user in (second_agent, self.project_agent)
        }
        self.assertEqual(load, {second_agent: 2, self.project_agent: 2})

    def test_repair_without_unit_cannot_leave_new(self):
        ticket = self.env["csw.ticket"].create({"name": "报修", "ticket_type": "repair"})
        with self.assertRaises(ValidationError) as err:
            ticket.action_start()
        self.assertIn("unit", str(err.exception))
        self.assertEqual(ticket.state, "new")
        self.assertFalse(ticket.first_response_date, "nothing half-written")
        consultation = self.env["csw.ticket"].create({"name": "咨询物业费", "ticket_type": "consultation"})
        consultation.action_start()
        self.assertEqual(consultation.state, "in_progress")

    def test_resolving_and_closing_need_a_resolution_note(self):
        ticket = self.ticket()
        ticket.action_start()
        with self.assertRaises(ValidationError):
            ticket.action_resolve()
        self.assertEqual(ticket.state, "in_progress")
        self.assertFalse(ticket.resolved_date)
        ticket.resolution = "<p>已更换防水层,闭水试验48小时合格</p>"
        ticket.action_resolve()
        ticket.action_close()
        self.assertEqual(ticket.state, "closed")
        self.assertTrue(ticket.closed_date)

    def test_wrong_transitions_are_refused(self):
        ticket = self.ticket()
        with self.assertRaises(UserError) as err:
            ticket.action_close()
        self.assertIn(ticket.number, str(err.exception))
        with self.assertRaises(UserError):
            ticket.action_resume()
        ticket.action_cancel()
        with self.assertRaises(UserError):
            ticket.action_start()

    def test_reopening_clears_the_resolution_dates(self):
        ticket = self.ticket(resolution="<p>已处理</p>")
        ticket.action_start()
        ticket.action_resolve()
        ticket.action_reopen()
        self.assertEqual(ticket.state, "in_progress")
        self.assertFalse(ticket.resolved_date)

    def test_customer_archive_on_the_owner(self):
        self.ticket(ticket_type="complaint")
        self.ticket(ticket_type="repair")
        self.assertEqual(self.owner.csw_ticket_count, 2)
        self.assertEqual(self.owner.csw_complaint_count, 1)
        self.assertEqual(self.owner.csw_unit_count, 1)
        action = self.owner.action_csw_view_complaints()
        self.assertEqual(len(self.env["csw.ticket"].search(action["domain"])), 1)
        self.assertEqual(self.project.open_ticket_count, 2)


@tagged("post_install", "-at_install", "csw_dates")
class TestTicketAccess(CswTicketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own_ticket = cls.env["csw.ticket"].create({"name": "本项目报修", "unit_id": cls.unit.id})
        cls.foreign_ticket = cls.env["csw.ticket"].create({"name": "其他项目报修", "unit_id": cls.foreign_unit.id})
        cls.loose_ticket = cls.env["csw.ticket"].create({"name": "来电咨询", "ticket_type": "consultation"})
        cls.other_company_ticket = cls.env["csw.ticket"].create(
            {"name": "海岸投诉", "ticket_type": "complaint", "company_id": cls.other_company.id}
        )

    def test_project_agent_sees_tickets_of_their_estates(self):
        visible = self.env["csw.ticket"].with_user(self.project_agent).search([])
        self.assertEqual(visible, self.own_ticket | self.loose_ticket)
        with self.assertRaises(AccessError):
            self.foreign_ticket.with_user(self.project_agent).read(["name"])
        self.foreign_ticket.user_id = self.project_agent
        self.assertIn(self.foreign_ticket, self.env["csw.ticket"].with_user(self.project_agent).search([]))

    def test_agents_work_tickets_but_do_not_delete_them(self):
        for user in (self.project_agent, self.center_agent):
            ticket = self.env["csw.ticket"].with_user(user).create({"name": "来访", "unit_id": self.unit.id})
            ticket.action_start()
            with self.assertRaises(AccessError):
                ticket.unlink()
        self.own_ticket.with_user(self.manager).unlink()

    def test_center_agent_sees_every_estate_and_companies_stay_apart(self):
        visible = self.env["csw.ticket"].with_user(self.center_agent).search([])
        self.assertEqual(visible, self.own_ticket | self.foreign_ticket | self.loose_ticket)
        self.assertEqual(self.env["csw.ticket"].with_user(self.other_manager).search([]), self.other_company_ticket)

    def test_only_managers_configure_sla_policies(self):
        policy = self.env.ref("customer_service_warranty.sla_policy_complaint")
        with self.assertRaises(AccessError):
            policy.with_user(self.center_agent).write({"response_hours": 48})
        policy.with_user(self.manager).write({"response_hours": 12})

    def test_agents_see_only_their_own_assessments(self):
        Assessment = self.env["csw.assessment"]
        mine = Assessment.create({"user_id": self.project_agent.id, "reason": "praise", "points": 5})
        Assessment.create({"user_id": self.center_agent.id, "reason": "service_failure", "amount": 50})
        self.assertEqual(Assessment.with_user(self.project_agent).search([]), mine)
        self.assertEqual(len(Assessment.with_user(self.manager).search([])), 2)
        with self.assertRaises(AccessError):
            Assessment.with_user(self.center_agent).create({"user_id": self.center_agent.id, "reason": "praise"})

    def test_access_rights_matrix(self):
        matrix = {
            "csw.ticket": {PROJECT_AGENT: "rwc", CENTER_AGENT: "rwc"},
            "csw.sla.policy": {PROJECT_AGENT: "r", CENTER_AGENT: "r"},
            "csw.assessment": {PROJECT_AGENT: "r", CENTER_AGENT: "r"},
        }
        users = {PROJECT_AGENT: self.project_agent, CENTER_AGENT: self.center_agent}
        for model, per_group in matrix.items():
            for group, allowed in per_group.items():
                for letter, operation in (("r", "read"), ("w", "write"), ("c", "create"), ("u", "unlink")):
                    with self.subTest(model=model, group=group, operation=operation):
                        self.assertEqual(
                            self.env[model].with_user(users[group]).has_access(operation), letter in allowed
                        )
            self.assertTrue(
                all(
                    self.env[model].with_user(self.manager).has_access(op)
                    for op in ("read", "write", "create", "unlink")
                )
            )
