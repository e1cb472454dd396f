import subprocess
import tempfile
import unicodedata
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_portal import CswPortalCase
from .common_ticket import CswTicketCase

NOW = datetime(2030, 3, 12, 2, 0)


@tagged("post_install", "-at_install")
class TestIncident(CswTicketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subcontract.action_activate()
        owners = cls.env["res.partner"].create(
            [{"name": f"业主{n}", "email": f"owner{n}@example.com"} for n in range(8)]
        )
        # building 7: six units, building 8: two
        cls.units = cls.env["csw.unit"].create(
            [
                {"name": f"{7 if n < 6 else 8}-1-{n + 1}01", "project_id": cls.project.id, "owner_id": owner.id}
                for n, owner in enumerate(owners)
            ]
        )
        cls.building_7, cls.building_8 = cls.units[:6], cls.units[6:]
        cls.wall = cls.category("waterproofing_exterior_wall")
        cls.Incident = cls.env["csw.incident"]

    def incident(self, **values):
        return self.Incident.create(
            {
                "title": "7栋停水",
                "incident_type": "water_cut",
                "project_id": self.project.id,
                "building_scope": "7",
                "owner_notice": "<p>因市政管网抢修,7栋今日停水,预计20:00恢复。</p>",
                **values,
            }
        )

    def tickets_of(self, units, **values):
        return self.env["csw.ticket"].create(
            [
                {"name": f"停水咨询{unit.name}", "unit_id": unit.id, "ticket_type": "complaint", **values}
                for unit in units
            ]
        )

    # ------------------------------------------------------------------
    # Linking
    # ------------------------------------------------------------------
    def test_incident_proposes_the_open_tickets_of_its_buildings_and_links_them(self):
        in_scope = self.tickets_of(self.building_7[:3])
        outside = self.tickets_of(self.building_8)
        done = self.tickets_of(self.building_7[3:4])
        done.write({"resolution": "<p>已答复</p>"})
        done.action_resolve()
        incident = self.incident()
        self.assertNotEqual(incident.name, "/")
        self.assertEqual(incident.candidate_ticket_ids, in_scope)
        self.assertEqual((incident.unit_count, incident.owner_count), (6, 6))
        incident.action_link_candidates()
        self.assertEqual(incident.ticket_ids, in_scope)
        self.assertEqual(incident.ticket_count, 3)
        self.assertFalse(incident.candidate_ticket_ids)
        with self.assertRaises(ValidationError):
            outside[0].incident_id = incident

    def test_whole_estate_when_no_building_is_given(self):
        incident = self.incident(building_scope=False)
        self.assertEqual(incident.unit_count, len(self.env["csw.unit"].search([("project_id", "=", self.project.id)])))
        self.assertTrue(incident._covers(self.building_8[0]))
        self.incident(building_scope="7、8").action_open()
        self.assertEqual(self.incident(building_scope="7、8").unit_count, 8)

    def test_new_ticket_of_a_covered_unit_shows_the_incident_and_links_in_one_click(self):
        incident = self.incident()
        incident.action_open()
        ticket = self.tickets_of(self.building_7[:1])
        other = self.tickets_of(self.building_8[:1])
        self.assertEqual(ticket.covering_incident_id, incident)
        self.assertFalse(other.covering_incident_id)
        ticket.with_user(self.project_agent).action_link_covering_incident()
        self.assertEqual(ticket.incident_id, incident)
        self.assertFalse(ticket.covering_incident_id)
        with self.assertRaises(UserError):
            other.action_link_covering_incident()

    # ------------------------------------------------------------------
    # Notifying the owners
    # ------------------------------------------------------------------
    def test_notify_mails_exactly_the_owners_in_scope_once(self):
        incident = self.incident()
        with self.assertRaises(UserError):
            incident.action_notify_owners()  # still a draft
        incident.with_user(self.project_agent).action_open()
        incident.with_user(self.project_agent).action_notify_owners()
        self.assertTrue(incident.notified_date)
        message = incident.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.building_7.owner_id)
        self.assertEqual(
            message.notification_ids.filtered(lambda n: n.notification_type == "email").res_partner_id,
            self.building_7.owner_id,
        )
        self.assertIn("7栋今日停水", message.body)
        with self.assertRaises(UserError):
            incident.action_notify_owners()
        self.assertEqual(len(incident.message_ids.filtered(lambda m: m.message_type == "comment")), 1)

    def test_actions_on_no_incident_are_refused(self):
        Incident = self.Incident.with_user(self.manager)
        for action in (
            "action_open",
            "action_notify_owners",
            "action_link_candidates",
            "action_confirm",
            "action_resolve",
            "action_cancel",
        ):
            with self.subTest(action=action), self.assertRaises(UserError):
                getattr(Incident.browse(), action)()

    def test_scope_notice_and_resolution_freeze_as_the_incident_moves_on(self):
        incident = self.incident(resolution="<p>已恢复供水</p>")
        incident.building_scope = "7, 8"
        incident.building_scope = "7"
        tickets = self.tickets_of(self.building_7[:1])
        incident.action_link_candidates()
        incident.action_open()
        with self.assertRaises(UserError):
            incident.with_user(self.manager).building_scope = "8"
        incident.action_notify_owners()
        with self.assertRaises(UserError):
            incident.with_user(self.project_agent).owner_notice = "<p>改过的通知</p>"
        incident.with_user(self.manager).action_resolve()
        with self.assertRaises(UserError):
            incident.with_user(self.manager).resolution = "<p>改过的结果</p>"
        self.assertEqual((incident.building_scope, tickets.state), ("7", "resolved"))
        self.assertIn("7栋今日停水", incident.owner_notice)

    def test_notice_must_be_written_first(self):
        incident = self.incident(owner_notice=False)
        incident.action_open()
        with self.assertRaises(UserError):
            incident.action_notify_owners()
        self.assertFalse(incident.notified_date)

    # ------------------------------------------------------------------
    # Resolving
    # ------------------------------------------------------------------
    def test_resolve_resolves_every_open_ticket_and_plans_the_complaint_callbacks(self):
        complaints = self.tickets_of(self.building_7[:3])
        repair = self.tickets_of(self.building_7[3:4], ticket_type="repair")
        repair.write({"resolution": "<p>维修师傅已上门检查</p>"})
        incident = self.incident()
        incident.action_link_candidates()
        incident.action_open()
        incident.action_notify_owners()
        # agents write the resolution, a manager resolves
        incident.with_user(self.center_agent).write({"resolution": "<p>已恢复</p>"})
        with self.assertRaises(AccessError):
            incident.with_user(self.center_agent).action_resolve()
        self.assertEqual(set(complaints.mapped("state")), {"new"})
        incident.resolution = False
        with self.assertRaises(UserError):
            incident.with_user(self.manager).action_resolve()
        incident.resolution = "<p>供水已于19:30恢复。</p>"
        incident.with_user(self.manager).action_resolve()
        self.assertEqual(incident.state, "resolved")
        self.assertTrue(incident.resolved_date)
        self.assertEqual(set((complaints | repair).mapped("state")), {"resolved"})
        self.assertIn("19:30", complaints[0].resolution)
        # the agent's own note stays
        self.assertIn("维修师傅", repair.resolution)
        callbacks = self.env["csw.callback"].search([("ticket_id", "in", complaints.ids)])
        self.assertEqual(callbacks.ticket_id, complaints)
        self.assertEqual(set(callbacks.mapped("callback_type")), {"complaint"})
        last = incident.message_ids[0]
        self.assertEqual(last.partner_ids, self.building_7.owner_id)
        with self.assertRaises(UserError):
            incident.with_user(self.manager).action_resolve()
        with self.assertRaises(ValidationError):
            self.tickets_of(self.building_7[4:5]).incident_id = incident

    def test_protected_fields_and_roles(self):
        incident = self.incident()
        agent_incident = incident.with_user(self.project_agent)
        with self.assertRaises(AccessError):
            agent_incident.write({"state": "open"})
        with self.assertRaises(AccessError):
            self.Incident.with_user(self.project_agent).create(
                {"title": "x", "project_id": self.project.id, "state": "resolved"}
            )
        with self.assertRaises(AccessError):
            agent_incident.action_cancel()
        agent_incident.action_open()
        with self.assertRaises(AccessError):
            agent_incident.write({"notified_date": NOW})
        self.assertEqual(incident.state, "open")
        incident.with_user(self.manager).action_cancel()
        self.assertEqual(incident.state, "cancelled")
        with self.assertRaises(UserError):
            incident.with_user(self.manager).action_cancel()

    def test_access_by_company_and_estate(self):
        incident = self.incident()
        foreign = self.incident(project_id=self.foreign_project.id, building_scope=False)
        self.assertEqual(self.Incident.with_user(self.project_agent).search([]), incident)
        with self.assertRaises(AccessError):
            foreign.with_user(self.project_agent).read(["title"])
        self.assertEqual(self.Incident.with_user(self.center_agent).search([]), incident | foreign)
        self.assertFalse(self.Incident.with_user(self.other_manager).search([]))
        with self.assertRaises(AccessError):
            incident.with_user(self.other_manager).read(["title"])

    # ------------------------------------------------------------------
    # Batch defects
    # ------------------------------------------------------------------
    def wall_tickets(self, units, received):
        with freeze_time(received):
            return self.env["csw.ticket"].create(
                [
                    {
                        "name": f"外墙渗水{unit.name}",
                        "unit_id": unit.id,
                        "category_id": self.wall.id,
                        "location": "客厅外墙",
                        "received_date": received,
                    }
                    for unit in units
                ]
            )

    def batch_incidents(self):
        return self.Incident.search([("incident_type", "=", "batch_defect"), ("project_id", "=", self.project.id)])

    def test_batch_defect_is_proposed_exactly_at_the_threshold_and_once(self):
        self.assertEqual(self.company.csw_batch_defect_threshold, 5)
        four = self.wall_tickets(self.building_7[:4], NOW)
        # a second report of a unit already counted is not a fifth unit
        self.wall_tickets(self.building_7[:1], NOW)
        # nor is a unit of another building
        self.wall_tickets(self.building_8[:1], NOW)
        self.assertFalse(self.batch_incidents())
        fifth = self.wall_tickets(self.building_7[4:5], NOW)
        incident = self.batch_incidents()
        self.assertEqual(len(incident), 1)
        self.assertEqual(incident.state, "proposed")
        self.assertEqual((incident.building_scope, incident.category_id), ("7", self.wall))
        self.assertEqual(incident.subcontract_id, self.subcontract)
        self.assertEqual(len(incident.ticket_ids), 6)
        self.assertLessEqual(four | fifth, incident.ticket_ids)
        activity = incident.activity_ids
        self.assertEqual(activity.user_id, self.manager)
        sixth = self.wall_tickets(self.building_7[5:6], NOW)
        self.assertEqual(self.batch_incidents(), incident)
        self.assertEqual(sixth.incident_id, incident)

    def test_batch_defect_window_edge(self):
        window = timedelta(days=self.company.csw_batch_defect_window_days)
        self.wall_tickets(self.building_7[:1], NOW - window - timedelta(minutes=1))
        self.wall_tickets(self.building_7[1:4], NOW - timedelta(days=3))
        with freeze_time(NOW):
            self.wall_tickets(self.building_7[4:5], NOW)
            self.assertFalse(self.batch_incidents())
            # received exactly a window ago: still within it
            self.wall_tickets(self.building_7[5:6], NOW - window)
            self.assertEqual(len(self.batch_incidents()), 1)

    def test_confirm_sends_the_rectification_notice_to_the_team(self):
        self.wall_tickets(self.building_7[:5], NOW)
        incident = self.batch_incidents()
        with self.assertRaises(AccessError):
            incident.with_user(self.center_agent).action_confirm()
        self.team.email = "shunan@example.com"
        # the real PDF engine, not the HTML the tests get by default
        incident.with_user(self.manager).with_context(force_report_rendering=True).action_confirm()
        self.assertEqual(incident.state, "open")
        self.assertTrue(incident.notice_sent_date)
        notice = incident.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(notice.partner_ids, self.team)
        self.assertEqual(notice.attachment_ids.mimetype, "application/pdf")
        with self.assertRaises(UserError):
            incident.with_user(self.manager).action_confirm()

    def test_confirm_needs_a_responsible_team(self):
        self.wall_tickets(self.building_7[:5], NOW)
        incident = self.batch_incidents()
        incident.subcontract_id = False
        with self.assertRaises(UserError):
            incident.with_user(self.manager).action_confirm()
        self.assertEqual(incident.state, "proposed")

    def test_threshold_zero_turns_detection_off(self):
        self.company.csw_batch_defect_threshold = 0
        self.wall_tickets(self.building_7, NOW)
        self.assertFalse(self.batch_incidents())
        with self.assertRaises(ValidationError):
            self.company.csw_batch_defect_window_days = 0

    def test_rectification_notice_renders_as_pdf(self):
        self.wall_tickets(self.building_7[:5], NOW)
        incident = self.batch_incidents()
        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("customer_service_warranty.action_report_rectification_notice", incident.ids)
        )
        self.assertEqual(report_type, "pdf")
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            text = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, check=True).stdout.decode()
        text = unicodedata.normalize("NFKC", text)
        for fact in (
            incident.name,
            self.team.name,
            self.subcontract.name,
            self.project.name,
            *self.building_7[:5].mapped("name"),
        ):
            self.assertIn(fact, text)

    # ------------------------------------------------------------------
    # Query counts
    # ------------------------------------------------------------------
    def test_resolve_and_detection_take_as_many_queries_for_few_and_many_tickets(self):
        counts = {"detect": [], "resolve": []}
        owners = self.env["res.partner"].create([{"name": f"住户{n}"} for n in range(30)])
        # a first run warms the caches
        for size, building in ((5, "30"), (5, "31"), (30, "32")):
            units = self.env["csw.unit"].create(
                [
                    {"name": f"{building}-1-{n + 1:02d}01", "project_id": self.project.id, "owner_id": owners[n].id}
                    for n in range(size)
                ]
            )
            values = [
                {"name": f"外墙渗水{unit.name}", "unit_id": unit.id, "category_id": self.wall.id, "received_date": NOW}
                for unit in units
            ]
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time(NOW):
                before = self.cr.sql_log_count
                tickets = self.env["csw.ticket"].create(values)
                self.env.flush_all()
                counts["detect"].append(self.cr.sql_log_count - before)
            # each size proposes one batch defect holding all its tickets
            incident = tickets.incident_id
            self.assertEqual(len(incident), 1)
            self.assertEqual(incident.ticket_ids, tickets)
            incident.resolution = "<p>外墙已重新打胶防水</p>"
            incident.with_user(self.manager).with_context(force_report_rendering=False).action_confirm()
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            incident.with_user(self.manager).action_resolve()
            self.env.flush_all()
            counts["resolve"].append(self.cr.sql_log_count - before)
            self.assertEqual(set(tickets.mapped("state")), {"resolved"})
        self.assertEqual(counts["detect"][1], counts["detect"][2], counts)
        self.assertEqual(counts["resolve"][1], counts["resolve"][2], counts)


