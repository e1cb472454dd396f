"""What the people domain adds to csw.ticket (filled by the domain layout)."""
