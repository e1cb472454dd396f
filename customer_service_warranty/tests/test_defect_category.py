from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import CswCase


@tagged("post_install", "-at_install", "csw_dates")
class TestDefectCategory(CswCase):
    def test_statutory_matrix_is_shipped(self):
        expected = {
            "foundation_structure": ("design_life", 0),
            "waterproofing": ("years", 5),
            "heating": ("heating_seasons", 2),
            "cooling": ("cooling_seasons", 2),
            "electrical_plumbing": ("years", 2),
            "decoration": ("years", 2),
        }
        for xmlid, (period_type, value) in expected.items():
            category = self.category(xmlid)
            self.assertTrue(category.statutory)
            self.assertEqual((category.statutory_period_type, category.statutory_period_value), (period_type, value))
            self.assertEqual(category._get_period(), (period_type, value))

    def test_sub_category_inherits_its_parent_period(self):
        bathroom = self.category("waterproofing_bathroom")
        self.assertEqual(bathroom._get_period(), ("years", 5))
        self.category("waterproofing").write({"period_type": "years", "period_value": 8})
        self.assertEqual(bathroom._get_period(), ("years", 8))
        bathroom.write({"period_type": "months", "period_value": 120})
        self.assertEqual(bathroom._get_period(), ("months", 120))

    def test_company_may_lengthen_a_statutory_period(self):
        waterproofing = self.category("waterproofing").with_user(self.manager)
        waterproofing.write({"period_type": "years", "period_value": 8})
        self.assertEqual(waterproofing.period_display, "8 year(s)")
        waterproofing.write({"period_type": "months", "period_value": 60})
        self.assertEqual(waterproofing._get_period(), ("months", 60))

    def test_shortening_below_the_statutory_minimum_is_refused(self):
        waterproofing = self.category("waterproofing").with_user(self.manager)
        with self.assertRaises(ValidationError) as err:
            waterproofing.write({"period_type": "years", "period_value": 4})
        self.assertIn("at least 5 year(s)", str(err.exception))
        with self.assertRaises(ValidationError):
            waterproofing.write({"period_type": "months", "period_value": 59})
        with self.assertRaises(ValidationError):
            waterproofing.write({"period_type": "heating_seasons", "period_value": 9})
        self.assertEqual(waterproofing._get_period(), ("years", 5))

    def test_sub_category_cannot_go_below_its_parent_minimum(self):
        with self.assertRaises(ValidationError):
            self.category("waterproofing_bathroom").write({"period_type": "years", "period_value": 3})
        with self.assertRaises(ValidationError):
            self.env["csw.defect.category"].create(
                {
                    "name": "Shower tray leaks",
                    "parent_id": self.category("waterproofing").id,
                    "period_type": "months",
                    "period_value": 12,
                }
            )

    def test_design_life_and_seasons_keep_their_unit(self):
        with self.assertRaises(ValidationError):
            self.category("foundation_structure").write({"period_type": "years", "period_value": 100})
        with self.assertRaises(ValidationError):
            self.category("heating").write({"period_type": "heating_seasons", "period_value": 1})
        self.category("heating").write({"period_type": "heating_seasons", "period_value": 3})
        self.assertEqual(self.category("heating_radiator")._get_period(), ("heating_seasons", 3))

    def test_zero_period_is_refused(self):
        custom = self.env["csw.defect.category"].create({"name": "Garden lighting"})
        with self.assertRaises(ValidationError):
            custom.write({"period_type": "years", "period_value": 0})
        custom.write({"period_type": "months", "period_value": 6})
        self.assertEqual(custom._get_period(), ("months", 6))

    def test_period_is_set_per_company(self):
        waterproofing = self.category("waterproofing")
        waterproofing.with_company(self.other_company).write({"period_type": "years", "period_value": 10})
        self.assertEqual(waterproofing.with_company(self.other_company)._get_period(), ("years", 10))
        self.assertEqual(waterproofing.with_company(self.company)._get_period(), ("years", 5))
        # an estate's clock uses the period of the estate's company
        start = date(2020, 1, 1)
        self.assertEqual(waterproofing._get_warranty_end(start, self.other_company_project), date(2030, 1, 1))
        self.assertEqual(waterproofing._get_warranty_end(start, self.project), date(2025, 1, 1))

    def test_statutory_minimum_cannot_be_edited_by_users(self):
        with self.assertRaises(UserError):
            self.category("waterproofing").with_user(self.manager).write({"statutory_period_value": 1})
        self.assertEqual(self.category("waterproofing").statutory_period_value, 5)

    def test_only_managers_configure_categories(self):
        with self.assertRaises(AccessError):
            self.category("decoration").with_user(self.center_agent).write({"period_value": 3})
        with self.assertRaises(AccessError):
            self.env["csw.defect.category"].with_user(self.project_agent).create({"name": "Lift"})
        self.assertTrue(self.category("decoration").with_user(self.project_agent).period_display)

    def test_full_name_follows_the_user_language_and_tree_order(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["customer_service_warranty"], ["zh_CN"])
        bathroom = self.category("waterproofing_bathroom")
        self.assertEqual(
            bathroom.with_context(lang="en_US").display_name,
            "Waterproofing and seepage (roof, wet rooms, exterior walls) / Bathroom leaks",
        )
        self.assertEqual(
            bathroom.with_context(lang="zh_CN").display_name,
            "屋面防水、有防水要求的卫生间/房间和外墙面的防渗漏 / 卫生间渗漏",
        )
        Category = self.env["csw.defect.category"].with_context(lang="zh_CN")
        self.assertIn(bathroom, Category.search([("complete_name", "ilike", "卫生间渗漏")]))
        self.assertIn(bathroom, Category.search([("complete_name", "ilike", "防渗漏")]))
        # the tree order: each main category followed by its sub-categories, by sequence
        ordered = Category.search([("id", "child_of", self.category("waterproofing").id)])
        self.assertEqual(ordered[0], self.category("waterproofing"))
        self.assertEqual(ordered[1:3], self.category("waterproofing_roof") | bathroom)
