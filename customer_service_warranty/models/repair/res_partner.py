"""What the repair domain adds to res.partner (filled by the domain layout)."""
