/** @odoo-module **/

import { registry } from "@web/core/registry";
import { expectNoPortalError } from "@customer_service_warranty/../tests/tours/tour_utils";

/**
 * An owner, on a phone, opens the repair and picks one of the visit times the team proposed.
 */
registry.category("web_tour.tours").add("csw_owner_pick_window", {
    url: "/my/repairs",
    steps: () => [
        {
            content: "Open the repair",
            trigger: "a:contains(Master bathroom ceiling)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The team proposed two times: pick the second",
            trigger: ".o_csw_windows form:nth-of-type(2) button.o_csw_pick_window",
            run: "click",
            expectUnloadPage: true,
        },
        expectNoPortalError(".o_csw_appointment"),
        {
            content: "The visit is booked: the owner may still ask to move it",
            trigger: "body:not(:has(.o_csw_windows)) .o_csw_reschedule_form",
        },
    ],
});
