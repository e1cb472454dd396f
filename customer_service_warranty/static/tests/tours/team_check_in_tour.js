/** @odoo-module **/

import { registry } from "@web/core/registry";
import { attachPhoto, expectNoPortalError } from "@customer_service_warranty/../tests/tours/tour_utils";

/**
 * A foreman, on a phone, checks in on site with a photo before the repair, then closes the
 * job with the acceptance code the owner gave.
 */
registry.category("web_tour.tours").add("csw_team_check_in_code", {
    url: "/my/jobs",
    steps: () => [
        {
            content: "Open the job",
            trigger: "a.o_csw_job_link:contains(Master bathroom ceiling)",
            run: "click",
            expectUnloadPage: true,
        },
        attachPhoto("#csw_job_check_in_form input[name=photos]", "before.png"),
        {
            content: "Check in: the team is on site",
            trigger: "#csw_job_check_in_form button.o_csw_check_in",
            run: "click",
            expectUnloadPage: true,
        },
        expectNoPortalError("#csw_job_done_form"),
        {
            content: "Checked in: only the completion is left",
            trigger: "body:not(:has(#csw_job_check_in_form)) #csw_job_done_form",
        },
        {
            content: "Say what was repaired",
            trigger: "#csw_job_done_form textarea[name=completion_note]",
            run: "edit Shower tray waterproofing redone.",
        },
        {
            content: "Enter the owner's acceptance code",
            trigger: "#csw_job_done_form input[name=acceptance_code]",
            run: "edit 246810",
        },
        attachPhoto("#csw_job_done_form input[name=photos]", "after.png"),
        {
            content: "Mark the job done",
            trigger: "#csw_job_done_form button.o_csw_mark_done",
            run: "click",
            expectUnloadPage: true,
        },
        expectNoPortalError(".o_csw_job_done"),
    ],
});
