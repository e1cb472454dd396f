"""The Odoo servers under test (two ``--workers=2`` servers on one database and filestore, the
crons on both) and their PostgreSQL (a primary and its streaming read replica): start, stop, faults."""

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
    def __init__(
        self, odoo_cmd, config, database, http_ports, work_dir, pg_ctl, assets_port, gevent_ports, replica_port
    ):
        self.odoo_cmd = shlex.split(odoo_cmd)
        self.config = config
        self.database = database
        # one prefork server per HTTP port, each with its own gevent port (longpolling)
        self.http_ports = list(http_ports)
        self.gevent_ports = list(gevent_ports)
        self.urls = [f"http://127.0.0.1:{port}" for port in self.http_ports]
        self.url = self.urls[0]
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
        # the streaming replica Odoo's read-only cursors use (db_replica_host/db_replica_port)
        self.replica_dsn = dict(self.dsn, port=replica_port) if replica_port else None
        self.processes = []
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
                    "--log-level=warn",
                    *options,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start(self):
        # the crons wait for the cron part (crons.py), which makes them due on purpose: before
        # it, a cron writing beside the fuzzer would look like a refusal that changed the database
        self.sql("UPDATE ir_cron SET nextcall = now() AT TIME ZONE 'UTC' + interval '10 years' WHERE active")
        self.assets = self._spawn("--workers=0", "--max-cron-threads=0", f"--http-port={self.assets_port}")
        self.processes = [self._spawn_prefork(index) for index in range(len(self.http_ports))]
        self.wait_ready(self.assets_url, self.assets)
        self.wait_ready()

    def _spawn_prefork(self, index):
        return self._spawn(
            "--workers=2",
            "--max-cron-threads=1",
            f"--http-port={self.http_ports[index]}",
            f"--gevent-port={self.gevent_ports[index]}",
            "--limit-time-real=300",
            "--limit-time-cpu=240",
        )

    @property
    def process(self):
        """The first prefork server."""
        return self.processes[0]

    def restart(self, index):
        """Start again the prefork server ``index`` (after a kill)."""
        self.processes[index] = self._spawn_prefork(index)
        self.wait_ready(self.urls[index], self.processes[index])

    def kill(self, index):
        """SIGKILL the prefork server ``index`` and all its workers (a machine lost)."""
        process = self.processes[index]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def wait_ready(self, url=None, process=None, timeout=180):
        if url is None:
            for index, server_url in enumerate(self.urls):
                self.wait_ready(server_url, self.processes[index], timeout)
            return
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
        raise RuntimeError(f"Odoo did not answer on {url} within {timeout} s")

    def stop(self):
        for process in (*self.processes, self.assets):
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def worker_pids(self, index=None):
        """The HTTP and cron workers (children of the prefork servers; not the gevent ones)."""
        pids = []
        for number, process in enumerate(self.processes):
            if (index is not None and number != index) or process.poll() is not None:
                continue
            try:
                children = psutil.Process(process.pid).children()
            except psutil.Error:
                continue
            for child in children:
                try:
                    if "gevent" not in child.cmdline():
                        pids.append(child.pid)
                except psutil.Error:
                    continue
        return pids

    def connection_ports(self, pids):
        """``{local port: pid}`` of the processes' connections to the primary."""
        ports = {}
        for pid in pids:
            try:
                for connection in psutil.Process(pid).connections(kind="tcp"):
                    if connection.raddr and connection.raddr.port == self.dsn["port"]:
                        ports[connection.laddr.port] = pid
            except psutil.Error:
                continue
        return ports

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
    def sql(self, query, params=None, replica=False):
        """Run ``query`` on its own connection (outside Odoo) to the primary (or the replica)
        and return the rows."""
        dsn = self.replica_dsn if replica else self.dsn
        with psycopg2.connect(**dsn, application_name="reliability-check") as cnx, cnx.cursor() as cr:
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
        ports = self.connection_ports(self.worker_pids())
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
