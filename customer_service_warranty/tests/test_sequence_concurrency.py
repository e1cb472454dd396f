from contextlib import closing
from datetime import date
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, sql_db
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import TransactionCase
from odoo.tools import mute_logger

from ..models.base import ir_sequence

# a code of this test only: no sequence exists for it, and the clean-up removes it
CODE = "csw.test.concurrent.numbering"


class TestSequenceConcurrency(TransactionCase):
    """Two transactions numbering the first record of a company or of a month at once.

    Each lazily creates the company's sequence or the month's range, which neither sees in
    the other's uncommitted transaction. The second one must be refused with an error that
    Odoo's RPC and HTTP layers retry, never create a second sequence or range that would
    start again at 0001. Sequences only show between real transactions: the two cursors are
    real ones, and this test's own transaction writes nothing (it would hold the locks the
    two cursors wait for). What the first cursor commits is removed at the end.
    """

    def setUp(self):
        super().setUp()
        patcher = patch.dict(ir_sequence.MONTHLY_SEQUENCES, {CODE: "TC"})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.addCleanup(self._remove_committed_sequences)
        db_name = self.env.cr.dbname
        self.cr_a = sql_db.db_connect(db_name).cursor()
        self.addCleanup(self.cr_a.close)
        self.cr_b = sql_db.db_connect(db_name).cursor()
        self.addCleanup(self.cr_b.close)
        self.company_id = self.env.ref("base.main_company").id

    def _remove_committed_sequences(self):
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
            sequences = api.Environment(cr, SUPERUSER_ID, {})["ir.sequence"].search([("code", "=", CODE)])
            # the ranges first: their own unlink drops their PostgreSQL sequences
            sequences.date_range_ids.unlink()
            sequences.unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def _number(self, cr, day):
        """The number ``cr``'s transaction gives to one new record of the main company on ``day``."""
        env = api.Environment(cr, SUPERUSER_ID, {})
        vals_list = [{"number": "/"}]
        env["ir.sequence"]._csw_assign_numbers(
            vals_list, CODE, "number", lambda vals: env["res.company"].browse(self.company_id), lambda vals: day
        )
        return vals_list[0]["number"]

    def _start(self, cr):
        """Take ``cr``'s snapshot now, as a request does with its first query."""
        cr.execute("SELECT 1")

    def _sequences(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["ir.sequence"].search([("code", "=", CODE)])

    def assertRetried(self, cr, day):
        """``cr`` cannot number on ``day`` now, with an error Odoo retries the request on."""
        try:
            with mute_logger("odoo.sql_db"):
                number = self._number(cr, day)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            cr.rollback()
        else:
            self.fail(f"{number} was drawn from a sequence or range of its own")

    def test_first_numbers_of_a_company_drawn_at_once_are_distinct(self):
        november = date(2026, 11, 5)
        self._start(self.cr_b)
        self.assertEqual(self._number(self.cr_a, november), "TC2026110001")
        # the second transaction waits for the first one (here: gives up waiting at once)
        self.cr_b.execute("SET LOCAL lock_timeout = '50ms'")
        self.assertRetried(self.cr_b, november)
        self._start(self.cr_b)
        self.cr_a.commit()  # pylint: disable=invalid-commit
        # committed after the second transaction started: it does not see the sequence, and
        # is refused rather than creating a second one
        self.assertRetried(self.cr_b, november)
        # the retried request numbers after the first one
        self.assertEqual(self._number(self.cr_b, november), "TC2026110002")
        self.cr_b.commit()  # pylint: disable=invalid-commit
        self.assertEqual(len(self._sequences(self.cr_b)), 1)

    def test_first_numbers_of_a_month_drawn_at_once_are_distinct(self):
        self.assertEqual(self._number(self.cr_a, date(2026, 11, 5)), "TC2026110001")
        self.cr_a.commit()  # pylint: disable=invalid-commit
        december = date(2026, 12, 1)
        self._start(self.cr_b)
        self.assertEqual(self._number(self.cr_a, december), "TC2026120001")
        self.cr_b.execute("SET LOCAL lock_timeout = '50ms'")
        self.assertRetried(self.cr_b, december)
        self._start(self.cr_b)
        self.cr_a.commit()  # pylint: disable=invalid-commit
        self.assertRetried(self.cr_b, december)
        self.assertEqual(self._number(self.cr_b, december), "TC2026120002")
        self.cr_b.commit()  # pylint: disable=invalid-commit
        ranges = self._sequences(self.cr_b).date_range_ids
        self.assertEqual(sorted(ranges.mapped("date_from")), [date(2026, 11, 1), date(2026, 12, 1)])
