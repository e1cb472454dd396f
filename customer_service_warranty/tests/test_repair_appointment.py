from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common_portal import PNG
from .common_repair import CswRepairCase

# 10:00 in Shanghai
NOTIFIED = datetime(2026, 12, 1, 2, 0)


@tagged("post_install", "-at_install", "csw_dates")
class TestRepairAppointment(CswRepairCase):
    """The visit: booking and moving it, reminders, the check-in, the owner's sign-off and the
    visits where the owner was not home."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Asia/Shanghai"
        cls.company.csw_reschedule_cutoff_hours = 12
        cls.owner.email = "zhou.xiaoming@example.com"
        cls.subcontract.entry_hours = 48
        cls.foreman = cls.env["res.partner"].create({"name": "刘师傅", "parent_id": cls.team.id})
        cls.team_user = new_test_user(
            cls.env, login="appointment_team", groups="base.group_portal", partner_id=cls.foreman.id,
            company_id=cls.company.id, company_ids=[cls.company.id],
        )  # fmt: skip
        cls.owner_user = new_test_user(
            cls.env, login="appointment_owner", groups="base.group_portal", partner_id=cls.owner.id,
            company_id=cls.company.id, company_ids=[cls.company.id],
        )  # fmt: skip
        (cls.owner | cls.team).tz = "Asia/Shanghai"

    def notified(self, **values):
        with freeze_time(NOTIFIED):
            order = self.order(notify_method="written", **values)
            order.action_notify()
        return order

    def at(self, hours):
        return NOTIFIED + timedelta(hours=hours)

    # ------------------------------------------------------------------
    # Booking and moving the visit
    # ------------------------------------------------------------------
    def test_agent_books_a_visit_before_the_entry_deadline_only(self):
        order = self.notified()
        agent_order = order.with_user(self.center_agent)
        with freeze_time(self.at(1)):
            with self.assertRaisesRegex(ValidationError, "entry deadline"):
                agent_order.write({"appointment_start": self.at(49), "appointment_end": self.at(51)})
            with self.assertRaises(ValidationError, msg="the visit ends after it starts"):
                agent_order.write({"appointment_start": self.at(20), "appointment_end": self.at(20)})
            with self.assertRaises(ValidationError, msg="not in the past"):
                agent_order.write({"appointment_start": self.at(-2), "appointment_end": self.at(-1)})
            agent_order.write({"appointment_start": self.at(24), "appointment_end": self.at(26)})
        self.assertEqual(order.appointment_start, self.at(24))
        with freeze_time(self.at(25)):
            order._portal_check_in()
            with self.assertRaisesRegex(UserError, "on site"):
                agent_order.write({"appointment_start": self.at(30), "appointment_end": self.at(31)})

    def test_owner_picks_a_window_the_team_proposed(self):
        order, other = self.notified(), self.notified(location="次卫地漏")
        with freeze_time(self.at(1)):
            with self.assertRaisesRegex(ValidationError, "entry deadline"):
                order._portal_propose_windows([(self.at(50), self.at(52))])
            order._portal_propose_windows([(self.at(5), self.at(7)), (self.at(24), self.at(26))])
            other._portal_propose_windows([(self.at(6), self.at(8))])
            with self.assertRaisesRegex(UserError, "not proposed for this repair"):
                order._portal_pick_window(other.appointment_window_ids)
            order._portal_pick_window(order.appointment_window_ids[1])
        self.assertEqual((order.appointment_start, order.appointment_end), (self.at(24), self.at(26)))
        self.assertFalse(order.appointment_window_ids, "the booking settles the proposals")
        self.assertEqual(len(other.appointment_window_ids), 1)

    def test_owner_moves_the_visit_until_the_cut_off_only(self):
        order = self.notified()
        with freeze_time(self.at(1)):
            order.write({"appointment_start": self.at(20), "appointment_end": self.at(22)})
            with self.assertRaisesRegex(UserError, "why"):
                order._portal_request_reschedule("  ")
        # 12 hours before the visit: too late
        with freeze_time(self.at(8) + timedelta(minutes=1)), self.assertRaisesRegex(UserError, "12 hours"):
            order._portal_request_reschedule("出差")
        self.assertEqual(order.appointment_start, self.at(20))
        with freeze_time(self.at(7)):
            order._portal_request_reschedule("临时出差")
        self.assertRecordValues(
            order, [{"appointment_start": False, "reschedule_reason": "临时出差", "reschedule_count": 1}]
        )
        self.assertEqual(order.entry_deadline, self.at(48), "the entry deadline does not move")
        self.assertIn(
            self.center_agent,
            order.activity_ids.filtered(lambda a: "reschedule" in a.summary).user_id,
            "the agent is asked to re-book",
        )

    # ------------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------------
    def reminders(self, order):
        # the subject is in the recipient's language (English or Simplified Chinese here)
        return self.env["mail.mail"].search(
            [
                ("model", "=", order._name),
                ("res_id", "=", order.id),
                "|",
                ("subject", "like", "Repair visit"),
                ("subject", "like", "维修上门"),
            ]
        )

    def test_owner_and_team_are_reminded_the_day_before_and_the_morning_once(self):
        order = self.notified()
        # 2 December, 10:00 to 12:00 in Shanghai, booked just after the notice
        with freeze_time(self.at(0.5)):
            order.write({"appointment_start": self.at(24), "appointment_end": self.at(26)})
        Order = self.env["csw.repair.order"]
        for hours, expected in ((0.5, 2), (1, 2), (14.5, 2), (21.5, 4), (22, 4)):
            with freeze_time(self.at(hours)):
                Order._cron_send_appointment_reminders()
            self.assertEqual(len(self.reminders(order)), expected, f"{hours} hours after the notice")
        self.assertEqual(
            self.reminders(order).recipient_ids, self.owner | self.team, "the owner and the team are reminded"
        )
        # a visit moved is reminded again
        with freeze_time(self.at(22)):
            order.write({"appointment_start": self.at(28), "appointment_end": self.at(30)})
            Order._cron_send_appointment_reminders()
        self.assertEqual(len(self.reminders(order)), 6)

    def test_a_visit_booked_on_its_day_gets_the_morning_reminder_only(self):
        order = self.notified()
        with freeze_time(self.at(0.5)):
            order.write({"appointment_start": self.at(5), "appointment_end": self.at(6)})
            self.env["csw.repair.order"]._cron_send_appointment_reminders()
        self.assertEqual(len(self.reminders(order)), 2)
        self.assertTrue(order.reminder_morning_sent)

    # ------------------------------------------------------------------
    # Check-in and the overdue rules
    # ------------------------------------------------------------------
    def test_check_in_time_is_the_entry_the_overdue_rules_use(self):
        early, late = self.notified(), self.notified(location="次卫地漏")
        with freeze_time(self.at(2)):
            early._portal_check_in("22.5431", "114.0579", "12.5")
        with freeze_time(self.at(49)):
            self.env["csw.repair.order"]._cron_flag_overdue()
            late._portal_check_in(refused=True)
        self.assertRecordValues(
            early | late,
            [
                {"entry_date": self.at(2), "entry_late": False, "is_overdue": False,
                 "check_in_location_status": "recorded", "check_in_accuracy": 12.5},
                {"entry_date": self.at(49), "entry_late": True, "is_overdue": True,
                 "check_in_location_status": "refused", "check_in_accuracy": 0.0},
            ],
        )  # fmt: skip
        self.assertAlmostEqual(early.check_in_latitude, 22.5431)

    def test_a_missing_or_absurd_location_never_blocks_the_check_in(self):
        order = self.notified()
        with freeze_time(self.at(2)):
            order._portal_check_in("999", "abc", "-1", uploads=[("门口.png", PNG)])
        self.assertRecordValues(order, [{"state": "in_progress", "check_in_location_status": "unavailable"}])
        self.assertEqual(order.before_photo_ids.mimetype, "image/png")

    def test_a_team_missing_the_visit_without_checking_in_is_flagged_like_a_late_entry(self):
        missed, came = self.notified(), self.notified(location="次卫地漏")
        with freeze_time(self.at(0.5)):
            (missed | came).write({"appointment_start": self.at(3), "appointment_end": self.at(5)})
        with freeze_time(self.at(4)):
            came._portal_check_in()
        with freeze_time(self.at(5.5)):
            self.env["csw.repair.order"]._cron_flag_overdue()
        self.assertRecordValues(
            missed | came,
            [
                {"is_overdue": True, "overdue_kind": "entry", "appointment_missed": True, "entry_late": True},
                {"is_overdue": False, "overdue_kind": False, "appointment_missed": False, "entry_late": False},
            ],
        )

    # ------------------------------------------------------------------
    # Owner's sign-off and the acceptance code
    # ------------------------------------------------------------------
    def test_acceptance_code_is_single_use_and_wrong_codes_are_rate_limited(self):
        order = self.notified(completion_note="重做防水层")
        code = order.sudo().acceptance_code
        self.assertRegex(code, r"^\d{6}$")
        wrong = "000000" if code != "000000" else "111111"
        with freeze_time(self.at(3)):
            order._portal_check_in()
            for _attempt in range(5):
                self.assertFalse(order._portal_mark_done_with_code("重做防水层", [], wrong))
            self.assertEqual(order.state, "in_progress")
            with self.assertRaisesRegex(UserError, "Too many wrong"):
                order._portal_mark_done_with_code("重做防水层", [], code)
        with freeze_time(self.at(3.6)):
            self.assertTrue(order._portal_mark_done_with_code("重做防水层", [], code))
        self.assertRecordValues(
            order, [{"state": "done", "owner_sign_off": "code", "owner_sign_off_date": self.at(3.6)}]
        )
        self.assertFalse(order.sudo().acceptance_code, "used once")
        self.assertFalse(
            order.activity_ids.filtered(lambda a: "sign-off" in a.summary), "signed off: nothing to verify"
        )
        order.action_reopen()
        self.assertNotEqual(order.sudo().acceptance_code, code)
        self.assertFalse(order._portal_mark_done_with_code("重做防水层", [], code), "the old code is used")
        self.assertEqual(order.state, "notified")

    def test_a_job_done_without_sign_off_goes_to_the_agent_and_its_callback_asks(self):
        order = self.notified(completion_note="重做防水层")
        with freeze_time(self.at(3)):
            order._portal_check_in()
            order._portal_mark_done("重做防水层", [])
        self.assertFalse(order.owner_sign_off)
        self.assertTrue(order.activity_ids.filtered(lambda a: "sign-off" in a.summary))
        self.assertIn("without the owner's sign-off", order.callback_ids.message_ids[0].body)
        # the owner may still confirm it on the portal
        order._portal_owner_sign_off()
        self.assertEqual(order.owner_sign_off, "portal")
        with self.assertRaisesRegex(UserError, "already"):
            order._portal_owner_sign_off()

    def test_only_the_owner_page_gives_the_code(self):
        order = self.notified()
        for user in (self.team_user, self.owner_user, self.project_agent, self.center_agent):
            with self.assertRaises(AccessError, msg=user.login):
                order.with_user(user).read(["acceptance_code"])
        self.assertEqual(order._portal_acceptance_code(self.owner_user), order.sudo().acceptance_code)
        self.assertFalse(order._portal_acceptance_code(self.team_user), "a team never reads it, link or not")
        order.with_user(self.center_agent).read(["appointment_start", "owner_sign_off", "no_show_count"])

    def test_the_visit_fields_change_only_through_their_actions(self):
        order = self.notified()
        for fname, value in (
            ("owner_sign_off", "portal"),
            ("no_show_count", 0 + 3),
            ("check_in_latitude", 1.0),
            ("reschedule_reason", "篡改"),
            ("reschedule_count", 2),
        ):
            with self.assertRaises(AccessError, msg=fname):
                order.with_user(self.center_agent).write({fname: value})
        self.assertEqual((order.reschedule_reason, order.reschedule_count), (False, 0))

    # ------------------------------------------------------------------
    # Owner not home
    # ------------------------------------------------------------------
    def test_owner_not_home_is_counted_with_a_door_photo_and_the_agent_re_books(self):
        order = self.notified()
        with freeze_time(self.at(0.5)):
            order.write({"appointment_start": self.at(3), "appointment_end": self.at(5)})
        with freeze_time(self.at(4)):
            with self.assertRaisesRegex(UserError, "photo of the door"):
                order._portal_owner_not_home("敲门无人应答", [])
            order._portal_owner_not_home("敲门无人应答", [("门口.png", PNG)])
        self.assertRecordValues(
            order, [{"no_show_count": 1, "no_show_date": self.at(4), "appointment_start": False, "state": "notified"}]
        )
        self.assertEqual(order.no_show_photo_ids.mimetype, "image/png")
        self.assertTrue(order.activity_ids.filtered(lambda a: "not home" in a.summary))
        with freeze_time(self.at(5.5)):
            self.env["csw.repair.order"]._cron_flag_overdue()
        self.assertFalse(order.appointment_missed, "the team came: the visit is not missed")
        with freeze_time(self.at(20)):
            order.write({"appointment_start": self.at(24), "appointment_end": self.at(25)})
        with freeze_time(self.at(24.5)):
            order._portal_owner_not_home("", [("门口.png", PNG)])
        self.assertEqual(order.no_show_count, 2)

    # ------------------------------------------------------------------
    # Access to the windows
    # ------------------------------------------------------------------
    def test_windows_are_seen_by_the_owner_and_the_team_of_the_order_only(self):
        order = self.notified()
        with freeze_time(self.at(1)):
            order._portal_propose_windows([(self.at(5), self.at(7))])
        Window = self.env["csw.appointment.window"]
        self.assertEqual(Window.with_user(self.owner_user).search([]), order.appointment_window_ids)
        self.assertEqual(Window.with_user(self.team_user).search([]), order.appointment_window_ids)
        stranger = self.env["res.partner"].create({"name": "吴丽华"})
        stranger_user = new_test_user(
            self.env, login="appointment_stranger", groups="base.group_portal", partner_id=stranger.id,
            company_id=self.company.id, company_ids=[self.company.id],
        )  # fmt: skip
        self.assertFalse(Window.with_user(stranger_user).search([]))
        with self.assertRaises(AccessError):
            order.appointment_window_ids.with_user(self.team_user).write({"start": self.at(6)})

    # ------------------------------------------------------------------
    # Speed
    # ------------------------------------------------------------------
    def test_reminders_take_as_many_queries_for_few_or_many_visits(self):
        bathroom = self.category("waterproofing_bathroom").id
        counts = []
        # a first run warms the caches
        for size, day in ((1, 0), (3, 3), (12, 6)):
            notified = NOTIFIED + timedelta(days=day)
            with freeze_time(notified):
                orders = self.env["csw.repair.order"].create(
                    [
                        {"unit_id": self.unit.id, "location": f"主卫天花{n}", "category_id": bathroom}
                        for n in range(size)
                    ]
                )
                # notified as action_notify does, without rendering the notice
                orders.write({"state": "notified", "notify_date": notified, "notify_method": "verbal"})
                visit = notified + timedelta(hours=24)
                orders.write({"appointment_start": visit, "appointment_end": visit + timedelta(hours=2)})
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time(notified + timedelta(minutes=30)):
                before = self.cr.sql_log_count
                self.env["csw.repair.order"]._cron_send_appointment_reminders()
                self.env.flush_all()
                counts.append(self.cr.sql_log_count - before)
            self.assertTrue(all(orders.mapped("reminder_day_before_sent")))
            self.assertEqual(len(self.reminders(orders[-1])), 2)
        self.assertEqual(counts[1], counts[2], f"queries for 3 and 12 visits (after a first run): {counts}")
