"""The promises checked in the database after every run, with SQL outside Odoo.

Each check returns a list of violations (empty when the promise is kept).
"""


def _tokened(ledger):
    """``(table, column holding the token, {token: id} acknowledged)`` of the records created with a token."""
    return (("csw_ticket", "name", ledger.tickets), ("csw_repair_order", "location", ledger.orders))


def lost_and_duplicated(server, ledger):
    """Records acknowledged to a client but missing; tokens present more than once."""
    lost, duplicates = [], []
    for table, column, acknowledged in _tokened(ledger):
        rows = dict(
            server.sql(
                f"SELECT {column}, count(*) FROM {table} WHERE {column} LIKE %s GROUP BY {column}",
                [ledger.prefix + "-%"],
            )
        )
        lost += [f"{table} {token} (id {record_id})" for token, record_id in acknowledged.items() if token not in rows]
        duplicates += [f"{table} {token} x{count}" for token, count in rows.items() if count > 1]
    for table, ids in (("csw_callback", ledger.callbacks_done), ("csw_deduction", ledger.deductions_posted)):
        if not ids:
            continue
        state = "done" if table == "csw_callback" else "posted"
        found = {
            row[0] for row in server.sql(f"SELECT id FROM {table} WHERE id IN %s AND state = %s", [tuple(ids), state])
        }
        lost += [f"{table} {record_id} acknowledged {state} but is not" for record_id in sorted(ids - found)]
    return lost, duplicates


def unacknowledged(server, ledger):
    """Records committed although their client never got the answer (a worker killed after
    the commit): allowed, and counted, since the client's retry found them by their token."""
    count = 0
    for table, column, acknowledged in _tokened(ledger):
        rows = server.sql(f"SELECT {column} FROM {table} WHERE {column} LIKE %s", [ledger.prefix + "-%"])
        count += sum(1 for (token,) in rows if token not in acknowledged)
    return count


def duplicate_numbers(server):
    """Two documents of a company with the same number."""
    violations = []
    for table, column in (("csw_ticket", "number"), ("csw_repair_order", "name"), ("csw_deduction", "name")):
        rows = server.sql(
            f"""SELECT company_id, {column}, count(*) FROM {table}
                 WHERE {column} IS NOT NULL AND {column} <> '/'
                 GROUP BY company_id, {column} HAVING count(*) > 1"""
        )
        violations += [f"{table}.{column} {number} x{count} (company {company})" for company, number, count in rows]
    missing = server.sql(
        "SELECT 'csw_ticket', count(*) FROM csw_ticket WHERE number IS NULL OR number = '/' "
        "UNION ALL SELECT 'csw_repair_order', count(*) FROM csw_repair_order WHERE name IS NULL OR name = '/'"
    )
    violations += [f"{table}: {count} without a number" for table, count in missing if count]
    return violations


def deductions(server):
    """Every posted deduction has exactly one posted credit note, and a credit note exists
    only for a posted (or posted then cancelled) deduction: all or nothing."""
    violations = []
    rows = server.sql(
        """SELECT csw_deduction_id, count(*) FROM account_move
            WHERE move_type = 'in_refund' AND csw_deduction_id IS NOT NULL
            GROUP BY csw_deduction_id HAVING count(*) > 1"""
    )
    violations += [f"deduction {d} has {n} credit notes" for d, n in rows]
    rows = server.sql(
        """SELECT d.id, d.name, d.state, m.id, m.state FROM csw_deduction d
             LEFT JOIN account_move m ON m.id = d.move_id
            WHERE d.state = 'posted' AND (m.id IS NULL OR m.state <> 'posted' OR m.csw_deduction_id <> d.id)"""
    )
    violations += [
        f"posted deduction {name} ({d}) without its posted credit note ({m}, {ms})" for d, name, _s, m, ms in rows
    ]
    rows = server.sql(
        """SELECT m.id, m.name, d.id, d.state FROM account_move m
             JOIN csw_deduction d ON d.id = m.csw_deduction_id
            WHERE m.move_type = 'in_refund'
              AND (d.state NOT IN ('posted', 'cancelled') OR d.move_id IS DISTINCT FROM m.id)"""
    )
    violations += [f"credit note {name} ({m}) of deduction {d} in state {s}" for m, name, d, s in rows]
    return violations


