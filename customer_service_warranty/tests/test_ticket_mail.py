from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_ticket import CswTicketCase

EMAIL = """Return-Path: <{email_from}>
From: {name} <{email_from}>
To: {to}
Subject: {subject}
Message-ID: <{message_id}>
{extra}MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

{body}
"""


@tagged("post_install", "-at_install", "csw_dates")
class TestTicketMail(CswTicketCase):
    def _receive(
        self, email_from, subject, body="卫生间天花板渗水,请尽快安排维修。", name="业主", extra="", message_id=None
    ):
        message = EMAIL.format(
            email_from=email_from,
            name=name,
            to="kefu@example.com",
            subject=subject,
            body=body,
            message_id=message_id or f"{subject}-{email_from}@example.com",
            extra=extra,
        )
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            return self.env["mail.thread"].message_process(False, message.encode())

    def test_email_to_the_alias_creates_a_ticket_for_the_owner(self):
        self.owner.email = "zhou.xiaoming@example.com"
        ticket = self.env["csw.ticket"].browse(self._receive("zhou.xiaoming@example.com", "卫生间漏水"))
        self.assertEqual(ticket.name, "卫生间漏水")
        self.assertEqual(ticket.channel, "email")
        self.assertEqual(ticket.partner_id, self.owner)
        self.assertEqual(ticket.unit_id, self.unit, "the owner's only unit")
        self.assertEqual(ticket.project_id, self.project)
        self.assertIn("渗水", ticket.description)
        self.assertIn(self.owner, ticket.message_partner_ids)
        self.assertTrue(ticket.number.startswith("KF"))

    def test_unknown_sender_keeps_the_address(self):
        ticket = self.env["csw.ticket"].browse(self._receive("stranger@example.com", "咨询车位"))
        self.assertFalse(ticket.partner_id)
        self.assertIn("stranger@example.com", ticket.partner_email)
        self.assertEqual(ticket.channel, "email")

    def test_reply_lands_in_the_chatter_and_ends_the_wait(self):
        self.owner.email = "zhou.xiaoming@example.com"
        ticket = self.env["csw.ticket"].browse(
            self._receive("zhou.xiaoming@example.com", "外墙渗水", message_id="first@example.com")
        )
        ticket.action_start()
        ticket.action_wait()
        self._receive(
            "zhou.xiaoming@example.com",
            "Re: 外墙渗水",
            body="明天上午在家,可以上门。",
            extra="In-Reply-To: <first@example.com>\nReferences: <first@example.com>\n",
            message_id="reply@example.com",
        )
        self.assertEqual(
            self.env["csw.ticket"].search_count([("name", "like", "外墙渗水"), ("partner_id", "=", self.owner.id)]),
            1,
            "the reply joins the owner's ticket instead of opening another",
        )
        self.assertIn("明天上午在家", ticket.message_ids[0].body)
        self.assertEqual(ticket.state, "in_progress")
