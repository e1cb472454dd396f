/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A customer-service agent takes an owner's phone call: a ticket for the owner's unit,
 * then a repair order for the leak, from the ticket.
 */
registry.category("web_tour.tours").add("csw_agent_phone_call", {
    url: "/odoo/action-customer_service_warranty.csw_ticket_action",
    steps: () => [
        {
            content: "Record a new ticket",
            trigger: ".o_control_panel .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Find the caller's unit",
            trigger: ".o_form_view .o_field_widget[name=unit_id] input",
            run: "edit T8-0808",
        },
        {
            content: "Pick the unit",
            trigger: ".o-autocomplete--dropdown-menu .ui-menu-item a:contains(T8-0808)",
            run: "click",
        },
        {
            content: "Sum up the call",
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Water through the bathroom ceiling",
        },
        {
            content: "Save the ticket",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The ticket is saved",
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "Create a repair order from the ticket",
            trigger: ".o_form_view .o_form_statusbar button[name=action_new_repair_order]",
            run: "click",
        },
        {
            content: "The repair order's form is open",
            trigger: ".o_form_view .o_field_widget[name=subcontract_id]",
        },
        {
            content: "Say where the defect is",
            trigger: ".o_form_view:has(.o_field_widget[name=subcontract_id]) .o_field_widget[name=location] input",
            run: "edit Master bathroom ceiling",
        },
        {
            content: "Find the defect category",
            trigger: ".o_form_view .o_field_widget[name=category_id] input",
            run: "edit WP-BATH",
        },
        {
            content: "Pick the category",
            trigger: ".o-autocomplete--dropdown-menu .ui-menu-item a:contains(Bathroom leaks)",
            run: "click",
        },
        {
            content: "Save the repair order",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The repair order is saved",
            trigger: ".o_form_view:has(.o_field_widget[name=subcontract_id]) .o_form_saved",
        },
    ],
});
