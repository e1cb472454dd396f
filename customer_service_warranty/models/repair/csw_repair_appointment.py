"""The visit of the team: the appointment agreed with the owner, its reminders, the check-in on
site, the owner's sign-off (验收) and the visits where the owner was not home."""

import secrets
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from ..base.csw_locale import company_locale
from ..base.csw_portal_upload import attachment_values
from .csw_repair_order import AGENT, UNDER_WAY_REPAIR_STATES

_lt = LazyTranslate(__name__)

# an acceptance code is six digits; five wrong ones lock it for half an hour
ACCEPTANCE_CODE_DIGITS = 6
ACCEPTANCE_MAX_FAILURES = 5
ACCEPTANCE_LOCK_MINUTES = 30
# local hours: the reminder of the day before is due from 09:00 that day, the morning one from 07:00
DAY_BEFORE_REMINDER_HOUR = 9
MORNING_REMINDER_HOUR = 7
# the time zone of the visits when neither the company nor the owner has one
DEFAULT_TZ = "Asia/Shanghai"

CHECK_IN_ACTION = _lt("the team's check-in on the portal")
SIGN_OFF_ACTION = _lt("the owner's sign-off on the portal or the acceptance code")
NOT_HOME_ACTION = _lt("the team's report that the owner was not home")
REMINDER_ACTION = _lt("the reminders of the visit")

LOCATION_STATUSES = [
    ("recorded", "Recorded"),
    ("refused", "Refused by the Foreman"),
    ("unavailable", "Unavailable"),
]
SIGN_OFF_METHODS = [
    ("portal", "Owner on the Portal"),
    ("code", "Acceptance Code"),
]


