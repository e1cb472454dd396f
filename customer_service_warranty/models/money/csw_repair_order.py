"""What the money domain adds to csw.repair.order (filled by the domain layout)."""
