"""What the repair domain adds to csw.ticket (filled by the domain layout)."""