def deductions_match_credit_notes(server):
    """Every posted deduction equals its credit note: the same total (the sum of its lines and
    the note's own total), the same subcontractor and company, whatever was written since."""
    rows = server.sql(
        """SELECT d.id, d.name, d.amount_total, m.amount_total,
                  (SELECT coalesce(sum(l.price_subtotal), 0) FROM account_move_line l
                    WHERE l.move_id = m.id AND l.display_type = 'product'),
                  d.partner_id, m.partner_id, d.company_id, m.company_id
             FROM csw_deduction d JOIN account_move m ON m.id = d.move_id
            WHERE d.state = 'posted'"""
    )
    violations = []
    for d, name, total, move_total, lines_total, partner, move_partner, company, move_company in rows:
        if abs((total or 0) - (move_total or 0)) > 0.005 or abs((total or 0) - lines_total) > 0.005:
            violations.append(
                f"posted deduction {name} ({d}): total {total} but credit note {move_total} (lines {lines_total})"
            )
        if partner != move_partner or company != move_company:
            violations.append(
                f"posted deduction {name} ({d}): subcontractor {partner} / company {company} "
                f"but credit note {move_partner} / {move_company}"
            )
    return violations


def callbacks(server):
    """A recorded callback is complete; a completed repair has its callback; a dissatisfied
    owner's callback reopened the repair and raised its follow-up ticket."""
    violations = []
    rows = server.sql(
        """SELECT id, state FROM csw_callback
            WHERE (state = 'done' AND (done_date IS NULL OR result IS NULL))
               OR (state = 'done' AND result = 'reached' AND satisfaction IS NULL)
               OR (state = 'planned' AND done_date IS NOT NULL)"""
    )
    violations += [f"callback {c} half recorded ({s})" for c, s in rows]
    rows = server.sql(
        """SELECT o.id FROM csw_repair_order o
            WHERE o.state IN ('done', 'verified')
              AND NOT EXISTS (SELECT 1 FROM csw_callback c WHERE c.repair_order_id = o.id)"""
    )
    violations += [f"repair order {o} done without a callback" for (o,) in rows]
    rows = server.sql(
        """SELECT c.id FROM csw_callback c
            WHERE c.state = 'done' AND c.result = 'reached' AND c.satisfaction IN ('1', '2')
              AND c.callback_type = 'repair'
              AND (c.followup_ticket_id IS NULL
                   OR NOT EXISTS (SELECT 1 FROM csw_repair_order o
                                   WHERE o.id = c.repair_order_id AND o.reopen_count > 0))"""
    )
    violations += [f"dissatisfied callback {c} without its follow-up" for (c,) in rows]
    rows = server.sql(
        """SELECT c.id FROM csw_callback c WHERE c.state = 'planned' AND c.followup_ticket_id IS NOT NULL"""
    )
    violations += [f"planned callback {c} already has a follow-up ticket" for (c,) in rows]
    rows = server.sql(
        """SELECT o.id FROM csw_repair_order o
            WHERE o.state = 'done' AND o.done_date IS NULL
               OR o.state = 'notified' AND o.notify_date IS NULL"""
    )
    violations += [f"repair order {o} half written" for (o,) in rows]
    return violations


def all_checks(server, ledger=None):
    """``{check: [violations]}`` of every invariant (the ledger's only when given)."""
    result = {
        "duplicate numbers": duplicate_numbers(server),
        "deduction all-or-nothing": deductions(server),
        "posted deduction equals its credit note": deductions_match_credit_notes(server),
        "callbacks all-or-nothing": callbacks(server),
    }
    if ledger is not None:
        lost, duplicates = lost_and_duplicated(server, ledger)
        result["lost records"] = lost
        result["duplicate records"] = duplicates
    return result
