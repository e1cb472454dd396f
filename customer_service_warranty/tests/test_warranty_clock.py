from datetime import date

from odoo.tests import tagged

from ..models.base import warranty_clock as clock
from .common import CswCase

HEATING = (11, 15, 3, 15)
COOLING = (6, 1, 9, 30)
SEASONS = {"heating_seasons": HEATING, "cooling_seasons": COOLING}


def end(start, period_type, value=0, design_life_years=None):
    return clock.warranty_end(start, period_type, value, design_life_years=design_life_years, seasons=SEASONS)


@tagged("post_install", "-at_install", "csw_dates")
class TestWarrantyClock(CswCase):
    """The periods of 《房屋建筑工程质量保修办法》 Art. 7, counted as the Civil Code counts them."""

    def test_years_end_on_the_corresponding_day(self):
        self.assertEqual(end(date(2020, 6, 1), "years", 5), date(2025, 6, 1))
        self.assertEqual(end(date(2020, 12, 31), "years", 2), date(2022, 12, 31))

    def test_leap_day_start_ends_on_the_last_day_of_february(self):
        self.assertEqual(end(date(2020, 2, 29), "years", 1), date(2021, 2, 28))
        self.assertEqual(end(date(2020, 2, 29), "years", 4), date(2024, 2, 29))
        self.assertEqual(end(date(2019, 2, 28), "years", 1), date(2020, 2, 28))

    def test_months_without_a_corresponding_day_end_on_the_month_end(self):
        self.assertEqual(end(date(2023, 1, 31), "months", 1), date(2023, 2, 28))
        self.assertEqual(end(date(2024, 1, 31), "months", 1), date(2024, 2, 29))
        self.assertEqual(end(date(2024, 8, 31), "months", 18), date(2026, 2, 28))

    def test_design_life_runs_for_the_estate_design_life(self):
        self.assertEqual(end(date(2020, 6, 1), "design_life", design_life_years=50), date(2070, 6, 1))
        self.assertEqual(end(date(2020, 6, 1), "design_life", design_life_years=70), date(2090, 6, 1))
        with self.assertRaises(ValueError):
            end(date(2020, 6, 1), "design_life")

    def test_heating_seasons_count_full_seasons_after_the_start(self):
        # handed over in summer: the coming season is the first full one
        self.assertEqual(end(date(2020, 7, 1), "heating_seasons", 2), date(2022, 3, 15))
        # handed over during a season: that season is not full, two more follow
        self.assertEqual(end(date(2020, 12, 1), "heating_seasons", 2), date(2023, 3, 15))
        self.assertEqual(end(date(2021, 2, 1), "heating_seasons", 2), date(2023, 3, 15))

    def test_heating_season_boundaries(self):
        # the season starting on the very day counts in full; the day after it does not
        self.assertEqual(end(date(2020, 11, 15), "heating_seasons", 2), date(2022, 3, 15))
        self.assertEqual(end(date(2020, 11, 16), "heating_seasons", 2), date(2023, 3, 15))
        # after the end of a season and before the next one
        self.assertEqual(end(date(2021, 3, 16), "heating_seasons", 2), date(2023, 3, 15))
        self.assertEqual(end(date(2021, 3, 15), "heating_seasons", 1), date(2022, 3, 15))

    def test_cooling_seasons_within_one_calendar_year(self):
        self.assertEqual(end(date(2020, 6, 1), "cooling_seasons", 2), date(2021, 9, 30))
        self.assertEqual(end(date(2020, 6, 2), "cooling_seasons", 2), date(2022, 9, 30))
        self.assertEqual(end(date(2020, 10, 1), "cooling_seasons", 2), date(2022, 9, 30))

    def test_season_ending_on_leap_day(self):
        season = (11, 1, 2, 29)
        self.assertEqual(clock.season_bounds(2022, season), (date(2022, 11, 1), date(2023, 2, 28)))
        self.assertEqual(clock.season_bounds(2023, season), (date(2023, 11, 1), date(2024, 2, 29)))

    def test_coverage_on_a_report_date(self):
        self.assertEqual(clock.coverage_on(date(2025, 6, 1), date(2025, 6, 1)), clock.IN_WARRANTY)
        self.assertEqual(clock.coverage_on(date(2025, 6, 1), date(2025, 6, 2)), clock.EXPIRED)
        self.assertEqual(clock.coverage_on(None, date(2025, 6, 2)), clock.IN_WARRANTY)
        self.assertIsNone(end(False, "years", 5))

    def test_owner_and_subcontractor_clocks_of_a_unit(self):
        # estate accepted 2020-06-01, unit handed over 2020-12-01
        bathroom = self.category("waterproofing_bathroom")
        coverage = self.unit._get_coverage(bathroom, date(2025, 8, 1))
        self.assertEqual(coverage["owner_end"], date(2025, 12, 1))
        self.assertEqual(coverage["owner_coverage"], "in_warranty")
        self.assertEqual(coverage["subcontractor_end"], date(2025, 6, 1))
        self.assertEqual(coverage["subcontractor_coverage"], "expired")

    def test_unit_clocks_use_the_company_seasons_and_design_life(self):
        self.company.write({"csw_heating_start_month": "10", "csw_heating_start_day": 15})
        self.project.design_life_years = 70
        radiator = self.category("heating_radiator")
        coverage = self.unit._get_coverage(radiator, date(2021, 1, 1))
        # handed over 2020-12-01 inside the season: full seasons start 2021-10-15 and 2022-10-15
        self.assertEqual(coverage["owner_end"], date(2023, 3, 15))
        # accepted 2020-06-01: seasons 2020-10-15 and 2021-10-15
        self.assertEqual(coverage["subcontractor_end"], date(2022, 3, 15))
        structure = self.unit._get_coverage(self.category("structure_slab_crack"), date(2021, 1, 1))
        self.assertEqual(structure["owner_end"], date(2090, 12, 1))

    def test_unit_not_handed_over_is_covered(self):
        unit = self.env["csw.unit"].create({"name": "9-1-101", "project_id": self.foreign_project.id})
        coverage = unit._get_coverage(self.category("decoration"), date(2030, 1, 1))
        self.assertIsNone(coverage["owner_end"])
        self.assertEqual(coverage["owner_coverage"], "in_warranty")
        self.assertEqual(coverage["subcontractor_end"], date(2023, 3, 1))
        self.assertEqual(coverage["subcontractor_coverage"], "expired")

    def test_unit_form_shows_both_clocks_per_category(self):
        summary = self.unit.with_context(lang="en_US").warranty_summary
        self.assertIn("2025-12-01", summary)  # owner waterproofing, from handover
        self.assertIn("2025-06-01", summary)  # subcontractor waterproofing, from acceptance
        self.assertIn("Waterproofing", summary)
