/** @odoo-module **/

import { registry } from "@web/core/registry";
import { attachPhoto } from "@customer_service_warranty/../tests/tours/tour_utils";

/**
 * An owner reports a leak from the portal: their home, where, what kind, what they see,
 * a photo; the request is acknowledged on the ticket's page.
 */
registry.category("web_tour.tours").add("csw_owner_repair_request", {
    url: "/my",
    steps: () => [
        {
            content: "Open my homes from the portal home",
            trigger: ".o_portal_index_card a[href='/my/homes']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Report a problem",
            trigger: "a.o_csw_new_request",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Choose the home",
            trigger: "#csw_repair_request_form select[name=unit_id]",
            run: "selectByLabel T8-0808",
        },
        {
            content: "Say where in the home",
            trigger: "#csw_repair_request_form input[name=location]",
            run: "edit Master bathroom ceiling",
        },
        {
            content: "Choose the kind of problem",
            trigger: "#csw_repair_request_form select[name=category_id]",
            run: "selectByLabel Bathroom leaks",
        },
        {
            content: "Describe the problem",
            trigger: "#csw_repair_request_form textarea[name=description]",
            run: "edit Water drips from the ceiling when the upstairs shower runs.",
        },
        attachPhoto("#csw_repair_request_form input[name=photos]", "ceiling.png"),
        {
            content: "Send the request",
            trigger: "#csw_repair_request_form button.o_csw_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The request is received, on its own page",
            trigger: ".o_csw_request_received",
            run() {
                if (!/\/my\/tickets\/\d+\?submitted=1$/.test(window.location.href)) {
                    throw new Error(`unexpected page after the request: ${window.location.href}`);
                }
            },
        },
    ],
});
