"""Arithmetic shared by the reports and the scorecard."""

# an answer of 4 (satisfied) or 5 (very satisfied) counts in the satisfied share (满意率)
SATISFIED_SCORE = 4


def share(part, whole):
    """``part`` as a percentage of ``whole``; 0 when there is nothing to count."""
    return 100.0 * part / whole if whole else 0.0
