"""What the people domain adds to csw.callback (filled by the domain layout)."""