@tagged("post_install", "-at_install")
class TestIncidentPortal(CswPortalCase):
    def test_portal_banner_shows_the_notice_to_owners_in_scope_until_resolved(self):
        self.other_owner.email = "wu.lihua@example.com"
        incident = self.env["csw.incident"].create(
            {
                "title": "3栋停电",
                "incident_type": "power_cut",
                "project_id": self.project.id,
                "building_scope": "3",
                "owner_notice": "<p>3栋配电房检修,今日14:00至16:00停电。</p>",
                "resolution": "<p>已恢复供电。</p>",
            }
        )
        incident.action_open()
        self.authenticate("owner_zhou", "owner_zhou")
        self.assertNotIn("配电房检修", self.url_open("/my/home").text)  # not notified yet
        incident.action_notify_owners()
        self.assertIn("配电房检修", self.url_open("/my/home").text)
        self.assertIn("配电房检修", self.url_open("/my/tickets").text)
        self.authenticate("owner_wu", "owner_wu")
        self.assertNotIn("配电房检修", self.url_open("/my/home").text)
        with self.assertRaises(AccessError):
            self.env["csw.incident"].with_user(self.owner_user).search([])
        with self.assertRaises(AccessError):
            incident.with_user(self.owner_user).read(["owner_notice"])
        with self.assertRaises(AccessError):
            incident.with_user(self.team_user).read(["title"])
        incident.action_resolve()
        self.authenticate("owner_zhou", "owner_zhou")
        self.assertNotIn("配电房检修", self.url_open("/my/home").text)
