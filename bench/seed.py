"""Data of the benchmarks: an estate group's master data through the ORM, volumes through SQL.

Master data (users, owners, estates, subcontracts, units) is created with the ORM's batch
``create``, as an import would. The bulk volumes that the read benchmarks scan (years of
closed tickets, repair orders, callbacks and assessments, and the open records the crons
work on) are inserted with ``INSERT ... SELECT generate_series``: the rows carry every
stored column the ORM would have computed (deadlines, SLA state, coverage, denormalised
estate, company and owner), so the crons, reports and views read them as their own.
"""

import random
from datetime import date, datetime, timedelta

from odoo import Command, fields

IMPORT_CONTEXT = {
    # what Odoo's import passes (base_import: import_file, and tracking_disable unless
    # "track history" is ticked), plus the keys that silence the chatter on create
    "import_file": True,
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_notrack": True,
}

SUBJECTS = [
    "卫生间天花渗水",
    "外墙渗水",
    "厨房下水堵塞",
    "客厅地砖空鼓",
    "卧室墙面开裂",
    "入户门关不严",
    "窗户渗水",
    "暖气不热",
    "插座没电",
    "阳台地漏反味",
    "咨询保修期",
    "物业服务投诉",
]
LOCATIONS = ["主卫天花", "次卫墙面", "厨房", "客厅", "主卧", "阳台", "外墙", "入户门", "北侧窗户"]
TRADES = ["foundation_structure", "waterproofing", "heating", "cooling", "electrical_plumbing", "decoration"]
# national holidays of mainland China (global leaves of the service calendar), a few days each
HOLIDAYS = [((1, 1), 1), ((2, 10), 7), ((4, 4), 3), ((5, 1), 5), ((6, 10), 3), ((10, 1), 7)]


def ref(env, xmlid):
    return env.ref(f"customer_service_warranty.{xmlid}")


