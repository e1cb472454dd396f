/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A step failing when the page is wider than the screen (a clipped table on a phone).
 *
 * @param {string} trigger what the page must show first
 */
export function expectNoHorizontalScroll(trigger) {
    return {
        content: "The page fits the width of the screen",
        trigger,
        run() {
            const overflow = document.documentElement.scrollWidth - window.innerWidth;
            if (overflow > 1) {
                throw new Error(`the page is ${overflow} px wider than the screen`);
            }
        },
    };
}

/**
 * The owner lands on the portal, finds the report button and the hotline, opens the repair
 * under way and reads its plain status, who is coming and when, and its steps.
 */
registry.category("web_tour.tours").add("csw_owner_progress", {
    url: "/my",
    steps: () => [
        {
            content: "The landing offers to report a problem",
            trigger: ".o_csw_home_actions a.o_csw_new_request[href='/my/repair-request']:visible",
        },
        {
            content: "The customer service hotline is on the page",
            trigger: ".o_csw_hotline a[href='tel:0757-22888888']:visible",
        },
        expectNoHorizontalScroll(".o_csw_hotline"),
        {
            content: "Open my repairs",
            trigger: "a[href='/my/repairs']:visible",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the repair under way",
            trigger: "a:contains(Master bathroom ceiling):visible",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The status is in plain words: the technician is on site",
            trigger: ".o_csw_status[data-status='on_site']:visible",
        },
        {
            content: "Who is coming, with the team's phone",
            trigger: ".o_csw_who_is_coming:has(.o_csw_team_name:contains(Shun'an Waterproofing Co.)) a[href='tel:13902288776']:visible",
        },
        {
            content: "When the visit is",
            trigger: ".o_csw_who_is_coming .o_csw_appointment:visible",
        },
        {
            content: "The steps of the repair, in the order they happened: received, assigned, technician arrived",
            trigger: ".o_csw_timeline .o_csw_timeline_step:contains(technician arrived):visible",
            run() {
                const steps = [...document.querySelectorAll(".o_csw_timeline .o_csw_timeline_step")].map(
                    (step) => step.textContent
                );
                const positions = ["request was received", "repair was assigned", "technician arrived"].map((words) =>
                    steps.findIndex((text) => text.includes(words))
                );
                if (positions.includes(-1) || positions.some((position, i) => i && position < positions[i - 1])) {
                    throw new Error(`the steps are not received, assigned, arrived in that order: ${steps.join(" | ")}`);
                }
            },
        },
        expectNoHorizontalScroll(".o_csw_timeline"),
    ],
});

/**
 * The foreman reads the team's jobs on a phone: cards, nothing cut off.
 */
registry.category("web_tour.tours").add("csw_team_job_list", {
    url: "/my/jobs",
    steps: () => [
        {
            content: "The job is a card with its unit and deadline",
            trigger: ".o_csw_job_card:has(.o_csw_job_deadline:contains(Be on site by)) a.o_csw_job_link:contains(Master bathroom ceiling):visible",
        },
        expectNoHorizontalScroll(".o_csw_job_list"),
    ],
});
