def migrate(cr, version):
    # a settlement confirmed before the confirmation was bound to the bill holds for the bill
    # as it was then: its team and its amount
    cr.execute(
        """
        UPDATE account_move
           SET csw_settlement_confirmed_partner_id = commercial_partner_id,
               csw_settlement_confirmed_amount = amount_total
         WHERE csw_settlement_confirmed_uid IS NOT NULL
        """
    )
