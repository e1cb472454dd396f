from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CswCase


@tagged("post_install", "-at_install", "csw_dates")
class TestSubcontract(CswCase):
    def test_retention_is_a_percentage_of_the_contract(self):
        self.assertEqual(self.subcontract.retention_percent, 5)
        self.assertEqual(self.subcontract.retention_amount, 50_000)
        self.subcontract.write({"amount": 1_234_567.89, "retention_percent": 3})
        self.assertEqual(self.subcontract.retention_amount, 37_037.04)

    def test_defaults_of_a_new_contract(self):
        self.assertEqual(self.subcontract.entry_hours, 48)
        self.assertEqual(self.subcontract.agency_fee_percent, 0)
        self.assertEqual(self.subcontract.state, "draft")
        self.assertEqual(self.subcontract.company_id, self.company)
        self.assertEqual(self.subcontract.currency_id, self.company.currency_id)

    def test_retention_is_held_for_the_defect_liability_period(self):
        self.assertEqual(self.subcontract.warranty_end_date, date(2022, 6, 1))
        self.subcontract.defect_liability_months = 12
        self.assertEqual(self.subcontract.warranty_end_date, date(2021, 6, 1))
        self.subcontract.warranty_end_date = date(2023, 1, 1)
        self.assertEqual(self.subcontract.warranty_end_date, date(2023, 1, 1))

    def test_percentages_out_of_range_are_refused(self):
        for values in ({"retention_percent": 120}, {"agency_fee_percent": -5}, {"amount": -1}, {"entry_hours": 0}):
            with (
                self.subTest(values=values),
                self.assertRaises(IntegrityError),
                mute_logger("odoo.sql_db"),
                self.env.cr.savepoint(),
            ):
                self.subcontract.write(values)
                self.subcontract.flush_recordset()

    def test_contract_workflow(self):
        self.subcontract.action_activate()
        self.assertEqual(self.subcontract.state, "active")
        with self.assertRaises(UserError) as err:
            self.subcontract.action_activate()
        self.assertIn("YS-FB-001", str(err.exception))
        self.subcontract.action_close()
        with self.assertRaises(UserError):
            self.subcontract.action_cancel()
        self.assertEqual(self.subcontract.state, "closed")

    def test_estate_lists_its_contracts_and_partner_its_contracts(self):
        self.assertEqual(self.project.subcontract_ids, self.subcontract)
        self.assertEqual(self.team.csw_subcontract_ids, self.subcontract | self.foreign_subcontract)
