/** @odoo-module **/

import { registry } from "@web/core/registry";
import { attachPhoto, expectNoPortalError } from "@customer_service_warranty/../tests/tours/tour_utils";

/**
 * A subcontractor's foreman opens the repair job the team was notified of, confirms
 * being on site, then reports the repair done with a note and a photo.
 */
registry.category("web_tour.tours").add("csw_team_job", {
    url: "/my/jobs",
    steps: () => [
        {
            content: "Open the job",
            trigger: "a.o_csw_job_link:contains(Master bathroom ceiling)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Confirm entry: the team is on site",
            trigger: "button.o_csw_confirm_entry",
            run: "click",
            expectUnloadPage: true,
        },
        expectNoPortalError("#csw_job_done_form"),
        {
            content: "Entry is confirmed: only the completion is left",
            trigger: "body:not(:has(button.o_csw_confirm_entry)) #csw_job_done_form",
        },
        {
            content: "Say what was repaired",
            trigger: "#csw_job_done_form textarea[name=completion_note]",
            run: "edit Waterproofing of the upstairs shower tray redone, ceiling repainted.",
        },
        attachPhoto("#csw_job_done_form input[name=photos]", "repaired.png"),
        {
            content: "Mark the job done",
            trigger: "#csw_job_done_form button.o_csw_mark_done",
            run: "click",
            expectUnloadPage: true,
        },
        expectNoPortalError(".o_csw_job_done"),
    ],
});
