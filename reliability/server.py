"""The Odoo server under test (``--workers=2``) and its PostgreSQL: start, stop, faults."""

import configparser
import os
import shlex
import signal
import subprocess
import time

import psutil
import psycopg2
import requests


class Server:
    def __init__(self, odoo_cmd, config, database, http_port, work_dir, pg_ctl, assets_port):
        self.odoo_cmd = shlex.split(odoo_cmd)
        self.config = config
        self.database = database
        self.http_port = http_port
        self.url = f"http://127.0.0.1:{http_port}"
        self.log_path = os.path.join(work_dir, "odoo-server.log")
        self.pg_ctl = shlex.split(pg_ctl)
        self.pg_log = os.path.join(work_dir, "postgres.log")
        parser = configparser.ConfigParser()
        parser.read(config)
        options = parser["options"]
        self.dsn = {
            "host": options["db_host"],
            "port": int(options["db_port"]),
            "user": options["db_user"],
            "dbname": database,
        }
        self.process = None
        # wkhtmltopdf fetches the report's CSS over HTTP while the worker that called it waits:
        # with every worker rendering a notice, nobody would serve it. A threaded server of
        # the same database serves the assets (report.url), as a production set-up must.
        self.assets_port = assets_port
        self.assets_url = f"http://127.0.0.1:{assets_port}"
        self.assets = None
        self._monitor = None

    # ------------------------------------------------------------------
    # Odoo
    # ------------------------------------------------------------------
    def _spawn(self, *options):
        with open(self.log_path, "ab") as log:
            return subprocess.Popen(
                [
                    *self.odoo_cmd,
                    "-c",
                    self.config,
                    "-d",
                    self.database,
                    f"--db-filter=^{self.database}$",
                    "--max-cron-threads=0",
                    "--log-level=warn",
                    *options,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start(self):
        self.assets = self._spawn("--workers=0", f"--http-port={self.assets_port}")
        self.process = self._spawn("--workers=2", "--limit-time-real=300", "--limit-time-cpu=240")
        self.wait_ready(self.assets_url, self.assets)
        self.wait_ready()

    def wait_ready(self, url=None, process=None, timeout=180):
        url, process = url or self.url, process or self.process
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"Odoo exited with {process.returncode}: see {self.log_path}")
            try:
                if requests.get(f"{url}/web/login", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise RuntimeError(f"Odoo did not answer on {self.url} within {timeout} s")

    def stop(self):
        for process in (self.process, self.assets):
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def worker_pids(self):
        """The HTTP workers (children of the prefork server; not the gevent one)."""
        children = psutil.Process(self.process.pid).children()
        return [child.pid for child in children if "gevent" not in " ".join(child.cmdline())]

    def log_tail(self, lines=40):
        """The last lines of the server log, without wkhtmltopdf's warnings."""
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            kept = [line for line in log if "wkhtmltopdf" not in line and line.strip()]
        return "".join(kept[-lines:])

    def log_errors(self):
        """ERROR and CRITICAL lines of the server log."""
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return [line.rstrip() for line in log if " ERROR " in line or " CRITICAL " in line]

    # ------------------------------------------------------------------
    # PostgreSQL
    # ------------------------------------------------------------------
    def sql(self, query, params=None):
        """Run ``query`` on its own connection (outside Odoo) and return the rows."""
        with psycopg2.connect(**self.dsn, application_name="reliability-check") as cnx, cnx.cursor() as cr:
            cr.execute(query, params)
            rows = cr.fetchall() if cr.description else []
        cnx.close()
        return rows

    def busy_worker(self):
        """``(worker pid, seconds in transaction)`` of an HTTP worker inside a transaction, or None.

        The worker is found by its end of the database connection (pg_stat_activity's
        client_port), since the workers inherit the application name of the server that
        forked them.
        """
        ports = {}
        for pid in self.worker_pids():
            try:
                for connection in psutil.Process(pid).connections(kind="tcp"):
                    if connection.raddr and connection.raddr.port == self.dsn["port"]:
                        ports[connection.laddr.port] = pid
            except psutil.Error:
                continue
        if not ports:
            return None
        if self._monitor is None or self._monitor.closed:
            self._monitor = psycopg2.connect(**self.dsn, application_name="reliability-monitor")
            self._monitor.autocommit = True
        with self._monitor.cursor() as cr:
            cr.execute(
                """SELECT client_port, extract(epoch FROM now() - xact_start) FROM pg_stat_activity
                    WHERE datname = %s AND xact_start IS NOT NULL AND state <> 'idle' AND client_port = ANY(%s)
                    ORDER BY xact_start""",
                [self.database, list(ports)],
            )
            row = cr.fetchone()
        return (ports[row[0]], float(row[1])) if row else None

    def restart_postgres(self):
        if self._monitor is not None:
            self._monitor.close()
        subprocess.run(
            [*self.pg_ctl, "-l", self.pg_log, "-m", "fast", "-w", "-t", "60", "restart"],
            check=True,
            capture_output=True,
        )
