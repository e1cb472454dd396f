from odoo import api, models

AGENT = "customer_service_warranty.group_csw_project_agent"
HOME_ACTION = "customer_service_warranty.csw_ticket_action"


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._csw_set_home_action()
        return users

    def write(self, vals):
        result = super().write(vals)
        if any(key == "groups_id" or key.startswith(("in_group_", "sel_groups_")) for key in vals):
            self._csw_set_home_action()
        return result

    def _csw_set_home_action(self):
        """The customer-service team lands on its tickets, not on Discuss: the phone rings there.
        A home action already chosen for a user is kept."""
        agents = self.filtered(lambda user: not user.action_id and not user.share and user.has_group(AGENT))
        if agents:
            agents.sudo().write({"action_id": self.env.ref(HOME_ACTION).id})
