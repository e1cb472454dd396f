"""What the callback domain adds to res.partner (filled by the domain layout)."""
