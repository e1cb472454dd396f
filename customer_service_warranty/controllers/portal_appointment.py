from datetime import datetime

import pytz

from odoo import http
from odoo.http import request

from .portal import CswCustomerPortal

MAX_WINDOWS = 3


class CswAppointmentPortal(CswCustomerPortal):
    """The visit on the portal: the team proposes windows, checks in on site, reports the owner
    not home and closes with the owner's acceptance code; the owner picks a window, asks to move
    the visit and signs the repair off."""

    def _csw_parse_local(self, value):
        """A ``datetime-local`` input of the user, as a naive UTC datetime (``None`` if invalid)."""
        try:
            local = datetime.strptime(value or "", "%Y-%m-%dT%H:%M")
        except ValueError:
            return None
        tz = pytz.timezone(request.env.user.tz or request.env.context.get("tz") or "Asia/Shanghai")
        return tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)

    def _csw_owner_order(self, order_id):
        """The owner's own order (sudo), or ``None``: a team cannot act as the owner."""
        order = self._csw_record("csw.repair.order", order_id)
        if order is None or order.partner_id != self._csw_owner():
            return None
        return order

    # ------------------------------------------------------------------
    # Owners
    # ------------------------------------------------------------------
    @http.route()
    def portal_my_repair(self, order_id, access_token=None, **kw):
        response = super().portal_my_repair(order_id, access_token=access_token, **kw)
        if getattr(response, "qcontext", None) is not None:
            response.qcontext["error"] = self._csw_pop_error()
        return response

    @http.route(
        ["/my/repairs/<int:order_id>/windows/<int:window_id>/pick"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_repair_pick_window(self, order_id, window_id, **kw):
        order = self._csw_owner_order(order_id)
        if order is None:
            return request.redirect("/my")
        window = order.appointment_window_ids.filtered(lambda w: w.id == window_id)
        self._csw_run(lambda: order._portal_pick_window(window))
        return request.redirect(f"/my/repairs/{order.id}")

    @http.route(["/my/repairs/<int:order_id>/reschedule"], type="http", auth="user", website=True, methods=["POST"])
    def portal_repair_reschedule(self, order_id, reason=None, **kw):
        order = self._csw_owner_order(order_id)
        if order is None:
            return request.redirect("/my")
        self._csw_run(lambda: order._portal_request_reschedule(reason))
        return request.redirect(f"/my/repairs/{order.id}")

    @http.route(["/my/repairs/<int:order_id>/sign-off"], type="http", auth="user", website=True, methods=["POST"])
    def portal_repair_sign_off(self, order_id, **kw):
        order = self._csw_owner_order(order_id)
        if order is None:
            return request.redirect("/my")
        self._csw_run(order._portal_owner_sign_off)
        return request.redirect(f"/my/repairs/{order.id}")

    # ------------------------------------------------------------------
    # Teams
    # ------------------------------------------------------------------
    @http.route(["/my/jobs/<int:order_id>/windows"], type="http", auth="user", website=True, methods=["POST"])
    def portal_job_windows(self, order_id, **kw):
        order = self._csw_job(order_id)
        if order is None:
            return request.redirect("/my")
        form = request.httprequest.form
        windows = []
        pairs = zip(form.getlist("window_start"), form.getlist("window_end"), strict=False)
        for start, end in list(pairs)[:MAX_WINDOWS]:
            if not (start or end):
                continue
            windows.append((self._csw_parse_local(start), self._csw_parse_local(end)))
        if any(start is None or end is None for start, end in windows):
            request.session["csw_portal_error"] = request.env._("Give each visit window a start and an end.")
        else:
            self._csw_run(lambda: order._portal_propose_windows(windows))
        return request.redirect(f"/my/jobs/{order.id}")

    @http.route(["/my/jobs/<int:order_id>/check-in"], type="http", auth="user", website=True, methods=["POST"])
    def portal_job_check_in(self, order_id, latitude=None, longitude=None, accuracy=None, location=None, **kw):
        order = self._csw_job(order_id)
        if order is None:
            return request.redirect("/my")
        uploads = [(f.filename, f.read()) for f in request.httprequest.files.getlist("photos") if f.filename]
        self._csw_run(
            lambda: order._portal_check_in(
                latitude, longitude, accuracy, refused=location == "refused", uploads=uploads
            )
        )
        return request.redirect(f"/my/jobs/{order.id}")

    @http.route(["/my/jobs/<int:order_id>/not-home"], type="http", auth="user", website=True, methods=["POST"])
    def portal_job_not_home(self, order_id, note=None, **kw):
        order = self._csw_job(order_id)
        if order is None:
            return request.redirect("/my")
        uploads = [(f.filename, f.read()) for f in request.httprequest.files.getlist("photos") if f.filename]
        self._csw_run(lambda: order._portal_owner_not_home(note, uploads))
        return request.redirect(f"/my/jobs/{order.id}")

    @http.route()
    def portal_job_done(self, order_id, completion_note=None, acceptance_code=None, **kw):
        if not (acceptance_code or "").strip():
            return super().portal_job_done(order_id, completion_note=completion_note, **kw)
        order = self._csw_job(order_id)
        if order is None:
            return request.redirect("/my")
        uploads = [(f.filename, f.read()) for f in request.httprequest.files.getlist("photos") if f.filename]
        accepted = []

        def mark_done():
            accepted.append(order._portal_mark_done_with_code(completion_note, uploads, acceptance_code))

        if self._csw_run(mark_done) and not accepted[0]:
            request.session["csw_portal_error"] = request.env._(
                "This is not the owner's acceptance code: ask the owner for the code shown on their page."
            )
        return request.redirect(f"/my/jobs/{order.id}")
