"""What the ticket domain adds to res.partner (filled by the domain layout)."""
