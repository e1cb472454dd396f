"""The suite's printed sections, the invariant failures, and the figures of a set of calls."""


class Report:
    def __init__(self):
        self.sections = []
        self.failures = []

    def section(self, title, lines):
        self.sections.append((title, lines))
        print(f"\n== {title}", flush=True)
        for line in lines:
            print(f"   {line}", flush=True)

    def check(self, name, violations):
        if violations:
            self.failures.append(f"{name}: {len(violations)}")
            return [f"FAIL {name}: {len(violations)}"] + [f"     {v}" for v in violations[:10]]
        return [f"ok   {name}: 0"]


def stats_lines(stats, seconds=None, operations=None):
    lines = []
    if operations is not None and seconds:
        lines.append(f"operations {operations} in {seconds:.1f} s: {operations / seconds:.1f} ops/s")
    latencies = sorted(stats.latencies)
    if latencies:
        p50 = latencies[len(latencies) // 2]
        p95 = latencies[int(len(latencies) * 0.95)]
        lines.append(
            f"RPC calls {sum(stats.outcomes.values())}, latency p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
        )
    lines.append("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.outcomes.items())))
    if stats.errors:
        lines.append("errors: " + ", ".join(f"{k} {v}" for k, v in stats.errors.most_common()))
    server_errors = sum(v for k, v in stats.statuses.items() if k and k >= 500)
    lines.append(f"HTTP 5xx responses: {server_errors}")
    return lines
