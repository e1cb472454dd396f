from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import CswCase


@tagged("post_install", "-at_install")
class TestScripts(CswCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Script = cls.env["csw.script"]
        # the shipped scripts are data a company may change: the tests write their own
        Script.search([]).action_archive()
        cls.periodic_script = Script.create(
            {"name": "Periodic", "kind": "callback", "callback_type": "periodic", "body": "<p>入住后例行回访</p>"}
        )
        cls.repair_script = Script.create(
            {"name": "Repair", "kind": "callback", "callback_type": "repair", "body": "<p>维修完成回访</p>"}
        )
        cls.complaint_reply = Script.create(
            {"name": "Complaint", "kind": "reply", "ticket_type": "complaint", "body": "<p>非常抱歉</p>"}
        )
        cls.repair_reply = Script.create(
            {"name": "Repair", "kind": "reply", "ticket_type": "repair", "body": "<p>已登记报修</p>"}
        )

    def callback(self, callback_type, unit=None):
        return self.env["csw.callback"].create(
            {
                "unit_id": (unit or self.unit).id,
                "callback_type": callback_type,
                "scheduled_date": fields.Datetime.now() + timedelta(days=1),
                "deadline": fields.Datetime.now() + timedelta(days=8),
            }
        )

    def test_the_callback_shows_the_script_of_its_type(self):
        periodic, repair, care = self.callback("periodic"), self.callback("repair"), self.callback("care")
        self.assertIn("入住后例行回访", periodic.script_html)
        self.assertIn("维修完成回访", repair.script_html)
        self.assertFalse(care.script_html, "no script for holiday care callbacks")
        # the agent on the call reads it
        self.assertIn("维修完成回访", repair.with_user(self.project_agent).script_html)

    def test_a_company_script_wins_over_the_shared_one(self):
        Script = self.env["csw.script"]
        own = Script.create(
            {
                "name": "Our periodic",
                "kind": "callback",
                "callback_type": "periodic",
                "company_id": self.company.id,
                "sequence": 99,
                "body": "<p>云山置业例行回访</p>",
            }
        )
        other_unit = self.env["csw.unit"].create({"name": "1-1-1", "project_id": self.other_company_project.id})
        mine, theirs = self.callback("periodic"), self.callback("periodic", other_unit)
        (mine | theirs).invalidate_recordset(["script_html"])
        self.assertIn("云山置业例行回访", mine.script_html, "the company's own script, though later by sequence")
        self.assertIn("入住后例行回访", theirs.script_html, "another company keeps the shared script")
        # among a company's scripts, the first by sequence
        Script.create(
            {
                "name": "First",
                "kind": "callback",
                "callback_type": "periodic",
                "company_id": self.company.id,
                "sequence": 1,
                "body": "<p>优先话术</p>",
            }
        )
        mine.invalidate_recordset(["script_html"])
        self.assertIn("优先话术", mine.script_html)
        # an archived script is not shown
        (own | Script.search([("name", "=", "First")])).action_archive()
        mine.invalidate_recordset(["script_html"])
        self.assertIn("入住后例行回访", mine.script_html)

    def test_the_ticket_shows_the_standard_reply_of_its_type(self):
        Ticket = self.env["csw.ticket"]
        complaint = Ticket.create({"name": "物业态度差", "ticket_type": "complaint", "unit_id": self.unit.id})
        repair = Ticket.create({"name": "卫生间渗水", "ticket_type": "repair", "unit_id": self.unit.id})
        praise = Ticket.create({"name": "表扬维修师傅", "ticket_type": "praise", "unit_id": self.unit.id})
        self.assertIn("非常抱歉", complaint.reply_html)
        self.assertIn("已登记报修", repair.reply_html)
        self.assertFalse(praise.reply_html)
        complaint.ticket_type = "repair"
        self.assertIn("已登记报修", complaint.reply_html, "follows the type")

    def test_a_reply_needs_a_ticket_type_and_a_script_a_callback_type(self):
        Script = self.env["csw.script"]
        with self.assertRaisesRegex(ValidationError, "needs a ticket type"):
            Script.create({"name": "No type", "kind": "reply", "callback_type": "repair", "body": "<p>x</p>"})
        with self.assertRaisesRegex(ValidationError, "needs a callback type"):
            Script.create({"name": "No type", "kind": "callback", "ticket_type": "repair", "body": "<p>x</p>"})
        with self.assertRaisesRegex(ValidationError, "needs a callback type"):
            self.complaint_reply.kind = "callback"

    def test_agents_read_scripts_and_managers_write_them(self):
        for agent in (self.project_agent, self.center_agent):
            script = self.repair_script.with_user(agent)
            self.assertEqual(script.name, "Repair")
            with self.assertRaises(AccessError):
                script.write({"body": "<p>改写</p>"})
            with self.assertRaises(AccessError):
                self.env["csw.script"].with_user(agent).create(
                    {"name": "Mine", "kind": "callback", "callback_type": "care", "body": "<p>x</p>"}
                )
        self.repair_script.with_user(self.manager).write({"body": "<p>经理改写</p>"})
        self.assertIn("经理改写", self.callback("repair").script_html)

    def test_other_companies_scripts_are_invisible(self):
        theirs = self.env["csw.script"].create(
            {
                "name": "Theirs",
                "kind": "reply",
                "ticket_type": "consultation",
                "company_id": self.other_company.id,
                "body": "<p>海岸地产</p>",
            }
        )
        self.assertFalse(self.env["csw.script"].with_user(self.manager).search([("id", "=", theirs.id)]))
        self.assertTrue(self.env["csw.script"].with_user(self.manager).search([("id", "=", self.repair_script.id)]))

    def test_script_queries_do_not_depend_on_the_number_of_callbacks(self):
        types = ("periodic", "repair", "complaint", "care", "milestone")

        def compute(count):
            callbacks = self.env["csw.callback"].browse([self.callback(types[n % len(types)]).id for n in range(count)])
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            callbacks.mapped("script_html")
            return self.env.cr.sql_log_count - before

        compute(2)  # warms the caches
        self.assertEqual(compute(50), compute(5))

    def test_the_shipped_replies_are_canned_responses_for_agents(self):
        agent_group = self.env.ref("customer_service_warranty.group_csw_project_agent")
        shipped = {
            "tousu": "customer_service_warranty.csw_script_reply_complaint",
            "baoxiu": "customer_service_warranty.csw_script_reply_repair",
            "zixun": "customer_service_warranty.csw_script_reply_consultation",
        }
        Canned = self.env["mail.canned.response"].with_user(self.project_agent)
        for source, xmlid in shipped.items():
            self.assertTrue(self.env.ref(xmlid).ticket_type)
            response = Canned.search([("source", "=", source)])
            self.assertEqual(len(response), 1, f"agents find the canned response :{source}")
            self.assertIn(agent_group, response.group_ids)
            self.assertIn("24", response.substitution)
        employee = self.env["res.users"].create({"name": "员工", "login": "employee_scripts"})
        self.assertFalse(self.env["mail.canned.response"].with_user(employee).search([("source", "=", "tousu")]))
