"""The data of the run, created over JSON-RPC as the administrator of a fresh database.

Two companies; in the first, one estate per load client (a unit, a waterproofing team in
force, notified in writing) and the users of every role; in the second, an estate whose
ids the fuzzer sends from the first company's users.
"""

import base64

from rpc import Client

ADDON = "customer_service_warranty"
PASSWORD = "reliability"


def xmlid(admin, module, name):
    rows = admin.call("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], ["res_id"])
    if not rows:
        raise RuntimeError(f"{module}.{name} is missing")
    return rows[0]["res_id"]


def seed(url, db, clients, report_url):
    admin = Client(url, db, "admin", "admin")
    admin.call("ir.config_parameter", "set_param", "report.url", report_url)
    company = admin.call("res.users", "read", [2], ["company_id"])[0]["company_id"][0]
    if not admin.call("account.journal", "search", [("type", "=", "purchase"), ("company_id", "=", company)]):
        admin.call("account.chart.template", "try_loading", "generic_coa", company)
    admin.call("res.company", "write", [company], {"name": "云山置业有限公司"})
    other_company = admin.call("res.company", "create", {"name": "海岸地产有限公司"})
    admin.call("res.users", "write", [2], {"company_ids": [(4, other_company)]})

    groups = {
        name: xmlid(admin, module, xml)
        for name, (module, xml) in {
            "user": ("base", "group_user"),
            "portal": ("base", "group_portal"),
            "project": (ADDON, "group_csw_project_agent"),
            "center": (ADDON, "group_csw_center_agent"),
            "manager": (ADDON, "group_csw_manager"),
            "billing": ("account", "group_account_invoice"),
        }.items()
    }

    def user(login, name, group_names, company_id=company, partner_id=None):
        values = {
            "login": login,
            "name": name,
            "password": PASSWORD,
            "company_id": company_id,
            "company_ids": [(6, 0, [company_id])],
            "groups_id": [(6, 0, [groups[g] for g in group_names])],
        }
        if partner_id:
            values["partner_id"] = partner_id
        else:
            # an address to post from: a note in the chatter (a callback's "No Answer", an
            # assessment) is refused to a user without one
            values["email"] = f"{login}@example.com"
        return admin.call("res.users", "create", values)

    data = {"company": company, "other_company": other_company, "password": PASSWORD}
    data["agent"] = user("rel_agent", "客服专员", ["user", "center"])
    # a project agent: works on the estates they are a member of (the tamper family's estate)
    data["project_agent"] = user("rel_project_agent", "项目客服", ["user", "project"])
    data["manager"] = user("rel_manager", "客服经理", ["user", "manager"])
    data["accountant"] = user("rel_accountant", "财务经理", ["user", "manager", "billing"])
    data["other_agent"] = user("rel_other_agent", "海岸客服", ["user", "center"], other_company)
    owner = admin.call(
        "res.partner", "create", {"name": "周晓明", "mobile": "13800138000", "email": "zhou@example.com"}
    )
    other_owner = admin.call("res.partner", "create", {"name": "李秀英", "mobile": "13900139000"})
    data["owner_partner"], data["other_owner_partner"] = owner, other_owner
    data["owner"] = user("rel_owner", "周晓明", ["portal"], partner_id=owner)
    data["other_owner"] = user("rel_other_owner", "李秀英", ["portal"], partner_id=other_owner)

    waterproofing = xmlid(admin, ADDON, "category_waterproofing")
    data["category"] = xmlid(admin, ADDON, "category_waterproofing_bathroom")
    data["repairer"] = admin.call(
        "res.partner", "create", {"name": "佛山快修工程队", "is_company": True, "csw_repair_team": True}
    )

    def estate(index, company_id, agent):
        project = admin.call(
            "csw.project",
            "create",
            {
                "name": f"云山花园{index}期",
                "code": f"REL{index}",
                "company_id": company_id,
                "completion_date": "2024-01-10",
                "handover_date": "2024-06-01",
                "cs_user_id": agent,
            },
        )
        unit = admin.call(
            "csw.unit",
            "create",
            {"name": f"{index}-1-1201", "project_id": project, "owner_id": owner, "handover_date": "2024-06-01"},
        )
        team = admin.call(
            "res.partner",
            "create",
            {"name": f"顺安防水工程有限公司{index}", "is_company": True, "email": f"team{index}@example.com"},
        )
        subcontract = admin.call(
            "csw.subcontract",
            "create",
            {
                "name": f"REL-FB-{index:03d}",
                "partner_id": team,
                "project_id": project,
                "category_ids": [(6, 0, [waterproofing])],
                "amount": 1_000_000,
                "agency_fee_percent": 50,
                "entry_hours": 24,
            },
        )
        admin.call("csw.subcontract", "action_activate", [subcontract])
        return {"project": project, "unit": unit, "team": team, "subcontract": subcontract}

    data["estates"] = [estate(index, company, data["agent"]) for index in range(1, clients + 1)]
    # the owners' homes of the portal tests: one of the owner, one of another owner
    data["other_owner_unit"] = admin.call(
        "csw.unit", "create", {"name": "9-9-909", "project_id": data["estates"][0]["project"], "owner_id": other_owner}
    )
    # the subcontractor's foreman on the portal: a contact of the team's company
    foreman = admin.call(
        "res.partner",
        "create",
        {"name": "陈工头", "parent_id": data["estates"][0]["team"], "email": "chen@example.com"},
    )
    data["team_user"] = user("rel_team", "陈工头", ["portal"], partner_id=foreman)
    data["foreign"] = estate(99, other_company, data["other_agent"])
    # an attachment the load clients link as evidence
    data["evidence"] = admin.call(
        "ir.attachment",
        "create",
        {"name": "现场照片.png", "datas": base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 64).decode(), "public": True},
    )
    return data
