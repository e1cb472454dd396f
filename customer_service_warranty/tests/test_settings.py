from datetime import date

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import CswCase


@tagged("post_install", "-at_install")
class TestSettings(CswCase):
    def test_season_defaults(self):
        self.assertEqual(
            self.company._csw_seasons(), {"heating_seasons": (11, 15, 3, 15), "cooling_seasons": (6, 1, 9, 30)}
        )

    def test_seasons_are_set_on_the_settings_page(self):
        with Form(self.env["res.config.settings"]) as settings:
            settings.csw_cooling_start_month = "5"
            settings.csw_cooling_start_day = 15
            settings.csw_cooling_end_month = "10"
            settings.csw_cooling_end_day = 15
        self.assertEqual(self.company._csw_seasons()["cooling_seasons"], (5, 15, 10, 15))
        coverage = self.unit._get_coverage(self.category("cooling"), date(2021, 1, 1))
        self.assertEqual(coverage["owner_end"], date(2022, 10, 15))

    def test_day_that_does_not_exist_is_refused(self):
        with self.assertRaises(ValidationError):
            self.company.write({"csw_heating_end_month": "2", "csw_heating_end_day": 30})
        with self.assertRaises(ValidationError):
            self.company.write({"csw_cooling_start_day": 0})
        self.company.write({"csw_heating_end_month": "2", "csw_heating_end_day": 29})
