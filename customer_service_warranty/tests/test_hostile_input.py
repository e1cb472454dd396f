import math
from datetime import date
from unittest.mock import patch

from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tools import mute_logger

from ..models.base import csw_input_guard
from .common_repair import CswRepairCase

USER_ERRORS = (UserError, ValidationError, AccessError, MissingError)


class TestHostileInput(CswRepairCase):
    """Values no client may save are refused with a ValidationError naming the field, before
    the ORM or PostgreSQL turns them into an internal error (found by reliability/fuzz.py)."""

    def assertRefused(self, records_or_model, vals, field_label, create=True):
        with self.assertRaises(ValidationError) as err:
            if create:
                records_or_model.create(vals)
            else:
                records_or_model.write(vals)
        self.assertIn(field_label, str(err.exception))

    def test_wrong_types_are_refused_by_field(self):
        Order = self.env["csw.repair.order"]
        base = {"unit_id": self.unit.id, "location": "主卫", "category_id": self.category("waterproofing_bathroom").id}
        self.assertRefused(Order, {**base, "unit_id": "abc"}, "unit_id")
        self.assertRefused(Order, {**base, "unit_id": 2**40}, "unit_id")
        self.assertRefused(Order, {**base, "location": ["a", "b"]}, "location")
        self.assertRefused(Order, {**base, "location": "主卫\x00天花"}, "location")
        self.assertRefused(Order, {**base, "photo_ids": 97}, "photo_ids")
        self.assertRefused(Order, {**base, "callback_ids": [(7, 0, 0)]}, "callback_ids")
        self.assertRefused(Order, {**base, "notify_method": {"x": 1}}, "notify_method")
        order = self.order()
        self.assertRefused(order, {"report_date": 891}, "report_date", create=False)
        self.assertRefused(order, {"report_date": "2025-13-01"}, "report_date", create=False)
        self.assertRefused(order, {"report_date": "2025-01-01 25:61:00"}, "report_date", create=False)

    def test_amounts_not_finite_or_huge_are_refused(self):
        order = self.order()
        for value in (math.nan, math.inf, -math.inf, 1e15):
            self.assertRefused(order, {"loss_estimate": value}, "loss_estimate", create=False)
        # refused as a bad amount before the contract's locked terms compare it (it tripped them)
        for value in (math.nan, math.inf):
            self.assertRefused(self.subcontract, {"amount": value}, "amount", create=False)

    def test_bad_selection_and_commands_are_refused(self):
        ticket = self.env["csw.ticket"].create({"name": "渗水", "unit_id": self.unit.id})
        self.assertRefused(ticket, {"channel": "visit"}, "channel", create=False)
        self.assertRefused(ticket, {"priority": [1]}, "priority", create=False)
        self.assertRefused(self.category("waterproofing"), {"child_ids": [(6, 0, ["a"])]}, "child_ids", create=False)

    def test_unknown_field_is_refused(self):
        with self.assertRaises(ValidationError):
            self.env["csw.ticket"].create({"name": "渗水", "no_such_field": 1})

    def test_valid_values_still_pass(self):
        order = self.order(compensation_amount=12.5, report_date="2025-03-01")
        order.write({"photo_ids": [(6, 0, [])], "loss_estimate": 0, "notify_method": "written"})
        self.assertEqual(order.compensation_amount, 12.5)

    def test_records_of_a_company_out_of_reach_are_refused(self):
        """A manager of one company cannot move a unit into another company's estate, or put
        another company's unit on a repair order, by sending its id."""
        with self.assertRaises(AccessError):
            self.unit.with_user(self.manager).write({"project_id": self.other_company_project.id})
        self.assertEqual(self.unit.project_id, self.project)
        other_unit = self.env["csw.unit"].create({"name": "1-1-101", "project_id": self.other_company_project.id})
        with self.assertRaises(AccessError):
            self.env["csw.repair.order"].with_user(self.manager).create(
                {"unit_id": other_unit.id, "location": "主卫", "category_id": self.category("waterproofing").id}
            )

    def test_a_record_cannot_be_moved_to_a_company_out_of_reach(self):
        """The multi-company rule checks a record before a write, not after: a manager of one
        company could move an estate into another company by writing its company."""
        with self.assertRaises(AccessError):
            self.project.with_user(self.manager).write({"company_id": self.other_company.id})
        self.assertEqual(self.project.company_id, self.company)

    def test_what_the_orm_alone_does_with_them(self):
        """Why each check of the guard stays: without it, Odoo answers with an internal error or
        saves another value than the one sent. When Odoo refuses one of them itself, this test
        fails, and the guard's check can go."""
        order = self.order()
        ticket = self.env["csw.ticket"].create({"name": "渗水", "unit_id": self.unit.id})
        internal = [
            (ticket, {"no_such_field": 1}),
            (ticket, {"escalation_level": "abc"}),
            (ticket, {"escalation_level": 2**40}),
            (ticket, {"channel": "visit"}),
            (ticket, {"priority": [1]}),
            (order, {"loss_estimate": math.nan}),
            (order, {"loss_estimate": math.inf}),
            (self.subcontract, {"agency_fee_percent": math.nan}),
            (order, {"loss_estimate": "abc"}),
            (order, {"location": "主卫\x00天花"}),
            (order, {"report_date": 891}),
            (order, {"report_date": "2025-13-01"}),
            (order, {"photo_ids": 97}),
            (order, {"photo_ids": [(4, 2**40)]}),
            (self.category("waterproofing"), {"child_ids": [(6, 0, ["a"])]}),
        ]
        saved_otherwise = [
            (order, {"location": ["a", "b"]}, "['a', 'b']"),
            (ticket, {"escalation_level": 1.5}, 1),
            (order, {"report_date": "2025-01-01 25:61:00"}, date(2025, 1, 1)),
            (order, {"callback_ids": [(7, 0, 0)]}, self.env["csw.callback"]),
        ]
        rolled_back = Exception("rolled back")

        def outcome(record, vals):
            """``(outcome, value saved)`` of writing ``vals`` on ``record`` without the guard."""
            name = next(iter(vals))
            try:
                with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    record.write(vals)
                    self.env.flush_all()
                    record.invalidate_recordset()
                    saved = record[name]
                    raise rolled_back
            except USER_ERRORS:
                return "refused", None
            except Exception as exc:
                # any other error reaches the user as an internal one
                return ("saved", saved) if exc is rolled_back else ("internal", None)
            finally:
                self.env.invalidate_all()

        with patch.object(csw_input_guard, "check_values_list", lambda model, vals_list: vals_list):
            for record, vals in internal:
                with self.subTest(vals=vals):
                    self.assertEqual(outcome(record, vals)[0], "internal")
            for record, vals, saved in saved_otherwise:
                with self.subTest(vals=vals):
                    result, value = outcome(record, vals)
                    self.assertEqual((result, value), ("saved", saved))
