"""What the ticket domain adds to csw.project (filled by the domain layout)."""
