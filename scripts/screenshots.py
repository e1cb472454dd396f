"""Screenshots of the running demo for the user guide, one set per role.

Run through ``./dev.sh screenshots``, which starts Odoo with the demo data and passes its
address. Drives headless Chromium with Playwright; writes PNG files into the addon's
``static/description/`` folder, where the guide (readme/USAGE.md) and README.md show them.
"""

import argparse
import shutil
import sys
import xmlrpc.client
from pathlib import Path

from playwright.sync_api import sync_playwright

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# (login, viewport, file name, path, what must be on the page before the shot)
SHOTS = [
    (
        "csw_center_agent",
        DESKTOP,
        "agent-tickets.png",
        "/odoo/action-customer_service_warranty.csw_ticket_action",
        ".o_kanban_record",
    ),
    (
        "csw_center_agent",
        DESKTOP,
        "agent-repair-orders.png",
        "/odoo/action-customer_service_warranty.csw_repair_order_action?view_type=list",
        ".o_data_row",
    ),
    (
        "csw_center_agent",
        DESKTOP,
        "callback-today.png",
        "/odoo/action-customer_service_warranty.csw_callback_action_to_call",
        ".o_list_view",
    ),
    (
        "csw_center_agent",
        DESKTOP,
        "callback-rate.png",
        "/odoo/action-customer_service_warranty.csw_callback_report_action",
        ".o_pivot",
    ),
    (
        "csw_manager",
        DESKTOP,
        "manager-dashboard.png",
        "/odoo/action-customer_service_warranty.csw_project_action_dashboard",
        ".o_kanban_record",
    ),
    (
        "csw_manager",
        DESKTOP,
        "manager-monthly-report.png",
        "/odoo/action-customer_service_warranty.csw_monthly_report_action?view_type=list",
        ".o_data_row",
    ),
    (
        "csw_manager",
        DESKTOP,
        "manager-scorecard.png",
        "/odoo/action-customer_service_warranty.csw_subcontract_action_scorecard",
        ".o_data_row",
    ),
    (
        "admin",
        DESKTOP,
        "accountant-deductions.png",
        "/odoo/action-customer_service_warranty.csw_deduction_action?view_type=list",
        ".o_data_row",
    ),
    ("csw_owner", PHONE, "owner-landing.png", "/my", ".o_csw_new_request"),
    ("csw_owner", PHONE, "owner-home.png", "/my/homes", ".o_csw_home_card"),
    ("csw_owner", PHONE, "owner-request.png", "/my/repair-request", "#csw_repair_request_form"),
    ("csw_team", PHONE, "team-jobs.png", "/my/jobs", ".o_csw_job_link"),
    (
        "csw_center_agent",
        DESKTOP,
        "agent-visits.png",
        "/odoo/action-customer_service_warranty.csw_repair_order_action_appointments",
        ".o_calendar_renderer",
    ),
]
# one record's page: (login, viewport, file name, path with {id}, model, domain of the record)
RECORDS = [
    (
        "csw_center_agent",
        DESKTOP,
        "agent-ticket-form.png",
        "/odoo/action-customer_service_warranty.csw_ticket_action/{id}",
        "csw.ticket",
        # a repair call of an owner who has called before: the caller card has something to show
        [("ticket_type", "=", "repair"), ("state", "=", "in_progress"), ("unit_id", "!=", False)],
    ),
    (
        "csw_center_agent",
        DESKTOP,
        "agent-repair-order-form.png",
        "/odoo/action-customer_service_warranty.csw_repair_order_action/{id}",
        "csw.repair.order",
        [("is_substitute", "=", True)],
    ),
    (
        "csw_center_agent",
        DESKTOP,
        "callback-form.png",
        "/odoo/action-customer_service_warranty.csw_callback_action/{id}",
        "csw.callback",
        [("satisfaction", "=", "2")],
    ),
    (
        "admin",
        DESKTOP,
        "accountant-deduction-form.png",
        "/odoo/action-customer_service_warranty.csw_deduction_action/{id}",
        "csw.deduction",
        [("state", "=", "posted")],
    ),
    (
        "csw_team",
        PHONE,
        "team-job.png",
        "/my/jobs/{id}",
        "csw.repair.order",
        [("state", "=", "notified"), ("subcontractor_id.name", "=", "陈记瓦工班组")],
    ),
    (
        "csw_owner",
        PHONE,
        "owner-visit.png",
        "/my/repairs/{id}",
        "csw.repair.order",
        [("appointment_window_ids", "!=", False)],
    ),
    (
        "csw_owner",
        PHONE,
        "owner-progress.png",
        "/my/repairs/{id}",
        "csw.repair.order",
        [("partner_id.user_ids.login", "=", "csw_owner"), ("state", "=", "notified")],
    ),
]


def first_record(base, db, model, domain):
    """The id of the first record of ``model`` matching ``domain``, asked as the administrator."""
    common = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/common")
    uid = common.authenticate(db, "admin", "admin", {})
    ids = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/object").execute_kw(
        db, uid, "admin", model, "search", [domain], {"limit": 1}
    )
    if not ids:
        sys.exit(f"the demo has no {model} matching {domain}")
    return ids[0]


def browser_path():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("Chromium is missing: install it (Debian: apt-get install chromium)")


def login(browser, base, user, viewport):
    page = browser.new_page(viewport=viewport, locale="zh-CN")
    page.goto(f"{base}/web/login")
    page.fill("input[name=login]", user)
    page.fill("input[name=password]", "admin" if user == "admin" else user)
    page.click("button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    return page


def shoot(page, base, path, ready, target):
    page.goto(f"{base}{path}")
    page.wait_for_selector(ready, timeout=30_000)
    page.wait_for_timeout(800)  # let charts and badges settle
    page.screenshot(path=str(target), full_page=page.viewport_size["width"] < 500)
    print(f"  {target.name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="address of the running demo, e.g. http://127.0.0.1:8069")
    parser.add_argument("--db", required=True, help="its database")
    parser.add_argument("--out", required=True, type=Path, help="folder of the PNG files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browser_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        for user, viewport, name, path, ready in SHOTS:
            page = login(browser, args.url, user, viewport)
            shoot(page, args.url, path, ready, args.out / name)
            page.close()
        for user, viewport, name, path, model, domain in RECORDS:
            record_id = first_record(args.url, args.db, model, domain)
            page = login(browser, args.url, user, viewport)
            shoot(page, args.url, path.format(id=record_id), ".o_form_view, .o_portal_wrap .card", args.out / name)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
