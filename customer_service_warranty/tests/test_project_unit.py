from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import CswCase


@tagged("post_install", "-at_install", "csw_dates")
class TestProjectUnit(CswCase):
    def test_unit_handover_defaults_to_the_estate(self):
        self.assertEqual(self.unit.handover_date, date(2020, 12, 1))
        with Form(self.env["csw.unit"]) as form:
            form.name = "5-1-301"
            form.project_id = self.project
            self.assertEqual(form.handover_date, date(2020, 12, 1))
        unit = form.save()
        self.assertEqual(unit.building, "5")
        self.assertEqual(unit.display_name, "云山花园 5-1-301")

    def test_handover_before_completion_acceptance_is_refused(self):
        with self.assertRaises(ValidationError) as err:
            self.unit.handover_date = date(2020, 5, 31)
        self.assertIn("before it", str(err.exception))
        self.assertEqual(self.unit.handover_date, date(2020, 12, 1))
        # the completion day itself is allowed
        self.unit.handover_date = date(2020, 6, 1)

    def test_handover_before_the_estate_is_accepted_is_refused(self):
        project = self.env["csw.project"].create({"name": "在建项目", "code": "ZJ"})
        with self.assertRaises(ValidationError):
            self.env["csw.unit"].create(
                {"name": "1-1-101", "project_id": project.id, "handover_date": date(2024, 1, 1)}
            )
        with self.assertRaises(ValidationError):
            project.handover_date = date(2024, 1, 1)

    def test_estate_handover_before_its_completion_is_refused(self):
        with self.assertRaises(ValidationError):
            self.project.handover_date = date(2020, 1, 1)

    def test_moving_the_completion_date_after_handed_over_units_is_refused(self):
        self.project.handover_date = False
        with self.assertRaises(ValidationError) as err:
            self.project.completion_date = date(2021, 1, 1)
        self.assertIn("3-2-1201", str(err.exception))

    def test_unit_names_are_unique_per_estate(self):
        self.env["csw.unit"].create({"name": "3-2-1201", "project_id": self.foreign_project.id})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["csw.unit"].create({"name": "3-2-1201", "project_id": self.project.id})

    def test_unit_found_by_owner_name_or_phone(self):
        Unit = self.env["csw.unit"]
        self.assertEqual(Unit.search([("display_name", "ilike", "13800138000")]), self.unit)
        self.assertIn(self.unit, Unit.search([("display_name", "ilike", "周晓明")]))
        self.assertIn(self.unit.id, [unit_id for unit_id, _name in Unit.name_search("3-2-12")])

    def test_estate_found_by_its_code(self):
        Project = self.env["csw.project"]
        self.assertEqual([project_id for project_id, _name in Project.name_search("YSHY")], self.project.ids)
        self.assertEqual(Project.search([("display_name", "ilike", "yshy")]), self.project)

    def test_estate_counts_and_partner_archive(self):
        self.assertEqual(self.project.unit_count, 1)
        self.assertEqual(self.project.subcontract_count, 1)
        self.assertEqual(self.owner.csw_unit_count, 1)
        self.assertEqual(self.team.csw_subcontract_count, 2)
        action = self.owner.action_csw_view_units()
        self.assertEqual(self.env["csw.unit"].search(action["domain"]), self.unit)

    def test_units_import_by_the_thousand(self):
        rows = [[f"{n // 100 + 1}-1-{n % 100 + 1:02d}01", "云山花园", f"业主{n}"] for n in range(1000)]
        owners = self.env["res.partner"].create([{"name": f"业主{n}"} for n in range(1000)])
        before = self.env.cr.sql_log_count
        result = self.env["csw.unit"].load(["name", "project_id", "owner_id"], rows)
        self.env.flush_all()
        self.assertFalse(result["messages"])
        # Odoo's import looks up the estate and the owner by name, one query each per
        # row; the addon's computes and constraints add no query per row on top
        self.assertLess(self.env.cr.sql_log_count - before, 2 * len(rows) + 100)
        units = self.env["csw.unit"].browse(result["ids"])
        self.assertEqual(len(units), 1000)
        self.assertEqual(units.owner_id, owners)
        self.assertEqual(set(units.mapped("handover_date")), {date(2020, 12, 1)})
        self.assertEqual(units[-1].building, "10")

    def test_an_estate_column_naming_one_estate_is_looked_up_once(self):
        rows = [[f"{n // 100 + 21}-2-{n % 100 + 1:02d}01", "云山花园", "2021-01-01"] for n in range(300)]
        before = self.env.cr.sql_log_count
        result = self.env["csw.unit"].load(["name", "project_id", "handover_date"], rows)
        self.env.flush_all()
        self.assertFalse(result["messages"])
        self.assertLess(self.env.cr.sql_log_count - before, 100, "no query per row")
        units = self.env["csw.unit"].browse(result["ids"])
        self.assertEqual(units.mapped("name"), [row[0] for row in rows], "ids in the rows' order")
        self.assertEqual(units.project_id, self.project)
        self.assertEqual(units.company_id, self.company)
        self.assertEqual(set(units.mapped("handover_date")), {date(2021, 1, 1)})

    def test_an_estate_column_naming_several_estates_imports_each_row_into_its_own(self):
        rows = [
            ["7-1-101", "云山花园", "2021-01-01"],
            ["7-1-102", "星河湾", "2021-05-01"],
            ["7-1-103", "云山花园", ""],
        ]
        result = self.env["csw.unit"].load(["name", "project_id", "handover_date"], rows)
        self.assertFalse(result["messages"])
        units = self.env["csw.unit"].browse(result["ids"])
        self.assertEqual(units.mapped("project_id"), self.project | self.foreign_project)
        self.assertEqual([unit.project_id for unit in units], [self.project, self.foreign_project, self.project])

    def test_an_estate_column_naming_an_unknown_estate_is_refused_by_row(self):
        rows = [["7-2-101", "无此楼盘", "2021-01-01"], ["7-2-102", "无此楼盘", "2021-01-01"]]
        result = self.env["csw.unit"].load(["name", "project_id", "handover_date"], rows)
        self.assertTrue(result["messages"])
        self.assertIn("无此楼盘", result["messages"][0]["message"])
        self.assertFalse(self.env["csw.unit"].search([("name", "in", ["7-2-101", "7-2-102"])]))

    def test_a_unit_belongs_to_its_estates_company_only(self):
        foreign = {"name": "7-3-101", "project_id": self.project.id, "company_id": self.other_company.id}
        with self.assertRaises(AccessError):
            self.env["csw.unit"].with_user(self.manager).create(foreign)
        # a user of both companies
        with self.assertRaises(ValidationError):
            self.env["csw.unit"].create(foreign)
        with self.assertRaises(ValidationError):
            self.unit.write({"company_id": self.other_company.id})
        # an integrator with the manager's login, writing the field the form shows read-only
        with self.assertRaises(AccessError):
            self.unit.with_user(self.manager).write({"company_id": self.other_company.id})
        self.assertEqual(self.unit.company_id, self.company)
        # the estate moves to another company: its units follow it
        self.foreign_project.company_id = self.other_company
        self.assertEqual(self.foreign_unit.company_id, self.other_company)

    def test_import_with_a_bad_row_writes_nothing(self):
        rows = [
            ["8-1-101", "云山花园", "2021-01-01"],
            ["8-1-102", "云山花园", "2019-01-01"],
        ]
        result = self.env["csw.unit"].load(["name", "project_id", "handover_date"], rows)
        self.assertTrue(result["messages"])
        self.assertIn("8-1-102", result["messages"][0]["message"])
        self.assertFalse(self.env["csw.unit"].search([("name", "like", "8-1-10")]))

    def _queries(self, func):
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        func()
        return self.env.cr.sql_log_count - before

    def test_estate_and_partner_counts_do_not_query_per_record(self):
        projects = self.env["csw.project"].create(
            [{"name": f"批量项目{n}", "code": f"BULK{n}", "completion_date": date(2022, 1, 1)} for n in range(20)]
        )
        self.env["csw.unit"].create(
            [{"name": f"1-1-{n}01", "project_id": project.id} for n, project in enumerate(projects)]
        )
        few = self._queries(lambda: projects[:2].mapped("unit_count"))
        many = self._queries(lambda: projects.mapped("unit_count"))
        self.assertEqual(few, many)
        partners = self.env["res.partner"].create([{"name": f"业主{n}"} for n in range(20)])
        few = self._queries(lambda: partners[:2].mapped("csw_unit_count"))
        many = self._queries(lambda: partners.mapped("csw_unit_count"))
        self.assertEqual(few, many)
