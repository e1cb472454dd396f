"""The tables and indexes of the addon's busiest records after a benchmark run: rows, heap,
indexes and bytes per row, written to bench/results/sizes-<small|full>.md (SCALE.md projects them).

    python3 bench/sizes.py --config odoo.conf --database DB [--small]
"""

import argparse
import configparser
from pathlib import Path

import psycopg2

TABLES = (
    "csw_ticket",
    "csw_repair_order",
    "csw_callback",
    "csw_assessment",
    "csw_unit",
    "mail_followers",
    "mail_followers_mail_message_subtype_rel",
    "mail_message",
    "mail_activity",
)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--output", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    options = configparser.ConfigParser()
    options.read(args.config)
    options = options["options"]
    cnx = psycopg2.connect(
        host=options["db_host"], port=options["db_port"], user=options["db_user"], dbname=args.database
    )
    with cnx, cnx.cursor() as cr:
        rows = []
        for table in TABLES:
            cr.execute(
                f"SELECT count(*), pg_table_size(%s::regclass), pg_indexes_size(%s::regclass), "
                f"coalesce(avg(pg_column_size(t.*)), 0) FROM {table} t",
                [table, table],
            )
            count, heap, indexes, width = cr.fetchone()
            cr.execute("SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass", [table])
            rows.append((table, count, heap, indexes, float(width), cr.fetchone()[0]))
    cnx.close()
    size = "small" if args.small else "full"
    lines = [
        f"# Table sizes after the benchmark ({size})",
        "",
        "| table | rows | heap (with TOAST) | indexes | bytes per row (heap + indexes) | row width | indexes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for table, count, heap, indexes, width, index_count in rows:
        per_row = (heap + indexes) / count if count else 0
        lines.append(
            f"| {table} | {count:,} | {heap / 2**20:,.1f} MiB | {indexes / 2**20:,.1f} MiB | {per_row:,.0f} "
            f"| {width:,.0f} | {index_count} |"
        )
    lines += [
        "",
        "Row width: the average stored size of a row's values (`pg_column_size`), without the",
        "28 bytes of tuple header and line pointer. On small tables the bytes per row are",
        "dominated by the tables' and indexes' first pages; from about 100,000 rows they settle.",
    ]
    text = "\n".join(lines) + "\n"
    Path(args.output).mkdir(parents=True, exist_ok=True)
    (Path(args.output) / f"sizes-{size}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
