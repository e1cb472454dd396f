def migrate(cr, version):
    """The owner's repair page shows the visit in its progress block now: the old extension
    of that page points at an element the page no longer has, and Odoo checks the extensions
    of a page before reloading them. Emptied here, it is reloaded from the module's file."""
    cr.execute(
        """
        UPDATE ir_ui_view view
           SET arch_db = jsonb_build_object('en_US', '<data/>')
          FROM ir_model_data data
         WHERE data.model = 'ir.ui.view'
           AND data.res_id = view.id
           AND data.module = 'customer_service_warranty'
           AND data.name = 'portal_my_repair_appointment'
        """
    )
