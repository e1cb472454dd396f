"""What the callback domain adds to csw.repair.order (filled by the domain layout)."""
