"""What the report domain adds to csw.project (filled by the domain layout)."""
