"""What the callback domain adds to csw.project (filled by the domain layout)."""
