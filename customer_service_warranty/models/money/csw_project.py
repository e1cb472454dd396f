"""What the money domain adds to csw.project (filled by the domain layout)."""
