"""What the repair domain adds to csw.subcontract: its defects and the team's scorecard.

The scorecard ranks the teams of an estate on their repair orders (on-time entry and
completion, reopened repairs, substitute repairs, defects found); the contract is estate
master data, so the figures live here, with the repair orders.
"""

from collections import defaultdict

from odoo import api, fields, models

from ..base.kpi import share
from .csw_repair_order import FINISHED_REPAIR_STATES


class CswSubcontract(models.Model):
    _inherit = "csw.subcontract"

    repair_order_ids = fields.One2many("csw.repair.order", "subcontract_id", string="Defects")
    # Scorecard (set-based, ranked among the teams of the estate)
    defect_count = fields.Integer(string="Defects Found", compute="_compute_scorecard")
    entry_on_time_rate = fields.Float(string="On-time Entry (%)", compute="_compute_scorecard", digits=(5, 1))
    done_on_time_rate = fields.Float(
        string="On-time Completion (%)",
        compute="_compute_scorecard",
        digits=(5, 1),
        help="Repairs finished by their completion deadline, among those finished or overdue.",
    )
    reopen_rate = fields.Float(string="Reopened (%)", compute="_compute_scorecard", digits=(5, 1))
    scorecard_rank = fields.Integer(
        string="Rank",
        compute="_compute_scorecard",
        help="Rank among the teams of the estate: on-time entry first, then on-time completion, "
        "fewest reopened repairs, substitute repairs and defects.",
    )

    @api.model
    def web_search_read(self, domain, specification, offset=0, limit=None, order=None, count_limit=None):
        """The scorecard lists each estate's teams by rank unless the user sorts on a column: the
        rank is computed among the estate's teams, not stored, so it is ordered here."""
        if not self.env.context.get("csw_scorecard_order") or order:
            return super().web_search_read(domain, specification, offset, limit, order, count_limit)
        ranked = self.search(domain).sorted(
            lambda s: (s.project_id.sequence, s.project_id.name or "", s.project_id.id, s.scorecard_rank)
        )
        page = ranked[offset : offset + limit if limit else None]
        return self._format_web_search_read_results(domain, page.web_read(specification), offset, limit, count_limit)

    def _compute_scorecard(self):
        peers = self.search([("project_id", "in", self.project_id.ids), ("state", "!=", "cancelled")]) | self
        metrics = peers._scorecard_metrics()
        ranks = {}
        for _project, teams in peers.grouped("project_id").items():
            ordered = sorted(teams, key=lambda s: metrics[s]["sort_key"])
            ranks.update({subcontract: rank for rank, subcontract in enumerate(ordered, start=1)})
        for subcontract in self:
            values = metrics[subcontract]
            subcontract.defect_count = values["defects"]
            subcontract.entry_on_time_rate = values["entry_on_time_rate"]
            subcontract.done_on_time_rate = values["done_on_time_rate"]
            subcontract.reopen_rate = values["reopen_rate"]
            subcontract.scorecard_rank = ranks.get(subcontract, 0)

    def _scorecard_metrics(self):
        """Defects, on-time entry and completion, reopened repairs of these contracts, in five grouped queries."""
        Order = self.env["csw.repair.order"].sudo()
        mine = [("subcontract_id", "in", self.ids), ("state", "!=", "cancelled")]
        defects = dict(Order._read_group(mine, ["subcontract_id"], ["__count"]))
        entries = defaultdict(lambda: [0, 0])  # decided, on time
        for subcontract, late, count in Order._read_group(
            [*mine, ("notify_date", "!=", False), "|", ("entry_date", "!=", False), ("entry_late", "=", True)],
            ["subcontract_id", "entry_late"],
            ["__count"],
        ):
            entries[subcontract][0] += count
            if not late:
                entries[subcontract][1] += count
        completions = defaultdict(lambda: [0, 0])  # decided, on time
        for subcontract, late, count in Order._read_group(
            [*mine, ("done_deadline", "!=", False), "|", ("done_date", "!=", False), ("done_late", "=", True)],
            ["subcontract_id", "done_late"],
            ["__count"],
        ):
            completions[subcontract][0] += count
            if not late:
                completions[subcontract][1] += count
        completed = defaultdict(lambda: [0, 0])  # completed at least once, reopened
        for subcontract, reopened, count in Order._read_group(
            [*mine, "|", ("state", "in", FINISHED_REPAIR_STATES), ("reopen_count", ">", 0)],
            ["subcontract_id", "reopen_count"],
            ["__count"],
        ):
            completed[subcontract][0] += count
            if reopened:
                completed[subcontract][1] += count
        substitutes = dict(Order._read_group([*mine, ("is_substitute", "=", True)], ["subcontract_id"], ["__count"]))

        metrics = {}
        for subcontract in self:
            decided, on_time = entries[subcontract]
            done, reopened = completed[subcontract]
            finished, finished_on_time = completions[subcontract]
            values = {
                "defects": defects.get(subcontract, 0),
                "entry_on_time_rate": share(on_time, decided) if decided else 100.0,
                "done_on_time_rate": share(finished_on_time, finished) if finished else 100.0,
                "reopen_rate": share(reopened, done),
                "substitutes": substitutes.get(subcontract, 0),
            }
            values["sort_key"] = (
                -values["entry_on_time_rate"],
                -values["done_on_time_rate"],
                values["reopen_rate"],
                values["substitutes"],
                values["defects"],
                subcontract.id,
            )
            metrics[subcontract] = values
        return metrics

    def action_view_defect_map(self):
        """The contract's defects by building and category."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_repair_order_action")
        action.update(
            {
                "domain": [("subcontract_id", "=", self.id), ("state", "!=", "cancelled")],
                "view_mode": "pivot,list,form",
                "views": [(False, "pivot"), (False, "list"), (False, "form")],
                "context": {"pivot_row_groupby": ["building"], "pivot_column_groupby": ["category_id"]},
                "name": self.env._("Defects of %(contract)s", contract=self.display_name),
            }
        )
        return action
