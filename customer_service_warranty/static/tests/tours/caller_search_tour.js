/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Enter in the list searches finds the caller by phone, unit (as owners say it) or owner name,
 * in the tickets, the callbacks and the units, at desktop and phone width.
 */
function openSearch() {
    return {
        content: "Open the search (a button on a phone)",
        trigger: ".o_control_panel",
        run() {
            if (!document.querySelector(".o_searchview_input")) {
                document.querySelector(".o_control_panel button:has(> .fa-search)").click();
            }
        },
    };
}

function searchFinds(text, row) {
    return [
        openSearch(),
        {
            content: `Type ${text}`,
            trigger: ".o_searchview_input",
            run: `edit ${text}`,
        },
        {
            content: "Press Enter",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: `The caller's record is found by ${text}`,
            trigger: `.o_searchview_facet:contains(${text})`,
        },
        {
            content: "It is listed",
            trigger: `.o_content .o_data_row:contains(${row}), .o_content .o_kanban_record:contains(${row})`,
        },
        {
            content: "Clear the search",
            trigger: ".o_searchview_facet:last .o_facet_remove",
            run: "click",
        },
    ];
}

function searchesOf(action, row) {
    return [
        {
            content: `Open ${action}`,
            trigger: "body",
            run() {
                window.location.assign(`/odoo/action-customer_service_warranty.${action}?view_type=list`);
            },
            expectUnloadPage: true,
        },
        { content: "The list is shown", trigger: ".o_list_view, .o_kanban_view" },
        ...searchFinds("13800138000", row),
        ...searchFinds("Zhou Xiaoming", row),
        ...searchFinds("3栋2单元1102", row),
        ...searchFinds("Jade Lake Garden 3-2-1102", row),
    ];
}

registry.category("web_tour.tours").add("csw_caller_search", {
    url: "/odoo",
    steps: () => [
        ...searchesOf("csw_ticket_action", "Balcony drain blocked"),
        ...searchesOf("csw_callback_action", "3-2-1102"),
        ...searchesOf("csw_unit_action", "3-2-1102"),
    ],
});
