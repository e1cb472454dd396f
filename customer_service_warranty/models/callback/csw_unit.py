"""What the callback domain adds to csw.unit: its callbacks and their planning.

A change of a unit's dates (handover, start notice, decoration milestones) plans or re-plans
its callbacks (``csw.callback._plan_<kind>``): in the request for a few units, in background
batches for many (an import, an estate's plan changed). The unit is estate master data, so
the planning lives here, with the callbacks; the estate's bulk creation
(``_csw_bulk_creation``) tells when a creation leaves its plans to the background.
"""

from collections import defaultdict

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .csw_callback_plan import MILESTONE_FIELDS

# dates that plan callbacks
PLANNING_FIELDS = ("handover_date", "start_notice_date", *MILESTONE_FIELDS.values())
# the plans a change of dates recomputes: csw.callback._plan_<kind>
PLAN_KINDS = ("construction", "milestones", "periodic")
# units planned per transaction of the background planning (a few seconds each)
PLAN_BATCH_SIZE = 500
# the jobs of the background planning: one per server that may plan at once
PLANNING_CRONS = (
    "customer_service_warranty.ir_cron_plan_callbacks",
    "customer_service_warranty.ir_cron_plan_callbacks_lane_2",
)
# times a batch tries to lock its units when other transactions changed them meanwhile
PLAN_LOCK_ATTEMPTS = 3


def planning_kinds(changed_fields):
    """The plans that follow from a change of the dates ``changed_fields``."""
    kinds = set()
    if "handover_date" in changed_fields or "decoration_completion_date" in changed_fields:
        kinds.add("periodic")
    if any(name in changed_fields for name in MILESTONE_FIELDS.values()):
        kinds.add("milestones")
    if "start_notice_date" in changed_fields or "decoration_completion_date" in changed_fields:
        kinds.add("construction")
    return kinds


