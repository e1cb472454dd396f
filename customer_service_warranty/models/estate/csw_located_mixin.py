from odoo import api, fields, models


class CswLocatedMixin(models.AbstractModel):
    """A record about a unit of an estate: its estate follows the unit, its company the estate.

    Both are stored and stay editable (a call about the estate has no unit). A model whose
    records come from other records (a callback from its ticket) names them in
    ``_csw_located_from``: their estate and company are used when the unit gives none.
    The model declares its own ``unit_id``.
    """

    _name = "csw.located.mixin"
    _description = "Unit, Estate and Company"

    # many2one fields to records with an estate and a company, tried after the unit
    _csw_located_from = ()

    project_id = fields.Many2one(
        "csw.project",
        string="Estate",
        compute="_compute_project_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
    )

    @api.depends(lambda self: ["unit_id", *self._csw_located_from])
    def _compute_project_id(self):
        for record in self:
            sources = [record.unit_id, *(record[name] for name in self._csw_located_from)]
            record.project_id = next((source.project_id for source in sources if source.project_id), record.project_id)

    @api.depends(lambda self: ["project_id", *self._csw_located_from])
    def _compute_company_id(self):
        for record in self:
            sources = [record.project_id, *(record[name] for name in self._csw_located_from)]
            record.company_id = next(
                (source.company_id for source in sources if source.company_id),
                record.company_id or self.env.company,
            )
