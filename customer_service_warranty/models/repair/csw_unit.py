"""What the repair domain adds to csw.unit (filled by the domain layout)."""
