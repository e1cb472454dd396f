"""What the repair domain adds to csw.subcontract (filled by the domain layout)."""
