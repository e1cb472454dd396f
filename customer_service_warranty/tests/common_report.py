"""The report domain's fixture: two estates, October and November 2026, counted by hand."""

from datetime import date

from freezegun import freeze_time

from odoo.tests import new_test_user

from .common import MANAGER
from .common_repair import CswRepairCase

BILLING = "account.group_account_invoice"


class CswMonthCase(CswRepairCase):
    """Two estates, October and November 2026, counted by hand.

    云山花园 (estate A), November:
      tickets  T1 repair, responded and resolved in time; T2 complaint, responded late and
               resolved late; T3 consultation without SLA; T4 complaint never answered (breached);
               the follow-up ticket (回访联系单) of R1's dissatisfied owner, by the callback channel
      repairs  R1 waterproofing, entry in time, done 4 Nov, owner dissatisfied (2) -> reopened,
               entry in time again, done 6 Nov, called back (4), which closes the follow-up;
               R2 tiles, entry late, done 10 Nov, called back (5); R3 waterproofing, team overdue ->
               substitute repair, deduction of
               1000 + 50 % agency fee + 200 compensation = 1700 posted 20 Nov; R4 draft; R5 cancelled
      staff    a service failure (R1's dissatisfied owner, -5 points, 50) and a praise (+5, 0)
    云山花园, October: T5 repair in time; R6 entry in time, done 12 Oct, called back (4).
    星河湾 (estate B), November: T6 repair in time; R7 done 6 Nov, owner unreachable 3 times.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # accepted in 2024: the teams are still liable in 2026
        cls.unit.handover_date = date(2024, 12, 1)
        cls.project.write({"completion_date": date(2024, 6, 1), "handover_date": date(2024, 12, 1)})
        cls.env["res.company"]._csw_install_chart_of_accounts(cls.company.ids)
        cls.company.write({"csw_evidence_photos_required": False, "csw_evidence_notice_required": False})
        cls.accountant = new_test_user(
            cls.env,
            login="month_accountant",
            groups=f"base.group_user,{MANAGER},{BILLING}",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.estate_b = cls.foreign_project
        cls.estate_b.write({"handover_date": date(2021, 6, 1)})
        cls.foreign_subcontract.write({"category_ids": [(6, 0, cls.category("waterproofing").ids)], "amount": 500_000})
        cls.foreign_subcontract.action_activate()
        cls.foreign_unit.owner_id = cls.env["res.partner"].create({"name": "林国栋"})
        cls.build_tickets()
        cls.build_repairs()

    # ------------------------------------------------------------------
    @classmethod
    def ticket(cls, received, unit, ticket_type="repair", channel="phone", **sla):
        with freeze_time(received):
            ticket = cls.env["csw.ticket"].create(
                {
                    "name": f"{ticket_type} {received}",
                    "unit_id": unit.id,
                    "ticket_type": ticket_type,
                    "channel": channel,
                }
            )
        # the SLA clock itself is tested elsewhere: here the month's outcome is set as it happened
        ticket.sla_policy_id = False
        ticket.flush_recordset()
        ticket.write(sla)
        return ticket

    @classmethod
    def build_tickets(cls):
        a, b = cls.unit, cls.foreign_unit
        cls.t1 = cls.ticket(
            "2026-11-03 08:00:00",
            a,
            response_deadline="2026-11-03 10:00:00",
            first_response_date="2026-11-03 09:30:00",
            resolve_deadline="2026-11-05 08:00:00",
            resolved_date="2026-11-04 16:00:00",
        )
        cls.ticket(
            "2026-11-10 08:00:00",
            a,
            "complaint",
            response_deadline="2026-11-11 09:00:00",
            first_response_date="2026-11-11 12:00:00",
            response_breached=True,
            resolve_deadline="2026-11-15 09:00:00",
            resolved_date="2026-11-20 09:00:00",
        )
        cls.ticket("2026-11-12 08:00:00", a, "consultation", "portal")
        cls.ticket(
            "2026-11-20 08:00:00",
            a,
            "complaint",
            "email",
            response_deadline="2026-11-21 08:00:00",
            response_breached=True,
        )
        cls.ticket(
            "2026-10-08 08:00:00",
            a,
            response_deadline="2026-10-08 10:00:00",
            first_response_date="2026-10-08 09:00:00",
            resolve_deadline="2026-10-10 08:00:00",
            resolved_date="2026-10-09 08:00:00",
        )
        cls.ticket(
            "2026-11-05 08:00:00",
            b,
            channel="walk_in",
            response_deadline="2026-11-05 10:00:00",
            first_response_date="2026-11-05 09:00:00",
            resolve_deadline="2026-11-07 08:00:00",
            resolved_date="2026-11-06 08:00:00",
        )

    @classmethod
    def repair(cls, reported, notified=None, started=None, done=None, **values):
        values = {
            "unit_id": cls.unit.id,
            "location": f"部位 {reported}",
            "category_id": cls.category("waterproofing_bathroom").id,
            "notify_method": "written",
            "completion_note": "已修复",
            "report_date": reported,
            **values,
        }
        order = cls.env["csw.repair.order"].create(values)
        for moment, action in ((notified, "action_notify"), (started, "action_start"), (done, "action_done")):
            if moment:
                with freeze_time(moment):
                    getattr(order, action)()
        return order

    @classmethod
    def call(cls, order, when, satisfaction=None, result="reached"):
        callback = order.callback_ids.filtered(lambda c: c.state == "planned")
        with freeze_time(when):
            callback.write({"result": result, "satisfaction": satisfaction})
            callback.action_done()
        return callback

    @classmethod
    def build_repairs(cls):
        tiles = cls.category("decoration_wall_tile")
        # R1: done, dissatisfied, reopened, done again and called back
        r1 = cls.repair("2026-11-02", "2026-11-02 09:00:00", "2026-11-02 15:00:00", "2026-11-04 10:00:00")
        cls.call(r1, "2026-11-04 15:00:00", "2")
        with freeze_time("2026-11-05 09:00:00"):
            r1.action_start()
        with freeze_time("2026-11-06 10:00:00"):
            r1.action_done()
        cls.call(r1, "2026-11-06 15:00:00", "4")
        # R2: the tile team came a day late (48 h to come)
        r2 = cls.repair(
            "2026-11-06", "2026-11-06 09:00:00", "2026-11-09 10:00:00", "2026-11-10 10:00:00", category_id=tiles.id
        )
        cls.call(r2, "2026-11-10 15:00:00", "5")
        # R3: the team never came: overdue, substitute repair, deduction posted
        r3 = cls.repair("2026-11-15", "2026-11-15 09:00:00", compensation_amount=200)
        with freeze_time("2026-11-17 09:00:00"):
            cls.env["csw.repair.order"]._cron_flag_overdue()
        with freeze_time("2026-11-18 09:00:00"):
            cls.engage_in_emergency(r3, cls.repairer, 1000)
        with freeze_time("2026-11-19 17:00:00"):
            r3.write({"completion_note": "代维班组已修复"})
            r3.action_done()
        cls.call(r3, "2026-11-20 15:00:00", "4")
        deduction = r3.deduction_id
        with freeze_time("2026-11-20 09:00:00"):
            deduction.with_user(cls.project_agent).action_submit()
            deduction.with_user(cls.manager).action_approve()
            deduction.with_user(cls.accountant).action_post()
        cls.repair("2026-11-25")
        cancelled = cls.repair("2026-11-20", cancel_reason="业主自修")
        cancelled.action_cancel()
        # October
        r6 = cls.repair("2026-10-10", "2026-10-10 09:00:00", "2026-10-10 12:00:00", "2026-10-12 10:00:00")
        cls.call(r6, "2026-10-12 15:00:00", "4")
        # estate B
        r7 = cls.repair(
            "2026-11-05",
            "2026-11-05 09:00:00",
            "2026-11-05 12:00:00",
            "2026-11-06 10:00:00",
            unit_id=cls.foreign_unit.id,
        )
        # a week apart: each attempt after the retry, whatever the working hours
        for day in (6, 13, 20):
            cls.call(r7, f"2026-11-{day:02d} 11:00:00", result="unreachable")
        cls.env["csw.assessment"].create(
            {
                "user_id": cls.project_agent.id,
                "date": date(2026, 11, 25),
                "reason": "praise",
                "ticket_id": cls.t1.id,
                "company_id": cls.company.id,
            }
        )
        cls.r1, cls.r2, cls.r3, cls.r6, cls.r7, cls.deduction = r1, r2, r3, r6, r7, deduction
