"""What the callback domain adds to csw.script (filled by the domain layout)."""
