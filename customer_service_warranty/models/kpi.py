"""Arithmetic shared by the reports and the scorecard."""


def share(part, whole):
    """``part`` as a percentage of ``whole``; 0 when there is nothing to count."""
    return 100.0 * part / whole if whole else 0.0