def seed_master(env, volume, log):
    """Users, the service calendar, owners, estates with their teams, units; returns a dict."""
    today = fields.Date.context_today(env.user)
    company = env.company
    company.write({"name": "佛山翠城置业有限公司"})
    calendar = env["resource.calendar"].create(
        {
            "name": "客服中心工作时间",
            "tz": "Asia/Shanghai",
            "company_id": company.id,
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"{day} {period}",
                        "dayofweek": str(day),
                        "hour_from": start,
                        "hour_to": end,
                        "day_period": period,
                    }
                )
                for day in range(6)  # the service centre works on Saturdays
                for period, start, end in (("morning", 9, 12), ("afternoon", 13, 18))
            ],
        }
    )
    env["resource.calendar.leaves"].create(
        [
            {
                "name": f"法定节假日 {year}-{month:02d}-{day:02d}",
                "calendar_id": calendar.id,
                "date_from": datetime(year, month, day) - timedelta(hours=8),
                "date_to": datetime(year, month, day) + timedelta(days=length, hours=-8, seconds=-1),
            }
            for year in range(today.year - 4, today.year + 2)
            for (month, day), length in HOLIDAYS
        ]
    )
    company.resource_calendar_id = calendar

    groups = {
        "agent": ref(env, "group_csw_project_agent"),
        "center": ref(env, "group_csw_center_agent"),
        "manager": ref(env, "group_csw_manager"),
    }
    Users = env["res.users"].with_context(no_reset_password=True, **IMPORT_CONTEXT)

    def user(login, name, group):
        return Users.create(
            {
                "login": login,
                "name": name,
                "email": f"{login}@example.com",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "groups_id": [Command.set([env.ref("base.group_user").id, group.id])],
                "tz": "Asia/Shanghai",
            }
        )

    center_agent = user("bench_center", "客服中心专员", groups["center"])
    manager = user("bench_manager", "客服经理", groups["manager"])
    general_manager = user("bench_gm", "总经理", groups["manager"])
    agents = Users.browse()
    for n in range(volume["agents"]):
        agents |= user(f"bench_agent{n}", f"项目客服{n}", groups["agent"])
    company.write(
        {
            "csw_team_leader_id": center_agent.id,
            "csw_cs_manager_id": manager.id,
            "csw_general_manager_id": general_manager.id,
        }
    )
    log(f"users: {len(agents) + 3}")

    Partner = env["res.partner"].with_context(**IMPORT_CONTEXT)
    owners = Partner.browse()
    for start in range(0, volume["units"], 5000):
        owners |= Partner.create(
            [
                {"name": f"业主{n}", "mobile": f"138{n:08d}", "email": f"owner{n}@example.com"}
                for n in range(start, min(start + 5000, volume["units"]))
            ]
        )
    teams = Partner.create(
        [
            {"name": f"{trade}施工队{n}", "is_company": True, "email": f"team{n}@example.com"}
            for n, trade in enumerate(TRADES * 3)
        ]
    )
    log(f"owners: {len(owners)}, teams: {len(teams)}")

    Project = env["csw.project"].with_context(**IMPORT_CONTEXT)
    estates = Project.browse()
    for n in range(volume["estates"]):
        # completed 3 to 6 years ago, handed over half a year later: the periodic
        # callbacks of the first two years are all in the past
        completion = today - timedelta(days=365 * 3 + 100 * n)
        agent_pair = agents[(2 * n) % len(agents)] | agents[(2 * n + 1) % len(agents)]
        estates |= Project.create(
            {
                "name": f"翠湖苑{n + 1}期",
                "code": f"CHY{n + 1:02d}",
                "company_id": company.id,
                "completion_date": completion,
                "handover_date": completion + timedelta(days=180),
                "cs_user_id": agent_pair[0].id,
                "member_ids": [Command.set(agent_pair.ids)],
                "callback_user_id": agent_pair[-1].id,
            }
        )
    Subcontract = env["csw.subcontract"].with_context(**IMPORT_CONTEXT)
    subcontracts = Subcontract.create(
        [
            {
                "name": f"{estate.code}-FB-{k + 1:03d}",
                "partner_id": teams[(n * 6 + k) % len(teams)].id,
                "project_id": estate.id,
                "category_ids": [Command.set(ref(env, f"category_{trade}").ids)],
                "amount": 1_000_000,
                "entry_hours": 48,
                "agency_fee_percent": 20,
                "state": "active",
            }
            for n, estate in enumerate(estates)
            for k, trade in enumerate(TRADES)
        ]
    )
    Unit = env["csw.unit"].with_context(**IMPORT_CONTEXT)
    units = Unit.browse()
    per_estate = -(-volume["units"] // len(estates))
    for start in range(0, volume["units"], 2000):
        units |= Unit.create(
            [
                {
                    "name": f"{(n % per_estate) // 120 + 1}-{(n % 120) // 60 + 1}-{(n % 60) // 2 + 1}{n % 2 + 1:02d}",
                    "project_id": estates[n // per_estate].id,
                    "owner_id": owners[n].id,
                    "key_account": n % 200 == 0,
                    "key_account_user_id": agents[n % len(agents)].id if n % 200 == 0 else False,
                }
                for n in range(start, min(start + 2000, volume["units"]))
            ]
        )
    log(f"estates: {len(estates)}, subcontracts: {len(subcontracts)}, units: {len(units)}")

    # Odoo's own models, for the reference measurements
    service_project = (
        env["project.project"]
        .with_context(**IMPORT_CONTEXT)
        .create({"name": "售后服务", "privacy_visibility": "employees", "user_id": manager.id})
    )
    product = (
        env["product.product"]
        .with_context(**IMPORT_CONTEXT)
        .create({"name": "燃气热水器", "type": "consu", "list_price": 2800})
    )
    leaf_categories = env["csw.defect.category"].search([("child_ids", "=", False), ("parent_id", "!=", False)])
    return {
        "company": company,
        "calendar": calendar,
        "agents": agents,
        "center_agent": center_agent,
        "manager": manager,
        "owners": owners,
        "estates": estates,
        "subcontracts": subcontracts,
        "units": units,
        "service_project": service_project,
        "product": product,
        "categories": leaf_categories,
    }


# ----------------------------------------------------------------------------
# Values for the ORM's batch create (create throughput)
# ----------------------------------------------------------------------------
def ticket_values(data, count, seed):
    rng = random.Random(seed)
    now = fields.Datetime.now()
    units = data["units"]
    return [
        {
            "name": rng.choice(SUBJECTS),
            "ticket_type": rng.choices(
                ["repair", "consultation", "complaint", "suggestion", "praise"], [60, 20, 10, 5, 5]
            )[0],
            "channel": rng.choices(["phone", "walk_in", "portal", "online_chat", "letter"], [50, 15, 20, 10, 5])[0],
            "priority": rng.choices(["0", "1", "2"], [85, 12, 3])[0],
            "unit_id": units[rng.randrange(len(units))].id,
            "location": rng.choice(LOCATIONS),
            "description": f"<p>{rng.choice(SUBJECTS)},业主来电反映,请尽快安排上门查看。</p>",
            "received_date": now - timedelta(minutes=rng.randrange(60 * 24 * 30)),
        }
        for _n in range(count)
    ]


def repair_order_values(data, count, seed):
    rng = random.Random(seed)
    today = fields.Date.context_today(data["manager"])
    units, categories = data["units"], data["categories"]
    return [
        {
            "unit_id": units[rng.randrange(len(units))].id,
            "location": rng.choice(LOCATIONS),
            "category_id": categories[rng.randrange(len(categories))].id,
            "description": f"<p>{rng.choice(SUBJECTS)},现场查看确认。</p>",
            "report_date": today - timedelta(days=rng.randrange(30)),
        }
        for _n in range(count)
    ]


def odoo_repair_values(data, count, seed):
    rng = random.Random(seed)
    now = fields.Datetime.now()
    owners, agents = data["owners"], data["agents"]
    return [
        {
            "partner_id": owners[rng.randrange(len(owners))].id,
            "product_id": data["product"].id,
            "user_id": agents[rng.randrange(len(agents))].id,
            "schedule_date": now + timedelta(hours=rng.randrange(24 * 14)),
            "internal_notes": f"<p>{rng.choice(SUBJECTS)},现场查看确认。</p>",
            "priority": rng.choices(["0", "1"], [90, 10])[0],
        }
        for _n in range(count)
    ]


def task_values(data, count, seed):
    rng = random.Random(seed)
    today = fields.Date.context_today(data["manager"])
    owners, agents = data["owners"], data["agents"]
    return [
        {
            "name": rng.choice(SUBJECTS),
            "project_id": data["service_project"].id,
            "partner_id": owners[rng.randrange(len(owners))].id,
            "user_ids": [Command.set([agents[rng.randrange(len(agents))].id])],
            "description": f"<p>{rng.choice(SUBJECTS)},业主来电反映,请尽快安排上门查看。</p>",
            "date_deadline": today + timedelta(days=rng.randrange(14)),
            "priority": rng.choices(["0", "1"], [90, 10])[0],
        }
        for _n in range(count)
    ]


# ----------------------------------------------------------------------------
# Bulk volumes through SQL
# ----------------------------------------------------------------------------
def _prepare_sql(env, data):
    """Lookup tables the INSERT ... SELECT statements join: units, teams, categories, policies."""
    cr = env.cr
    cr.execute(
        """
        DROP TABLE IF EXISTS bench_unit, bench_sub, bench_cat, bench_agent;
        CREATE TEMP TABLE bench_unit AS
            SELECT row_number() OVER (ORDER BY u.id) - 1 AS k, u.id, u.project_id, u.company_id, u.owner_id,
                   u.building, u.key_account, p.cs_user_id, p.callback_user_id, u.handover_date
              FROM csw_unit u JOIN csw_project p ON p.id = u.project_id;
        CREATE UNIQUE INDEX ON bench_unit (k);
        CREATE TEMP TABLE bench_sub AS
            SELECT s.project_id, row_number() OVER (PARTITION BY s.project_id ORDER BY s.id) - 1 AS k,
                   s.id, s.partner_id
              FROM csw_subcontract s;
        CREATE UNIQUE INDEX ON bench_sub (project_id, k);
        CREATE TEMP TABLE bench_cat (k int PRIMARY KEY, id int);
        CREATE TEMP TABLE bench_agent (k int PRIMARY KEY, id int);
        """
    )
    cr.execute(
        "INSERT INTO bench_cat SELECT k - 1, id FROM unnest(%s::int[]) WITH ORDINALITY AS t(id, k)",
        [data["categories"].ids],
    )
    cr.execute(
        "INSERT INTO bench_agent SELECT k - 1, id FROM unnest(%s::int[]) WITH ORDINALITY AS t(id, k)",
        [data["agents"].ids],
    )
    policies = {}
    for ticket_type in ("consultation", "complaint", "repair", "suggestion", "praise"):
        policy = env["csw.sla.policy"].search(
            [("ticket_type", "=", ticket_type), ("priority", "in", ("0", False))], order="priority, sequence", limit=1
        )
        policies[ticket_type] = policy.id or None
    return {
        "units": len(data["units"]),
        "categories": len(data["categories"]),
        "agents": len(data["agents"]),
        "policies": policies,
        "admin": env.uid,
    }


TICKET_COLUMNS = """
    number, name, ticket_type, channel, priority, state, received_date, partner_id, partner_phone,
    partner_email, unit_id, project_id, company_id, user_id, sla_policy_id, location, description,
    response_deadline, resolve_deadline, response_risk_date, resolve_risk_date, first_response_date,
    resolved_date, closed_date, response_breached, resolve_on_time, sla_state, escalation_level,
    escalation_date, sla_paused_hours, create_uid, create_date, write_uid, write_date
"""

# one row per g of generate_series: type, channel, unit, agent and times derived from g
TICKET_BASE = """
    SELECT g,
           (ARRAY['repair','repair','repair','repair','repair','repair','repair','repair','repair','repair',
                  'repair','repair','consultation','consultation','consultation','consultation','complaint',
                  'complaint','suggestion','praise'])[1 + g %% 20] AS ticket_type,
           (ARRAY['phone','phone','phone','phone','phone','walk_in','walk_in','portal','portal','online_chat'])
               [1 + (g / 7) %% 10] AS channel,
           CASE WHEN g %% 37 = 0 THEN '2' WHEN g %% 9 = 0 THEN '1' ELSE '0' END AS priority,
           u.id AS unit_id, u.project_id, u.company_id, u.owner_id, u.key_account,
           COALESCE(u.cs_user_id, a.id) AS user_id
      FROM generate_series(%(first)s, %(last)s) AS g
      JOIN bench_unit u ON u.k = (g::bigint * 7919) %% %(units)s
      JOIN bench_agent a ON a.k = g %% %(agents)s
"""


def _policy_case(info):
    cases = " ".join(
        f"WHEN '{ticket_type}' THEN {policy_id}" for ticket_type, policy_id in info["policies"].items() if policy_id
    )
    return f"CASE b.ticket_type {cases} END" if cases else "NULL"


def insert_history_tickets(env, info, first, last, start, end):
    """Closed tickets received evenly between ``start`` and ``end``, numbered g = first..last."""
    span = (end - start).total_seconds()
    env.cr.execute(
        f"""
        INSERT INTO csw_ticket ({TICKET_COLUMNS})
        SELECT 'KF' || to_char(t.received, 'YYYYMM') || lpad(b.g::text, 7, '0'),
               (%(subjects)s::varchar[])[1 + b.g %% %(nsubjects)s], b.ticket_type, b.channel, b.priority,
               CASE WHEN b.g %% 33 = 0 THEN 'cancelled' ELSE 'closed' END,
               t.received, b.owner_id, '138' || lpad(b.owner_id::text, 8, '0'), 'owner' || b.owner_id || '@example.com',
               b.unit_id, b.project_id, b.company_id, b.user_id, {_policy_case(info)},
               (%(locations)s::varchar[])[1 + b.g %% 9], '<p>业主来电反映,请尽快安排上门查看。</p>',
               t.received + interval '4 hours', t.received + interval '72 hours',
               t.received + interval '3 hours', t.received + interval '54 hours',
               t.received + t.respond, t.received + t.resolve, t.received + t.resolve + interval '1 day',
               t.respond > interval '4 hours', t.resolve <= interval '72 hours',
               CASE WHEN t.respond > interval '4 hours' OR t.resolve > interval '72 hours'
                    THEN 'breached' ELSE 'on_track' END,
               CASE WHEN t.respond > interval '4 hours' OR t.resolve > interval '72 hours' THEN 1 ELSE 0 END,
               CASE WHEN t.respond > interval '4 hours' THEN t.received + interval '4 hours' END,
               0, %(admin)s, t.received, %(admin)s, t.received + t.resolve + interval '1 day'
          FROM ({TICKET_BASE}) b,
       LATERAL (SELECT %(start)s::timestamp + (b.g - %(first)s) * %(step)s * interval '1 second' AS received,
                       ((b.g * 13) %% 1000) * interval '15.6 seconds' AS respond,
                       ((b.g * 37) %% 100) * interval '48 minutes' AS resolve) t
        """,
        {
            "first": first,
            "last": last,
            "units": info["units"],
            "agents": info["agents"],
            "admin": info["admin"],
            "start": start,
            "step": span / max(last - first + 1, 1),
            "subjects": SUBJECTS,
            "nsubjects": len(SUBJECTS),
            "locations": LOCATIONS,
        },
    )
    return env.cr.rowcount


def insert_open_tickets(env, info, first, last, now):
    """Open tickets received over the last days; the SLA mix the cron finds at ``now``.

    Per 100 tickets: 1 newly breached (response deadline just passed, not yet flagged),
    1 newly at risk, 1 breached at level 1 for longer than the escalation interval,
    7 breached and already escalated, 10 at risk, 80 on track.
    """
    since = max_id(env, "csw_ticket")
    env.cr.execute(
        f"""
        INSERT INTO csw_ticket ({TICKET_COLUMNS})
        SELECT 'KF' || to_char(t.received, 'YYYYMM') || lpad(b.g::text, 7, '0'),
               (%(subjects)s::varchar[])[1 + b.g %% %(nsubjects)s], b.ticket_type, b.channel, b.priority,
               CASE WHEN b.g %% 10 < 3 THEN 'new' WHEN b.g %% 10 < 9 THEN 'in_progress' ELSE 'waiting' END,
               t.received, b.owner_id, '138' || lpad(b.owner_id::text, 8, '0'), 'owner' || b.owner_id || '@example.com',
               b.unit_id, b.project_id, b.company_id, b.user_id, {_policy_case(info)},
               (%(locations)s::varchar[])[1 + b.g %% 9], '<p>业主来电反映,请尽快安排上门查看。</p>',
               t.response_deadline, t.resolve_deadline, t.response_deadline - interval '1 hour',
               t.resolve_deadline - interval '18 hours',
               CASE WHEN t.bucket >= 2 AND b.g %% 10 > 2 THEN t.received + interval '1 hour' END,
               NULL, NULL, t.bucket BETWEEN 2 AND 9, NULL,
               CASE WHEN t.bucket BETWEEN 2 AND 9 THEN 'breached' WHEN t.bucket = 0 OR t.bucket >= 10 AND t.bucket < 20
                    THEN 'at_risk' ELSE 'on_track' END,
               CASE WHEN t.bucket BETWEEN 2 AND 9 THEN 1 ELSE 0 END,
               CASE WHEN t.bucket = 2 THEN %(now)s::timestamp - interval '25 hours'
                    WHEN t.bucket BETWEEN 3 AND 9 THEN %(now)s::timestamp - interval '2 hours' END,
               0, %(admin)s, t.received, %(admin)s, t.received
          FROM ({TICKET_BASE}) b,
       LATERAL (SELECT b.g %% 100 AS bucket) k,
       LATERAL (
            SELECT k.bucket,
                   CASE WHEN k.bucket = 0 THEN %(now)s::timestamp - interval '4 hours 5 minutes'
                        WHEN k.bucket = 1 THEN %(now)s::timestamp - interval '3 hours 5 minutes'
                        ELSE %(now)s::timestamp - ((b.g * 17) %% 7200) * interval '1 minute' END AS received,
                   CASE WHEN k.bucket = 0 THEN %(now)s::timestamp - interval '5 minutes'
                        WHEN k.bucket = 1 THEN %(now)s::timestamp + interval '55 minutes'
                        WHEN k.bucket BETWEEN 2 AND 9 THEN %(now)s::timestamp - interval '30 hours'
                        ELSE %(now)s::timestamp + interval '2 hours' END AS response_deadline,
                   CASE WHEN k.bucket BETWEEN 10 AND 19 THEN %(now)s::timestamp + interval '6 hours'
                        ELSE %(now)s::timestamp + interval '3 days' END AS resolve_deadline
       ) t
        """,
        {
            "first": first,
            "last": last,
            "units": info["units"],
            "agents": info["agents"],
            "admin": info["admin"],
            "now": now,
            "subjects": SUBJECTS,
            "nsubjects": len(SUBJECTS),
            "locations": LOCATIONS,
        },
    )
    count = env.cr.rowcount
    # the breached ones have had their overdue-response assessment
    env.cr.execute(
        """
        INSERT INTO csw_assessment (user_id, points, amount, company_id, ticket_id, project_id, reason, date,
                                    create_uid, create_date, write_uid, write_date)
        SELECT t.user_id, -5, 50, t.company_id, t.id, t.project_id, 'overdue_response', t.escalation_date::date,
               %(admin)s, t.escalation_date, %(admin)s, t.escalation_date
          FROM csw_ticket t
         WHERE t.id > %(since)s AND t.state IN ('new', 'in_progress', 'waiting') AND t.response_breached
           AND t.user_id IS NOT NULL
        """,
        {"admin": info["admin"], "since": since},
    )
    return count


ORDER_COLUMNS = """
    name, ticket_id, source, unit_id, project_id, company_id, partner_id, building, key_account, location,
    category_id, description, report_date, user_id, owner_damage, coverage, owner_warranty_end,
    subcontractor_liability_end, subcontractor_liable, subcontract_id, subcontractor_id, notify_method,
    notify_date, entry_deadline, entry_date, done_date, verified_date, state, state_rank, is_overdue,
    entry_late, reopen_count, is_substitute, substitute_cost, compensation_amount,
    create_uid, create_date, write_uid, write_date
"""

ORDER_BASE = """
    SELECT g, u.id AS unit_id, u.project_id, u.company_id, u.owner_id, u.building, u.key_account,
           COALESCE(u.cs_user_id, a.id) AS user_id, c.id AS category_id, s.id AS subcontract_id,
           s.partner_id AS team_id,
           (ARRAY['owner','owner','owner','owner','owner','owner','owner','handover','patrol','callback'])
               [1 + (g / 3) %% 10] AS source
      FROM generate_series(%(first)s, %(last)s) AS g
      JOIN bench_unit u ON u.k = (g::bigint * 104729) %% %(units)s
      JOIN bench_agent a ON a.k = g %% %(agents)s
      JOIN bench_cat c ON c.k = (g * 31) %% %(categories)s
      JOIN bench_sub s ON s.project_id = u.project_id AND s.k = g %% 6
"""


def insert_history_orders(env, info, first, last, start, end, tickets):
    """Finished repair orders reported evenly between ``start`` and ``end``.

    :param tickets: ``(first id, count)`` of the history tickets; owners' orders point to one
    """
    span = (end - start).total_seconds()
    env.cr.execute(
        f"""
        INSERT INTO csw_repair_order ({ORDER_COLUMNS})
        SELECT 'WX' || to_char(t.reported, 'YYYYMM') || lpad(b.g::text, 7, '0'),
               CASE WHEN b.source = 'owner'
                    THEN %(ticket0)s + ((b.g - %(first)s)::bigint * %(nticket)s / %(count)s) END,
               b.source, b.unit_id, b.project_id, b.company_id, b.owner_id, b.building, b.key_account,
               (%(locations)s::varchar[])[1 + b.g %% 9], b.category_id, '<p>现场查看确认。</p>',
               t.reported::date, b.user_id, FALSE, 'in_warranty', t.reported::date + 730, t.reported::date + 730,
               TRUE, b.subcontract_id, b.team_id, 'email',
               t.reported + interval '2 hours', t.reported + interval '50 hours',
               t.reported + interval '2 hours' + t.entry, t.reported + interval '1 day' + t.entry,
               CASE WHEN t.state = 'verified' THEN t.reported + interval '3 days' + t.entry END,
               t.state, CASE t.state WHEN 'done' THEN 3 WHEN 'verified' THEN 4 ELSE 5 END,
               t.entry > interval '48 hours' AND b.g %% 3 = 0, t.entry > interval '48 hours', 0,
               b.g %% 50 = 0, CASE WHEN b.g %% 50 = 0 THEN 1500 END, CASE WHEN b.g %% 40 = 0 THEN 800 END,
               %(admin)s, t.reported, %(admin)s, t.reported + interval '3 days'
          FROM ({ORDER_BASE}) b,
       LATERAL (SELECT %(start)s::timestamp + (b.g - %(first)s) * %(step)s * interval '1 second' AS reported,
                       ((b.g * 7) %% 60) * interval '1 hour' AS entry,
                       CASE WHEN b.g %% 20 = 0 THEN 'cancelled' WHEN b.g %% 20 = 1 THEN 'done'
                            ELSE 'verified' END AS state) t
        """,
        {
            "first": first,
            "last": last,
            "count": last - first + 1,
            "units": info["units"],
            "agents": info["agents"],
            "categories": info["categories"],
            "admin": info["admin"],
            "start": start,
            "step": span / max(last - first + 1, 1),
            "locations": LOCATIONS,
            "ticket0": tickets[0],
            "nticket": tickets[1],
        },
    )
    return env.cr.rowcount


def insert_open_orders(env, info, first, last, now):
    """Open repair orders. Per 100: 60 notified (1 whose entry deadline just passed, 5 already
    flagged overdue), 20 in progress, 10 drafts, 10 done and waiting for verification."""
    env.cr.execute(
        f"""
        INSERT INTO csw_repair_order ({ORDER_COLUMNS})
        SELECT 'WX' || to_char(t.reported, 'YYYYMM') || lpad(b.g::text, 7, '0'), NULL,
               b.source, b.unit_id, b.project_id, b.company_id, b.owner_id, b.building, b.key_account,
               (%(locations)s::varchar[])[1 + b.g %% 9], b.category_id, '<p>现场查看确认。</p>',
               t.reported::date, b.user_id, FALSE, 'in_warranty', t.reported::date + 730, t.reported::date + 730,
               TRUE, b.subcontract_id, b.team_id, 'email',
               CASE WHEN t.state != 'draft' THEN t.deadline - interval '48 hours' END,
               CASE WHEN t.state != 'draft' THEN t.deadline END,
               CASE WHEN t.state IN ('in_progress', 'done') THEN t.deadline - interval '24 hours' END,
               CASE WHEN t.state = 'done' THEN %(now)s::timestamp - interval '2 hours' END, NULL,
               t.state, CASE t.state WHEN 'draft' THEN 0 WHEN 'notified' THEN 1 WHEN 'in_progress' THEN 2 ELSE 3 END,
               t.bucket BETWEEN 1 AND 5, t.bucket BETWEEN 1 AND 5, 0, FALSE, NULL, NULL,
               %(admin)s, t.reported, %(admin)s, t.reported
          FROM ({ORDER_BASE}) b,
       LATERAL (SELECT b.g %% 100 AS bucket) k,
       LATERAL (
            SELECT k.bucket,
                   CASE WHEN k.bucket < 60 THEN 'notified' WHEN k.bucket < 80 THEN 'in_progress'
                        WHEN k.bucket < 90 THEN 'draft' ELSE 'done' END AS state,
                   CASE WHEN k.bucket = 0 THEN %(now)s::timestamp - interval '5 minutes'
                        WHEN k.bucket BETWEEN 1 AND 5 THEN %(now)s::timestamp - interval '1 day'
                        ELSE %(now)s::timestamp + ((b.g * 17) %% 2880) * interval '1 minute' END AS deadline,
                   %(now)s::timestamp - ((b.g * 17) %% 14400) * interval '1 minute' AS reported
       ) t
        """,
        {
            "first": first,
            "last": last,
            "units": info["units"],
            "agents": info["agents"],
            "categories": info["categories"],
            "admin": info["admin"],
            "now": now,
            "locations": LOCATIONS,
        },
    )
    return env.cr.rowcount


CALLBACK_COLUMNS = """
    callback_type, state, state_order, ticket_id, repair_order_id, unit_id, project_id, company_id,
    partner_id, subcontractor_id, plan_index, scheduled_date, deadline, done_date, user_id, escalated,
    attempt_count, result, satisfaction, satisfaction_score, create_uid, create_date, write_uid, write_date
"""


def insert_history_callbacks(env, info, orders, tickets):
    """The callbacks of finished work: one per completed repair order and per complaint,
    and the 16 periodic callbacks of every unit handed over (all in the past).

    :param orders: ``(first id, last id)`` of the history repair orders
    :param tickets: ``(first id, last id)`` of the history tickets
    """
    cr = env.cr
    satisfaction = """
        (ARRAY['5','5','5','5','5','5','5','5','5','5','5','5','4','4','4','4','4','3','3','2'])[1 + {g} %% 20]
    """
    cr.execute(
        f"""
        INSERT INTO csw_callback ({CALLBACK_COLUMNS})
        SELECT 'repair', t.state, CASE t.state WHEN 'done' THEN 2 ELSE 1 END, o.ticket_id, o.id, o.unit_id,
               o.project_id, o.company_id, o.partner_id, o.subcontractor_id, NULL,
               o.done_date, o.done_date + interval '24 hours', o.done_date + t.delay, u.callback_user_id, FALSE,
               1, CASE t.state WHEN 'done' THEN 'reached' ELSE 'unreachable' END,
               CASE WHEN t.state = 'done' THEN t.satisfaction END,
               CASE WHEN t.state = 'done' THEN t.satisfaction::int ELSE 0 END,
               %(admin)s, o.done_date, %(admin)s, o.done_date + t.delay
          FROM csw_repair_order o
          JOIN bench_unit u ON u.id = o.unit_id,
       LATERAL (SELECT CASE WHEN o.id %% 70 = 0 THEN 'failed' ELSE 'done' END AS state,
                       ((o.id * 7) %% 30) * interval '1 hour' AS delay,
                       {satisfaction.format(g="o.id")} AS satisfaction) t
         WHERE o.id BETWEEN %(first)s AND %(last)s AND o.state IN ('done', 'verified')
        """,
        {"admin": info["admin"], "first": orders[0], "last": orders[1]},
    )
    count = cr.rowcount
    cr.execute(
        f"""
        INSERT INTO csw_callback ({CALLBACK_COLUMNS})
        SELECT 'complaint', 'done', 2, k.id, NULL, k.unit_id, k.project_id, k.company_id, k.partner_id, NULL, NULL,
               k.resolved_date, k.resolved_date + interval '24 hours', k.resolved_date + interval '5 hours',
               k.user_id, FALSE, 1, 'reached', {satisfaction.format(g="k.id")}, ({satisfaction.format(g="k.id")})::int,
               %(admin)s, k.resolved_date, %(admin)s, k.resolved_date + interval '5 hours'
          FROM csw_ticket k
         WHERE k.id BETWEEN %(first)s AND %(last)s AND k.ticket_type = 'complaint' AND k.state = 'closed'
        """,
        {"admin": info["admin"], "first": tickets[0], "last": tickets[1]},
    )
    count += cr.rowcount
    cr.execute(
        f"""
        INSERT INTO csw_callback ({CALLBACK_COLUMNS})
        SELECT 'periodic', 'done', 2, NULL, NULL, u.id, u.project_id, u.company_id, u.owner_id, NULL, p.idx,
               t.start, t.start + interval '7 days', t.start + interval '2 days', u.callback_user_id, FALSE,
               1, 'reached', {satisfaction.format(g="(u.id + p.idx)")},
               ({satisfaction.format(g="(u.id + p.idx)")})::int,
               %(admin)s, t.start, %(admin)s, t.start + interval '2 days'
          FROM bench_unit u
          JOIN unnest(%(months)s::int[]) WITH ORDINALITY AS p(months, idx) ON TRUE,
       LATERAL (SELECT u.handover_date + p.months * interval '1 month' AS start) t
         WHERE u.handover_date IS NOT NULL AND u.k %% 2 = 0
        """,
        {"admin": info["admin"], "months": [*range(1, 13), 15, 18, 21, 24]},
    )
    count += cr.rowcount
    return count


def insert_open_callbacks(env, info, first, last, now):
    """Planned callbacks: per 100, 1 whose deadline just passed, 3 overdue and already
    escalated, the others due in the coming days."""
    env.cr.execute(
        f"""
        INSERT INTO csw_callback ({CALLBACK_COLUMNS})
        SELECT 'periodic', 'planned', 0, NULL, NULL, u.id, u.project_id, u.company_id, u.owner_id, NULL,
               1 + b.g %% 16, t.deadline - interval '7 days', t.deadline, NULL, COALESCE(u.callback_user_id, a.id),
               t.bucket BETWEEN 1 AND 3, 0, NULL, NULL, 0, %(admin)s, t.deadline - interval '8 days',
               %(admin)s, t.deadline - interval '8 days'
          FROM (SELECT g FROM generate_series(%(first)s, %(last)s) AS g) b
          JOIN bench_unit u ON u.k = (b.g::bigint * 7919) %% %(units)s
          JOIN bench_agent a ON a.k = b.g %% %(agents)s,
       LATERAL (SELECT b.g %% 100 AS bucket) k,
       LATERAL (SELECT k.bucket,
                       CASE WHEN k.bucket = 0 THEN %(now)s::timestamp - interval '5 minutes'
                            WHEN k.bucket BETWEEN 1 AND 3 THEN %(now)s::timestamp - interval '2 days'
                            ELSE %(now)s::timestamp + ((b.g * 17) %% 10080) * interval '1 minute' END AS deadline) t
        """,
        {
            "first": first,
            "last": last,
            "units": info["units"],
            "agents": info["agents"],
            "admin": info["admin"],
            "now": now,
        },
    )
    count = env.cr.rowcount
    env.cr.execute(
        """
        INSERT INTO csw_assessment (user_id, points, amount, company_id, callback_id, project_id, reason, date,
                                    create_uid, create_date, write_uid, write_date)
        SELECT c.user_id, -5, 50, c.company_id, c.id, c.project_id, 'overdue_callback', c.deadline::date,
               %(admin)s, c.deadline, %(admin)s, c.deadline
          FROM csw_callback c
         WHERE c.state = 'planned' AND c.escalated AND c.user_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM csw_assessment x WHERE x.callback_id = c.id)
        """,
        {"admin": info["admin"]},
    )
    return count


def insert_history_assessments(env, info, tickets):
    """The overdue-response assessments the SLA cron recorded for the breached history tickets,
    and the complaints that reached the general manager."""
    env.cr.execute(
        """
        INSERT INTO csw_assessment (user_id, points, amount, company_id, ticket_id, project_id, reason, date,
                                    create_uid, create_date, write_uid, write_date)
        SELECT t.user_id, CASE WHEN t.response_breached THEN -5 ELSE -10 END,
               CASE WHEN t.response_breached THEN 50 ELSE 200 END, t.company_id, t.id, t.project_id,
               CASE WHEN t.response_breached THEN 'overdue_response' ELSE 'complaint_gm' END,
               (t.received_date + interval '1 day')::date,
               %(admin)s, t.received_date + interval '1 day', %(admin)s, t.received_date + interval '1 day'
          FROM csw_ticket t
         WHERE t.id BETWEEN %(first)s AND %(last)s AND t.user_id IS NOT NULL
           AND (t.response_breached OR t.ticket_type = 'complaint' AND t.id %% 50 = 0)
        """,
        {"admin": info["admin"], "first": tickets[0], "last": tickets[1]},
    )
    return env.cr.rowcount


def insert_followers(env, model, since_id):
    """The followers of the records of ``model`` seeded through SQL after ``since_id``: the
    agent in charge, with the model's default subtypes, as the ORM's create subscribes them.

    Without them mail_followers would hold a handful of rows beside millions of records, and
    PostgreSQL would check the foreign keys of the followers created next with the plan it
    cached for that handful: a sequential scan per row, quadratic in a large batch.
    """
    table = env[model]._table
    subtypes = env["mail.message.subtype"].default_subtypes(model)[0]
    env.cr.execute(
        f"""
        INSERT INTO mail_followers (res_model, res_id, partner_id)
        SELECT %(model)s, r.id, u.partner_id
          FROM {table} r JOIN res_users u ON u.id = r.user_id
         WHERE r.id > %(since)s
        """,
        {"model": model, "since": since_id},
    )
    count = env.cr.rowcount
    env.cr.execute(
        """
        INSERT INTO mail_followers_mail_message_subtype_rel (mail_followers_id, mail_message_subtype_id)
        SELECT f.id, s.id
          FROM mail_followers f CROSS JOIN unnest(%(subtypes)s::int[]) AS s(id)
         WHERE f.res_model = %(model)s AND f.res_id > %(since)s
        """,
        {"model": model, "since": since_id, "subtypes": subtypes.ids},
    )
    return count


def id_range(env, table, since_id):
    env.cr.execute(f"SELECT min(id), max(id) FROM {table} WHERE id > %s", [since_id])
    return env.cr.fetchone()


def max_id(env, table):
    env.cr.execute(f"SELECT COALESCE(max(id), 0) FROM {table}")
    return env.cr.fetchone()[0]


def month_start(day):
    return date(day.year, day.month, 1)
