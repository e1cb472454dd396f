"""Teams and owners see no money on the portal (issue 24, B7): posting a warranty bill or credit
note subscribes its partner, and the portal lists the moves a partner follows."""

from datetime import date

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common_money import CswAccountingCase, substitute_repair


@tagged("post_install", "-at_install")
class TestPortalMoney(CswAccountingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.foreman = cls.env["res.partner"].create({"name": "周建华", "parent_id": cls.team.id})
        cls.repairer_foreman = cls.env["res.partner"].create({"name": "何志强", "parent_id": cls.repairer.id})
        cls.owner = cls.env["res.partner"].create({"name": "付海燕"})
        cls.unit.owner_id = cls.owner

        def portal_user(login, partner):
            return new_test_user(
                cls.env,
                login=login,
                groups="base.group_portal",
                partner_id=partner.id,
                company_id=cls.company.id,
                company_ids=[cls.company.id],
            )

        cls.team_user = portal_user("money_team", cls.foreman)
        cls.repairer_user = portal_user("money_repairer", cls.repairer_foreman)
        cls.owner_user = portal_user("money_owner", cls.owner)

    def _line(self, name, amount):
        return Command.create(
            {
                "name": name,
                "account_id": self.company_data["default_account_expense"].id,
                "quantity": 1,
                "price_unit": amount,
                "tax_ids": [Command.clear()],
            }
        )

    def _warranty_moves(self):
        """A deduction's credit note to the team, the substitute team's bill, a retention release."""
        order = substitute_repair(self.env, self.unit, self.repairer, 2000, compensation=500)
        order.action_verify()
        deduction = order.deduction_id
        deduction.write({"evidence_photo_ids": [Command.link(self.photo.id)]})
        deduction.write({"evidence_notice_ids": [Command.link(self.screenshot.id)]})
        deduction.with_user(self.agent).action_submit()
        deduction.with_user(self.manager).action_approve()
        deduction.with_user(self.accountant).action_post()
        order.action_create_substitute_bill()
        bill = order.substitute_bill_id
        bill.action_post()
        # as the release of the retention creates it
        release = (
            self.env["account.move"]
            .sudo()
            .create(
                {
                    "move_type": "in_invoice",
                    "partner_id": self.team.id,
                    "invoice_date": date(2025, 2, 1),
                    "csw_retention_release": True,
                    "invoice_line_ids": [self._line("质保金退还", 3000)],
                }
            )
        )
        release.action_post()
        return deduction.move_id | bill | release

    def test_teams_and_owners_see_none_of_the_warranty_moves(self):
        moves = self._warranty_moves()
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        self.assertEqual(moves.mapped("move_type"), ["in_refund", "in_invoice", "in_invoice"])
        for user in (self.team_user, self.repairer_user, self.owner_user):
            with self.subTest(user=user.login):
                self.assertFalse(self.env["account.move"].with_user(user).search([]), "no move readable")
                self.authenticate(user.login, user.login)
                page = self.url_open("/my/invoices").text
                for move in moves:
                    self.assertNotIn(move.name, page)
                self.assertNotIn("/my/invoices", self.url_open("/my").text, "no invoices tile")
        self.assertFalse(moves.message_partner_ids & (self.team | self.repairer | self.owner))

    def test_an_owner_with_an_invoice_is_not_offered_the_invoices_tile(self):
        """The portal is the owner's home and repairs: an invoice of another business (a fee) is
        not offered next to them."""
        fee = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.owner.id,
                "invoice_date": date(2025, 2, 1),
                "invoice_line_ids": [
                    Command.create({"name": "物业费", "quantity": 1, "price_unit": 300, "tax_ids": [Command.clear()]})
                ],
            }
        )
        fee.action_post()
        self.assertIn(self.owner, fee.message_partner_ids)
        self.authenticate("money_owner", "money_owner")
        home = self.url_open("/my").text
        self.assertIn("o_csw_new_request", home)
        self.assertNotIn("/my/invoices", home, "no invoices tile")
