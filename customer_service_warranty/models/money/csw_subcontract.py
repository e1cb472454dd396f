"""What the money domain adds to csw.subcontract (filled by the domain layout)."""