class CswUnit(models.Model):
    _inherit = "csw.unit"

    callback_ids = fields.One2many("csw.callback", "unit_id", string="Callbacks")
    callback_plan_pending = fields.Char(
        string="Callbacks to Plan",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The callback plans still to be computed in the background after a change of many units "
        "at once (e.g. 'milestones periodic'); empty once planned.",
    )
    # a decoration estate's plan: it calls the owner after each milestone of the unit's works
    project_callback_plan_id = fields.Many2one(related="project_id.callback_plan_id")

    @api.model_create_multi
    def create(self, vals_list):
        self._check_plan_marker_not_written({name for vals in vals_list for name in vals})
        if self._csw_bulk_creation(vals_list):
            # an import: every plan left to the background planning, marked in the INSERT itself
            pending = " ".join(sorted(planning_kinds(PLANNING_FIELDS)))
            for vals in vals_list:
                vals["callback_plan_pending"] = pending
            units = super().create(vals_list)
            units._log_bulk_creation()
            units._wake_planning()
            return units
        units = super().create(vals_list)
        # the handover date may come from the estate: plan on what was stored
        units._plan_callbacks(planning_kinds(PLANNING_FIELDS))
        return units

    def write(self, vals):
        self._check_plan_marker_not_written(vals)
        result = super().write(vals)
        self._plan_callbacks(planning_kinds(vals))
        return result

    def _log_bulk_creation(self):
        for project, units in self.grouped("project_id").items():
            project._message_log(
                body=self.env._(
                    "%(count)s units created at once (an import): their callbacks are planned in the background.",
                    count=len(units),
                )
            )

    def _check_plan_marker_not_written(self, field_names):
        if "callback_plan_pending" in field_names and not self.env.su:
            raise AccessError(
                self.env._(
                    "Callbacks to Plan of the units cannot be written directly: "
                    "it changes only when their dates change and when the background planning has run."
                )
            )

    def _plan_callbacks(self, kinds):
        """Plan, or re-plan, the callback plans ``kinds`` (see ``PLAN_KINDS``) of these units.

        Up to the company's ``csw_plan_inline_limit`` units are planned at once, in the
        request; more (an import, an estate's plan changed) are marked and planned in
        background batches by ``_cron_plan_callbacks``, so that the request returns at once.
        """
        if not kinds or not self:
            return
        company = self.company_id[:1] or self.env.company
        if len(self) > company.csw_plan_inline_limit:
            self._defer_planning(kinds)
        else:
            self._plan_now(kinds)

    def _plan_now(self, kinds):
        Callback = self.env["csw.callback"]
        for kind in PLAN_KINDS:
            if kind in kinds:
                getattr(Callback, f"_plan_{kind}")(self)

    def _defer_planning(self, kinds):
        """Mark the plans ``kinds`` as to be computed for these units, added to those already
        marked, in one query, and wake the background planning up."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE csw_unit
                   SET callback_plan_pending = (
                        SELECT string_agg(DISTINCT kind, ' ' ORDER BY kind)
                          FROM unnest(string_to_array(COALESCE(callback_plan_pending, ''), ' ') || %s::text[]) kind
                         WHERE kind != ''
                   )
                 WHERE id = ANY(%s)
                """,
                sorted(kinds),
                self.ids,
            )
        )
        self.invalidate_recordset(["callback_plan_pending"])
        self._wake_planning()

    def _wake_planning(self):
        for xmlid in PLANNING_CRONS:
            cron = self.env.ref(xmlid, raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()

    @api.model
    def _cron_plan_callbacks(self, batch_size=PLAN_BATCH_SIZE):
        """Plan the callbacks of the next ``batch_size`` units marked, and report the progress.

        One batch per call: the cron commits after each and calls again while units remain
        (``ir.cron._notify_progress``). The units are taken with ``SKIP LOCKED``, so that
        two servers never plan the same units, and unmarked in the batch's transaction: a
        crash rolls the batch back with its marks, the next run plans it again, and nothing
        is planned twice (``csw.callback._sync_schedule`` creates only what is missing).
        """
        by_kinds = defaultdict(list)
        for unit_id, pending in self._take_units_to_plan(batch_size):
            by_kinds[frozenset(pending.split())].append(unit_id)
        units = self.browse()
        for kinds, ids in by_kinds.items():
            batch = self.browse(ids)
            batch._plan_now(kinds)
            units |= batch
        if units:
            self.env.cr.execute(SQL("UPDATE csw_unit SET callback_plan_pending = NULL WHERE id = ANY(%s)", units.ids))
            units.invalidate_recordset(["callback_plan_pending"])
        remaining = self.with_context(active_test=False).search_count([("callback_plan_pending", "!=", False)])
        self.env["ir.cron"]._notify_progress(done=len(units), remaining=remaining)
        return units

    @api.model
    def _take_units_to_plan(self, batch_size):
        """``(id, plans)`` of the next ``batch_size`` units marked, locked for this transaction.

        Under Odoo's repeatable read, a unit that another transaction (another server's batch,
        a request marking it again) changed since this one began cannot be locked: PostgreSQL
        refuses with a serialization failure. The transaction then starts again, nothing done
        in it yet, and takes the units as they are now.
        """
        query = SQL(
            """
            SELECT id, callback_plan_pending
              FROM csw_unit
             WHERE callback_plan_pending IS NOT NULL
             ORDER BY id
             LIMIT %s
               FOR NO KEY UPDATE SKIP LOCKED
            """,
            batch_size,
        )
        for _attempt in range(PLAN_LOCK_ATTEMPTS - 1):
            try:
                self.env.cr.execute(query, log_exceptions=False)
                return self.env.cr.fetchall()
            except psycopg2.errors.SerializationFailure:
                self.env.cr.rollback()
        # the last attempt lets a failure through: the cron counts it and runs again later
        self.env.cr.execute(query, log_exceptions=False)
        return self.env.cr.fetchall()

    def _periodic_plan_start(self):
        """The day the periodic callbacks count from: the handover, or in a decoration estate
        (an estate with a callback plan) the completion notice of the unit's works."""
        self.ensure_one()
        if self.project_id.callback_plan_id:
            return self.decoration_completion_date
        return self.handover_date
