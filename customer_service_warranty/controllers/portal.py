from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from .portal_progress import OwnerProgress

PAGE_SIZE = 20


class CswCustomerPortal(CustomerPortal):
    """The owners' and the subcontractor teams' pages of the portal.

    Owners see their units with the warranty left, their tickets, repair orders and the
    callbacks to answer, and submit repair requests. Teams see the repair orders they were
    notified of, confirm entry and report them done. Every record is read as the portal
    user (record rules decide), and changed with the model's own checks.

    The lists that write nothing are read-only routes, served by the read replica when one
    is configured (``db_replica_host``). Not the owner's lists of tickets and repairs: their
    links give each record its portal access token the first time they are shown (a write),
    nor the pages a form sends the owner to after a change.
    """

    # ------------------------------------------------------------------
    # Domains and counters
    # ------------------------------------------------------------------
    def _csw_owner(self):
        """The owner is the user's own partner: owners recorded as contacts of one company
        do not see each other's homes."""
        return request.env.user.partner_id

    def _csw_team(self):
        """The team is the foreman's company: its foremen share its jobs."""
        return request.env.user.partner_id.commercial_partner_id

    def _csw_units_domain(self):
        return [("owner_id", "=", self._csw_owner().id)]

    def _csw_tickets_domain(self):
        return [("partner_id", "=", self._csw_owner().id)]

    def _csw_repairs_domain(self):
        return [("partner_id", "=", self._csw_owner().id)]

    def _csw_callbacks_domain(self):
        """The callbacks due: a periodic one is answered from its date on."""
        return [
            ("partner_id", "=", self._csw_owner().id),
            ("state", "=", "planned"),
            ("scheduled_date", "<=", fields.Datetime.now()),
        ]

    def _csw_jobs_domain(self):
        """The jobs of the team: as responsible team (also once taken over, read-only), and as
        the substitute team engaged (代维班组)."""
        team = self._csw_team().id
        return [
            "|",
            ("subcontractor_id", "child_of", team),
            ("repair_team_id", "child_of", team),
            ("state", "!=", "draft"),
        ]

    def _csw_owned_unit(self):
        return request.env["csw.unit"].sudo().search([("owner_id", "=", self._csw_owner().id)], limit=1)

    def _csw_company(self, unit=None):
        """The developer serving the user: the company of the owner's homes or of the team's
        jobs, else the user's own."""
        unit = self._csw_owned_unit() if unit is None else unit
        if unit:
            return unit.company_id
        jobs = request.env["csw.repair.order"].search(self._csw_jobs_domain(), limit=1)
        return jobs.sudo().company_id or request.env.user.company_id

    def _csw_tz(self, company):
        """Times are shown in the user's time zone, else in the service center's."""
        return request.env.user.tz or company.resource_calendar_id.tz or "UTC"

    def _csw_progress(self):
        callbacks = request.env["csw.callback"].search(self._csw_callbacks_domain()).sudo()
        return OwnerProgress(request.env, callbacks, self._csw_tz(self._csw_company()))

    def _prepare_portal_layout_values(self):
        """Every /my page shows the notices of the open incidents covering the owner's units
        (read through the controller: owners have no access to incidents), and the customer
        service hotline."""
        values = super()._prepare_portal_layout_values()
        values["csw_incident_notices"] = request.env["csw.incident"]._portal_notices(self._csw_owner())
        unit = self._csw_owned_unit()
        company = self._csw_company(unit)
        values["csw_is_owner"] = bool(unit)
        values["csw_is_service_user"] = self._csw_is_service_user(unit)
        values["csw_hotline"] = company.phone
        values["csw_tz"] = self._csw_tz(company)
        return values

    def _csw_is_service_user(self, unit):
        """An owner of a home (``unit``) or a team's foreman: the portal is theirs, not a
        customer's account (no invoices)."""
        user = request.env.user
        if not user._is_portal():
            return False
        return bool(
            unit
            or request.env["csw.subcontract"]
            .sudo()
            .search_count([("partner_id", "child_of", self._csw_team().id)], limit=1)
            or request.env["csw.repair.order"].search_count(self._csw_jobs_domain(), limit=1)
        )

    def _csw_count(self, model, domain):
        Model = request.env[model]
        return Model.search_count(domain) if Model.has_access("read") else 0

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        counts = {
            "csw_unit_count": ("csw.unit", self._csw_units_domain),
            "csw_ticket_count": ("csw.ticket", self._csw_tickets_domain),
            "csw_repair_count": ("csw.repair.order", self._csw_repairs_domain),
            "csw_callback_count": ("csw.callback", self._csw_callbacks_domain),
            "csw_job_count": ("csw.repair.order", self._csw_jobs_domain),
        }
        for counter, (model, domain) in counts.items():
            if counter in counters:
                values[counter] = self._csw_count(model, domain())
        return values

    def _csw_list(self, model, domain, url, page, order, page_name, records_name, history, **values):
        Model = request.env[model]
        total = Model.search_count(domain)
        pager = portal_pager(url=url, total=total, page=page, step=PAGE_SIZE)
        records = Model.search(domain, order=order, limit=PAGE_SIZE, offset=pager["offset"])
        request.session[history] = records.ids[:100]
        values.update(
            {
                records_name: records.sudo(),
                "pager": pager,
                "page_name": page_name,
                "default_url": url,
                "csw_progress": self._csw_progress(),
            }
        )
        return self._prepare_portal_layout_values() | values

    def _csw_run(self, action):
        """Run a portal action; a refusal rolls it back whole and is shown on the next page."""
        try:
            with request.env.cr.savepoint():
                action()
        except UserError as error:
            request.session["csw_portal_error"] = error.args[0]
            return False
        return True

    def _csw_pop_error(self):
        return request.session.pop("csw_portal_error", None)

    def _csw_record(self, model, record_id, access_token=None):
        """The record as sudo when the portal user may read it; ``None`` otherwise."""
        try:
            return self._document_check_access(model, record_id, access_token)
        except (AccessError, MissingError):
            return None

    # ------------------------------------------------------------------
    # Owners: units and their warranty
    # ------------------------------------------------------------------
    @http.route(["/my/homes"], type="http", auth="user", website=True, readonly=True)
    def portal_my_homes(self, **kw):
        units = request.env["csw.unit"].search(self._csw_units_domain())
        values = self._prepare_portal_layout_values() | {"units": units.sudo(), "page_name": "csw_homes"}
        return request.render("customer_service_warranty.portal_my_homes", values)

    @http.route(["/my/homes/<int:unit_id>"], type="http", auth="user", website=True)
    def portal_my_home_unit(self, unit_id, **kw):
        unit = self._csw_record("csw.unit", unit_id)
        if unit is None:
            return request.redirect("/my")
        # the shared categories and the unit's company's, as the repair request lists them
        categories = unit.env["csw.defect.category"].search(
            [("parent_id", "=", False), ("company_id", "in", [False, unit.company_id.id])], order="sequence, id"
        )
        values = self._prepare_portal_layout_values() | {
            "unit": unit,
            "warranty_lines": unit._get_warranty_lines(categories),
            "repairs": unit.repair_order_ids.filtered(lambda o: o.state != "cancelled"),
            "csw_progress": self._csw_progress(),
            "page_name": "csw_home",
        }
        return request.render("customer_service_warranty.portal_my_home_unit", values)

    # ------------------------------------------------------------------
    # Owners: tickets and repair orders
    # ------------------------------------------------------------------
    @http.route(["/my/tickets", "/my/tickets/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_tickets(self, page=1, **kw):
        values = self._csw_list(
            "csw.ticket",
            self._csw_tickets_domain(),
            "/my/tickets",
            page,
            "received_date desc, id desc",
            "csw_tickets",
            "tickets",
            "my_csw_tickets_history",
        )
        return request.render("customer_service_warranty.portal_my_tickets", values)

    @http.route(["/my/tickets/<int:ticket_id>"], type="http", auth="public", website=True)
    def portal_my_ticket(self, ticket_id, access_token=None, **kw):
        ticket = self._csw_record("csw.ticket", ticket_id, access_token)
        if ticket is None:
            return request.redirect("/my")
        values = self._prepare_portal_layout_values() | self._get_page_view_values(
            ticket, access_token, {"ticket": ticket, "page_name": "csw_ticket"}, "my_csw_tickets_history", False, **kw
        )
        values["submitted"] = kw.get("submitted")
        values["csw_progress"] = progress = self._csw_progress()
        values["timeline"] = progress.ticket_timeline(ticket)
        return request.render("customer_service_warranty.portal_my_ticket", values)

    @http.route(["/my/repairs", "/my/repairs/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_repairs(self, page=1, **kw):
        values = self._csw_list(
            "csw.repair.order",
            self._csw_repairs_domain(),
            "/my/repairs",
            page,
            "report_date desc, id desc",
            "csw_repairs",
            "repairs",
            "my_csw_repairs_history",
        )
        return request.render("customer_service_warranty.portal_my_repairs", values)

    @http.route(["/my/repairs/<int:order_id>"], type="http", auth="public", website=True)
    def portal_my_repair(self, order_id, access_token=None, **kw):
        order = self._csw_record("csw.repair.order", order_id, access_token)
        if order is None:
            return request.redirect("/my")
        if self._csw_team() in (order.subcontractor_id | order.repair_team_id).commercial_partner_id:
            return request.redirect(f"/my/jobs/{order.id}")
        values = self._prepare_portal_layout_values() | self._get_page_view_values(
            order, access_token, {"order": order, "page_name": "csw_repair"}, "my_csw_repairs_history", False, **kw
        )
        values["csw_progress"] = progress = self._csw_progress()
        values["timeline"] = progress.repair_timeline(order)
        return request.render("customer_service_warranty.portal_my_repair", values)

    # ------------------------------------------------------------------
    # Owners: a repair request with photos
    # ------------------------------------------------------------------
    @http.route(["/my/repair-request"], type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_repair_request(self, **post):
        units = request.env["csw.unit"].search(self._csw_units_domain()).sudo()
        # the shared categories and those of the companies of the owner's homes
        categories = (
            request.env["csw.defect.category"].sudo().search([("company_id", "in", [False, *units.company_id.ids])])
        )
        values = self._prepare_portal_layout_values() | {
            "units": units,
            "categories": categories,
            "category_families": self._csw_category_families(categories),
            "page_name": "csw_repair_request",
            "post": post,
        }
        if request.httprequest.method != "POST":
            return request.render("customer_service_warranty.portal_repair_request", values)
        unit = units.filtered(lambda u: str(u.id) == post.get("unit_id"))
        category = categories.filtered(
            lambda c: str(c.id) == post.get("category_id") and c.company_id in (unit.company_id, c.env["res.company"])
        )
        uploads = [(f.filename, f.read()) for f in request.httprequest.files.getlist("photos") if f.filename]
        created = request.env["csw.ticket"]

        def submit():
            nonlocal created
            if not unit:
                raise UserError(request.env._("Choose the home where the problem is."))
            created = request.env["csw.ticket"]._portal_create_repair_request(
                self._csw_owner(), unit, post.get("location"), category, post.get("description"), uploads
            )

        if not self._csw_run(submit):
            values["error"] = self._csw_pop_error()
            return request.render("customer_service_warranty.portal_repair_request", values)
        return request.redirect(f"/my/tickets/{created.id}?submitted=1")

    def _csw_category_families(self, categories):
        """``[(family, its categories)]``: the select lists the short names under their family
        (the top category), rather than long full paths cut off on a phone."""
        families = {}
        for category in categories:  # in tree order
            family = category.browse(int(category.parent_path.split("/")[0]))
            if category == family and category.child_ids & categories:
                continue  # a family with sub-categories: the owner picks one of them
            families.setdefault(family, category.browse())
            families[family] |= category
        return list(families.items())

    # ------------------------------------------------------------------
    # Owners: callbacks to answer
    # ------------------------------------------------------------------
    @http.route(["/my/callbacks"], type="http", auth="user", website=True)
    def portal_my_callbacks(self, **kw):
        callbacks = request.env["csw.callback"].search(self._csw_callbacks_domain(), order="deadline, id")
        values = self._prepare_portal_layout_values() | {
            "callbacks": callbacks.sudo(),
            # 5 (very satisfied) first, in the user's language
            "satisfaction_choices": callbacks._fields["satisfaction"]._description_selection(request.env),
            "page_name": "csw_callbacks",
            "answered": kw.get("answered"),
            "error": self._csw_pop_error(),
        }
        return request.render("customer_service_warranty.portal_my_callbacks", values)

    @http.route(["/my/callbacks/<int:callback_id>/answer"], type="http", auth="user", website=True, methods=["POST"])
    def portal_answer_callback(self, callback_id, satisfaction=None, comment=None, **kw):
        callback = self._csw_record("csw.callback", callback_id)
        if callback is None or callback.partner_id != self._csw_owner():
            return request.redirect("/my")
        # only the callbacks listed to the owner: planned and due
        if not request.env["csw.callback"].search_count([("id", "=", callback.id), *self._csw_callbacks_domain()]):
            request.session["csw_portal_error"] = request.env._(
                "This callback cannot be answered: it is answered already or not due yet."
            )
            return request.redirect("/my/callbacks")
        if not self._csw_run(lambda: callback._portal_answer(satisfaction, comment)):
            return request.redirect("/my/callbacks")
        return request.redirect("/my/callbacks?answered=1")

    # ------------------------------------------------------------------
    # Teams: the repair orders they were notified of
    # ------------------------------------------------------------------
    @http.route(["/my/jobs", "/my/jobs/page/<int:page>"], type="http", auth="user", website=True, readonly=True)
    def portal_my_jobs(self, page=1, **kw):
        values = self._csw_list(
            "csw.repair.order",
            self._csw_jobs_domain(),
            "/my/jobs",
            page,
            # open jobs first, the next visit first, then the most urgent entry
            "state_rank, appointment_start, entry_deadline, id",
            "csw_jobs",
            "jobs",
            "my_csw_jobs_history",
        )
        return request.render("customer_service_warranty.portal_my_jobs", values)

    def _csw_job(self, order_id):
        """The team's own order (sudo), or ``None``: owners cannot act as the team."""
        order = self._csw_record("csw.repair.order", order_id)
        team = self._csw_team()
        if order is None or team not in (order.subcontractor_id | order.repair_team_id).commercial_partner_id:
            return None
        # still sudo, but as the foreman (not the superuser): the chatter logs the team's
        # actions under the foreman's name, not OdooBot's
        return order.with_user(request.env.user).sudo().with_context(csw_portal_team_id=team.id)

    @http.route(["/my/jobs/<int:order_id>"], type="http", auth="user", website=True)
    def portal_my_job(self, order_id, **kw):
        order = self._csw_job(order_id)
        if order is None:
            return request.redirect("/my")
        values = self._get_page_view_values(
            order, None, {"order": order, "page_name": "csw_job"}, "my_csw_jobs_history", False, **kw
        )
        values["error"] = self._csw_pop_error()
        return request.render("customer_service_warranty.portal_my_job", values)

    @http.route(["/my/jobs/<int:order_id>/photos/<int:photo_id>"], type="http", auth="user")
    def portal_job_photo(self, order_id, photo_id, **kw):
        """A defect photo of the team's job, while the job is theirs; no access token is made."""
        order = self._csw_job(order_id)
        if order is None or not order._portal_team_may_act():
            raise NotFound()
        photo = order._portal_photos().filtered(lambda attachment: attachment.id == photo_id)
        if not photo:
            raise NotFound()
        return request.env["ir.binary"]._get_stream_from(photo).get_response()

    @http.route(["/my/jobs/<int:order_id>/start"], type="http", auth="user", website=True, methods=["POST"])
    def portal_job_start(self, order_id, **kw):
        order = self._csw_job(order_id)
        if order is None:
            return request.redirect("/my")
        self._csw_run(order._portal_confirm_entry)
        return request.redirect(f"/my/jobs/{order.id}")

    @http.route(["/my/jobs/<int:order_id>/done"], type="http", auth="user", website=True, methods=["POST"])
    def portal_job_done(self, order_id, completion_note=None, **kw):
        order = self._csw_job(order_id)
        if order is None:
            return request.redirect("/my")
        uploads = [(f.filename, f.read()) for f in request.httprequest.files.getlist("photos") if f.filename]
        self._csw_run(lambda: order._portal_mark_done(completion_note, uploads))
        return request.redirect(f"/my/jobs/{order.id}")
