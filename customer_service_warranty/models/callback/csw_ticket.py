"""What the callback domain adds to csw.ticket (filled by the domain layout)."""
