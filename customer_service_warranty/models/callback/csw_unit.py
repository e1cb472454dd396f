"""What the callback domain adds to csw.unit (filled by the domain layout)."""