class CswRepairOrderAppointment(models.Model):
    _inherit = "csw.repair.order"

    # the owner's link: read by staff only (the portal pages and templates read it through
    # ``_portal_ensure_token``)
    access_token = fields.Char(groups="base.group_user")

    # The appointment (预约上门时间)
    appointment_start = fields.Datetime(
        string="Visit From",
        tracking=True,
        copy=False,
        index=True,
        help="The visit agreed with the owner: set by the agent during the call, or the window the owner "
        "picked among the team's proposals. It must start before the team's entry deadline.",
    )
    appointment_end = fields.Datetime(string="Visit Until", tracking=True, copy=False)
    appointment_window_ids = fields.One2many("csw.appointment.window", "order_id", string="Proposed Windows")
    reschedule_reason = fields.Char(readonly=True, copy=False, help="Why the owner last asked to move the visit.")
    reschedule_count = fields.Integer(readonly=True, copy=False)
    appointment_missed = fields.Boolean(
        string="Visit Missed",
        readonly=True,
        copy=False,
        help="The team did not check in by the end of the agreed visit: flagged as a late entry.",
    )
    # computed to reset them when the visit moves; the reminder cron sets them
    reminder_day_before_sent = fields.Boolean(compute="_compute_reminders_sent", store=True, readonly=False, copy=False)
    reminder_morning_sent = fields.Boolean(compute="_compute_reminders_sent", store=True, readonly=False, copy=False)

    # The check-in on site (上门打卡): its time is the entry date
    check_in_latitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    check_in_longitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    check_in_accuracy = fields.Float(string="Location Accuracy (m)", readonly=True, copy=False)
    check_in_location_status = fields.Selection(
        LOCATION_STATUSES,
        string="Check-in Location",
        readonly=True,
        copy=False,
        help="Whether the foreman's phone gave its location at the check-in; a refusal never blocks it.",
    )
    before_photo_ids = fields.Many2many(
        "ir.attachment", "csw_repair_order_before_photo_rel", "order_id", "attachment_id", string="Before Photos"
    )

    # The owner's sign-off (验收)
    acceptance_code = fields.Char(
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="The one-time code shown to the owner only; the foreman enters it when marking the job done.",
    )
    acceptance_code_failures = fields.Integer(readonly=True, copy=False, groups=AGENT)
    acceptance_code_locked_until = fields.Datetime(readonly=True, copy=False, groups=AGENT)
    owner_sign_off = fields.Selection(
        SIGN_OFF_METHODS, string="Owner Sign-off", readonly=True, copy=False, tracking=True
    )
    owner_sign_off_date = fields.Datetime(string="Signed Off On", readonly=True, copy=False)

    # Owner not home (业主不在家)
    no_show_count = fields.Integer(string="Owner Not Home", readonly=True, copy=False, aggregator="sum")
    no_show_date = fields.Datetime(string="Last Owner Not Home", readonly=True, copy=False)
    no_show_photo_ids = fields.Many2many(
        "ir.attachment", "csw_repair_order_no_show_photo_rel", "order_id", "attachment_id", string="Door Photos"
    )

    @api.depends("appointment_start")
    def _compute_reminders_sent(self):
        # a new visit time is reminded again
        self.reminder_day_before_sent = False
        self.reminder_morning_sent = False

    # ------------------------------------------------------------------
    # Booking rules
    # ------------------------------------------------------------------
    @api.constrains("appointment_start", "appointment_end", "entry_deadline")
    def _check_appointment(self):
        for order in self:
            if bool(order.appointment_start) != bool(order.appointment_end):
                raise ValidationError(
                    self.env._("Repair order %(order)s: a visit has a start and an end.", order=order.name)
                )
            if not order.appointment_start:
                continue
            if order.appointment_end <= order.appointment_start:
                raise ValidationError(
                    self.env._("Repair order %(order)s: the visit must end after it starts.", order=order.name)
                )
            if order.entry_deadline and order.appointment_start > order.entry_deadline:
                raise ValidationError(
                    self.env._(
                        "Repair order %(order)s: the visit at %(start)s is after the team's entry deadline "
                        "%(deadline)s, which still binds the team. Book an earlier visit, or agree a later "
                        "entry deadline first.",
                        order=order.name,
                        start=self.env["csw.locale"]._format_datetime(order.appointment_start, order.company_id),
                        deadline=self.env["csw.locale"]._format_datetime(order.entry_deadline, order.company_id),
                    )
                )

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            "check_in_latitude": CHECK_IN_ACTION,
            "check_in_longitude": CHECK_IN_ACTION,
            "check_in_accuracy": CHECK_IN_ACTION,
            "check_in_location_status": CHECK_IN_ACTION,
            "before_photo_ids": CHECK_IN_ACTION,
            "acceptance_code": _lt("the Notify Team button"),
            "acceptance_code_failures": SIGN_OFF_ACTION,
            "acceptance_code_locked_until": SIGN_OFF_ACTION,
            "reschedule_reason": _lt("the owner's request to reschedule on the portal"),
            "reschedule_count": _lt("the owner's request to reschedule on the portal"),
            "owner_sign_off": SIGN_OFF_ACTION,
            "owner_sign_off_date": SIGN_OFF_ACTION,
            "no_show_count": NOT_HOME_ACTION,
            "no_show_date": NOT_HOME_ACTION,
            "no_show_photo_ids": NOT_HOME_ACTION,
            "appointment_missed": _lt("the hourly check of overdue teams"),
            "reminder_day_before_sent": REMINDER_ACTION,
            "reminder_morning_sent": REMINDER_ACTION,
        }

    def _csw_check_write(self, vals):
        super()._csw_check_write(vals)
        if not ({"appointment_start", "appointment_end"} & vals.keys()):
            return
        changed = self.filtered(
            lambda o: (
                not (
                    o._csw_unchanged("appointment_start", vals.get("appointment_start", o.appointment_start))
                    and o._csw_unchanged("appointment_end", vals.get("appointment_end", o.appointment_end))
                )
            )
        )
        closed = changed.filtered(lambda o: o.state not in ("draft", "notified"))
        if closed:
            raise UserError(
                self.env._(
                    "Repair order %(order)s: the team is on site or the order is closed; its visit cannot be "
                    "booked or moved.",
                    order=closed[0].name,
                )
            )
        start = fields.Datetime.to_datetime(vals.get("appointment_start"))
        if changed and start and start < fields.Datetime.now():
            raise ValidationError(self.env._("A visit is booked in the future, not in the past."))

    def _reschedule_cutoff(self):
        """The last moment the owner may still move the visit on the portal."""
        self.ensure_one()
        return self.appointment_start - timedelta(hours=self.company_id.csw_reschedule_cutoff_hours)

    def _set_appointment(self, start, end):
        """Book the visit (agent, owner's pick): the proposals are settled by the booking."""
        self.ensure_one()
        self._check_state_in(("draft", "notified"), self.env._("booked"))
        if not start or start < fields.Datetime.now():
            raise ValidationError(self.env._("A visit is booked in the future, not in the past."))
        self._csw_workflow_write({"appointment_start": start, "appointment_end": end, "reschedule_reason": False})
        self.sudo().appointment_window_ids.unlink()

    # ------------------------------------------------------------------
    # Portal: the team proposes, the owner picks or asks to move the visit
    # ------------------------------------------------------------------
    def _portal_propose_windows(self, windows):
        """The team proposes visit windows; each must fit before its entry deadline.

        :param windows: list of ``(start, end)`` UTC datetimes
        """
        self.ensure_one()
        self._portal_check_team_may_act()
        self._check_state_in(("notified",), self.env._("given visit windows"))
        if not windows:
            raise UserError(self.env._("Propose at least one visit window, with its start and end."))
        now = fields.Datetime.now()
        for start, end in windows:
            if start < now:
                raise ValidationError(self.env._("A visit window is proposed in the future, not in the past."))
            if end <= start:
                raise ValidationError(self.env._("A visit window must end after it starts."))
            if self.entry_deadline and start > self.entry_deadline:
                raise ValidationError(
                    self.env._(
                        "A visit window cannot start after your entry deadline %(deadline)s.",
                        deadline=self.env["csw.locale"]._format_datetime(self.entry_deadline, self.company_id),
                    )
                )
        self.env["csw.appointment.window"].sudo().create(
            [{"order_id": self.id, "start": start, "end": end} for start, end in windows]
        )
        self._message_log(
            body=Markup("<p>%s</p>")
            % self.env._("The team proposed %(count)s visit window(s) to the owner.", count=len(windows))
        )
        return True

    def _portal_pick_window(self, window):
        """The owner picks one of the team's windows: it becomes the appointment."""
        self.ensure_one()
        if window.order_id != self:
            raise UserError(self.env._("This visit window was not proposed for this repair."))
        self._set_appointment(window.start, window.end)
        self._message_log(body=Markup("<p>%s</p>") % self.env._("The owner picked the visit window on the portal."))
        return True

    def _portal_request_reschedule(self, reason):
        """The owner asks to move the visit, with a reason, until the cut-off before it.

        The visit is called off and the agent re-books it; the entry deadline does not move.
        """
        self.ensure_one()
        self._check_state_in(("notified",), self.env._("rescheduled"))
        if not self.appointment_start:
            raise UserError(self.env._("There is no visit booked to move."))
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the visit must be moved."))
        if fields.Datetime.now() > self._reschedule_cutoff():
            raise UserError(
                self.env._(
                    "The visit is less than %(hours)s hours away: it can no longer be moved here. Please call "
                    "the customer service.",
                    hours=self.company_id.csw_reschedule_cutoff_hours,
                )
            )
        reason = reason.strip()
        self._csw_workflow_write(
            {
                "appointment_start": False,
                "appointment_end": False,
                "reschedule_reason": reason,
                "reschedule_count": self.reschedule_count + 1,
            }
        )
        self._csw_note_and_todo(
            {self.id: Markup("<p>%s</p>") % self.env._("The owner asked to move the visit: %(reason)s", reason=reason)},
            self.env._("Owner asks to reschedule the visit: book a new one"),
            lambda order: order.user_id or order.project_id.cs_user_id,
        )
        return True

    # ------------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------------
    def _visit_tz(self):
        self.ensure_one()
        return pytz.timezone(self.partner_id.tz or self.company_id.partner_id.tz or DEFAULT_TZ)

    def _reminder_times(self):
        """The moments (UTC) from which the reminders of the day before and of the morning are due."""
        self.ensure_one()
        tz = self._visit_tz()
        day = pytz.utc.localize(self.appointment_start).astimezone(tz).date()

        def at(date, hour):
            return tz.localize(datetime.combine(date, time(hour))).astimezone(pytz.utc).replace(tzinfo=None)

        day_start = tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        return at(day - timedelta(days=1), DAY_BEFORE_REMINDER_HOUR), day_start, at(day, MORNING_REMINDER_HOUR)

    @api.model
    @company_locale
    def _cron_send_appointment_reminders(self):
        """Remind the owner and the team of the visit: the day before, and on its morning; each once.

        A visit booked on its day gets the morning reminder only.
        """
        now = fields.Datetime.now()
        orders = self.sudo().search(
            [
                ("state", "=", "notified"),
                ("appointment_start", ">", now),
                ("appointment_start", "<", now + timedelta(days=2)),
                "|",
                ("reminder_day_before_sent", "=", False),
                ("reminder_morning_sent", "=", False),
            ]
        )
        day_before, morning = self.browse(), self.browse()
        for order in orders:
            day_before_from, day_start, morning_from = order._reminder_times()
            if not order.reminder_day_before_sent and day_before_from <= now < day_start:
                day_before |= order
            elif not order.reminder_morning_sent and now >= morning_from:
                morning |= order
        messages = [
            order._appointment_reminder(partner) for order in day_before | morning for partner in order._reminded()
        ]
        self._csw_send_visit_messages(messages)
        day_before._csw_workflow_write({"reminder_day_before_sent": True})
        # a morning reminder makes the one of the day before pointless
        morning._csw_workflow_write({"reminder_day_before_sent": True, "reminder_morning_sent": True})

    def _reminded(self):
        """Who is reminded of the visit: the owner and the team."""
        self.ensure_one()
        return (self.partner_id | self.subcontractor_id).filtered("email")

    def _appointment_reminder(self, partner):
        self.ensure_one()
        order = self.with_context(lang=partner.lang or self.env.lang, tz=self._visit_tz().zone)
        start = fields.Datetime.context_timestamp(order, self.appointment_start)
        end = fields.Datetime.context_timestamp(order, self.appointment_end)
        env = order.env
        return {
            "order": self,
            "partner": partner,
            "subject": env._("Repair visit %(number)s on %(date)s", number=self.name, date=f"{start:%Y-%m-%d}"),
            "body": env._(
                "Reminder: the repair visit of %(unit)s (%(location)s) is booked on %(date)s between %(start)s "
                "and %(end)s.",
                unit=self.unit_id.display_name,
                location=self.location or "",
                date=f"{start:%Y-%m-%d}",
                start=f"{start:%H:%M}",
                end=f"{end:%H:%M}",
            ),
        }

    @api.model
    def _csw_send_visit_messages(self, messages):
        """Deliver the messages of the visits: the one place an SMS or WeChat gateway plugs in.

        Each message is a dict with ``order``, ``partner`` (the recipient), ``subject`` and
        ``body`` (plain text). This sends them by e-mail; a gateway module overrides this
        method, sends what it can and passes the rest to ``super()``.
        """
        if not messages:
            return
        email_from = self.env.company.email_formatted or self.env.user.email_formatted
        self.env["mail.mail"].sudo().create(
            [
                {
                    "subject": message["subject"],
                    "body_html": Markup("<p>%s</p>") % message["body"],
                    "email_from": email_from,
                    # given, or each message searches the aliases for its own
                    "reply_to": email_from,
                    "recipient_ids": [Command.set(message["partner"].ids)],
                    "model": self._name,
                    "res_id": message["order"].id,
                }
                for message in messages
            ]
        )

    # ------------------------------------------------------------------
    # Check-in on site
    # ------------------------------------------------------------------
    def _portal_check_in(self, latitude=None, longitude=None, accuracy=None, refused=False, uploads=()):
        """The foreman checks in on arrival: the time is the entry date; the location when given.

        A refused or missing location is recorded and never blocks the check-in.

        :param uploads: the before photos, list of ``(file name, content bytes)``
        """
        self.ensure_one()
        self._portal_check_team_may_act()
        self._check_state_in(("notified",), self.env._("checked in"))
        position = _valid_position(latitude, longitude, accuracy)
        values = (
            {
                "check_in_latitude": position[0],
                "check_in_longitude": position[1],
                "check_in_accuracy": position[2],
                "check_in_location_status": "recorded",
            }
            if position
            else {"check_in_location_status": "refused" if refused else "unavailable"}
        )
        if uploads:
            photos = attachment_values(self.env, self.company_id, uploads, self._name)
            attachments = self.env["ir.attachment"].sudo().create([{**vals, "res_id": self.id} for vals in photos])
            values["before_photo_ids"] = [Command.link(a.id) for a in attachments]
        self.action_start()
        self._csw_workflow_write(values)
        statuses = dict(self._fields["check_in_location_status"]._description_selection(self.env))
        self._message_log(
            body=Markup("<p>%s</p>")
            % self.env._(
                "The team checked in on site (location: %(status)s).",
                status=statuses[values["check_in_location_status"]],
            )
        )
        return True

    @api.model
    @company_locale
    def _cron_flag_overdue(self):
        """Besides the deadlines: a team that did not check in by the end of the agreed visit is
        flagged as a late entry."""
        super()._cron_flag_overdue()
        missed = self.sudo().search(
            [
                ("state", "=", "notified"),
                ("is_overdue", "=", False),
                ("appointment_end", "<", fields.Datetime.now()),
            ]
        )
        if not missed:
            return
        missed._csw_workflow_write({"is_overdue": True, "overdue_kind": "entry", "appointment_missed": True})
        bodies = {
            order.id: Markup("<p>%s</p>")
            % self.env._(
                "%(team)s did not check in during the visit agreed with the owner (until %(end)s).",
                team=order.subcontractor_id.display_name,
                end=self.env["csw.locale"]._format_datetime(order.appointment_end, order.company_id),
            )
            for order in missed
        }
        missed._csw_note_and_todo(
            bodies,
            self.env._("Team missed the visit: re-book it or arrange a substitute repair?"),
            lambda order: order.project_id.cs_user_id or order.user_id,
        )

    # ------------------------------------------------------------------
    # The owner's sign-off and the acceptance code (验收码)
    # ------------------------------------------------------------------
    def _send_notices(self):
        """Each notice (and each reopening) gives the owner a new acceptance code."""
        result = super()._send_notices()
        self.sudo().write(
            {
                "acceptance_code_failures": 0,
                "acceptance_code_locked_until": False,
                "owner_sign_off": False,
                "owner_sign_off_date": False,
                "appointment_missed": False,
            }
        )
        # each order its own code
        for order in self.sudo():
            order.acceptance_code = f"{secrets.randbelow(10**ACCEPTANCE_CODE_DIGITS):0{ACCEPTANCE_CODE_DIGITS}d}"
        return result

    def _portal_acceptance_code(self, viewer):
        """The code shown on the owner's page while the work may be signed off: to the owner
        logged in only, never to whoever holds a link with the order's token (security review M10).

        :param viewer: the user reading the page (the page's records are read as the superuser)
        """
        self.ensure_one()
        if self.state not in UNDER_WAY_REPAIR_STATES or self.owner_sign_off:
            return False
        if viewer._is_public() or viewer.partner_id.commercial_partner_id != self.partner_id.commercial_partner_id:
            return False
        return self.sudo().acceptance_code

    def _portal_ensure_token(self):
        """The owner's link opens the order without a login: only staff and the owner get it.

        The team reads the order on its portal, so Odoo would let it mint the owner's link
        (``get_portal_url``) and open the owner's page with it (security review M10).
        """
        if not self.env.su and self.env.user.share:
            owner = self.env.user.partner_id.commercial_partner_id
            if any(order.partner_id.commercial_partner_id != owner for order in self):
                raise AccessError(self.env._("The link of a repair order is the owner's: it is not given to a team."))
        return super(CswRepairOrderAppointment, self.sudo())._portal_ensure_token()

    def _sign_off(self, method):
        self.sudo().write(
            {
                "owner_sign_off": method,
                "owner_sign_off_date": fields.Datetime.now(),
                # single use
                "acceptance_code": False,
            }
        )

    def _portal_owner_sign_off(self):
        """The owner confirms on the portal that the work was done."""
        self.ensure_one()
        self._check_state_in(("in_progress", "done"), self.env._("signed off by the owner"))
        if self.owner_sign_off:
            raise UserError(self.env._("Repair order %(order)s is signed off already.", order=self.name))
        self._sign_off("portal")
        self._message_log(body=Markup("<p>%s</p>") % self.env._("The owner confirmed the repair on the portal."))
        return True

    def _portal_mark_done_with_code(self, note, uploads, code):
        """The foreman marks done with the owner's acceptance code.

        :return: False for a wrong code (the failure is counted and nothing else is written)
        """
        self.ensure_one()
        self._portal_check_team_may_act()
        self._check_state_in(UNDER_WAY_REPAIR_STATES, self.env._("marked done"))
        now = fields.Datetime.now()
        sudo = self.sudo()
        if sudo.acceptance_code_locked_until and sudo.acceptance_code_locked_until > now:
            raise UserError(
                self.env._(
                    "Too many wrong acceptance codes: try again after %(time)s, or mark the job done without it.",
                    time=self.env["csw.locale"]._format_datetime(sudo.acceptance_code_locked_until, sudo.company_id),
                )
            )
        if not sudo.acceptance_code or not secrets.compare_digest(sudo.acceptance_code, (code or "").strip()):
            failures = sudo.acceptance_code_failures + 1
            locked = failures >= ACCEPTANCE_MAX_FAILURES
            sudo.write(
                {
                    "acceptance_code_failures": 0 if locked else failures,
                    "acceptance_code_locked_until": now + timedelta(minutes=ACCEPTANCE_LOCK_MINUTES)
                    if locked
                    else False,
                }
            )
            return False
        self._sign_off("code")
        return self._portal_mark_done(note, uploads)

    def action_done(self):
        """A job done without the owner's sign-off goes to the agent to verify."""
        unsigned = self.filtered(lambda o: not o.owner_sign_off)
        # checked by super() first: a refusal there rolls all of this back
        self._check_state_in(UNDER_WAY_REPAIR_STATES, self.env._("marked done"))
        if unsigned:
            note = Markup("<p>%s</p>") % self.env._(
                "Marked done without the owner's sign-off: verify the repair with the owner."
            )
            unsigned._csw_note_and_todo(
                dict.fromkeys(unsigned.ids, note),
                self.env._("Done without the owner's sign-off: verify the repair"),
                lambda order: order.user_id or order.project_id.cs_user_id,
            )
        return super().action_done()

    # ------------------------------------------------------------------
    # Owner not home (业主不在家)
    # ------------------------------------------------------------------
    def _portal_owner_not_home(self, note, uploads):
        """The team came and the owner was not home: a photo of the door proves it. The visit is
        called off and the agent is asked to re-book it."""
        self.ensure_one()
        self._portal_check_team_may_act()
        self._check_state_in(("notified",), self.env._("reported with the owner not home"))
        if not uploads:
            raise UserError(self.env._("Take a photo of the door: it shows the team came."))
        photos = attachment_values(self.env, self.company_id, uploads, self._name)
        attachments = self.env["ir.attachment"].sudo().create([{**vals, "res_id": self.id} for vals in photos])
        self._csw_workflow_write(
            {
                "no_show_count": self.no_show_count + 1,
                "no_show_date": fields.Datetime.now(),
                "no_show_photo_ids": [Command.link(a.id) for a in attachments],
            }
        )
        self.sudo().write({"appointment_start": False, "appointment_end": False})
        body = Markup("<p>%s</p>") % self.env._(
            "The team came and the owner was not home. %(note)s", note=(note or "").strip()
        )
        self._csw_note_and_todo(
            {self.id: body},
            self.env._("Owner not home: re-book the visit"),
            lambda order: order.user_id or order.project_id.cs_user_id,
        )
        return True


def _valid_position(latitude, longitude, accuracy):
    """``(latitude, longitude, accuracy)`` as floats when they make a position, else ``None``."""
    try:
        position = float(latitude), float(longitude), float(accuracy or 0)
    except (TypeError, ValueError):
        return None
    lat, lon, acc = position
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and acc >= 0) or lat != lat or lon != lon or acc != acc:
        return None
    return position
