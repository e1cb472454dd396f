# the shipped categories whose defects are urgent by default (leaks, no water, no power);
# their data is not updated on an upgrade, so the flag is set here once
URGENT_CATEGORIES = (
    "category_waterproofing",
    "category_waterproofing_roof",
    "category_waterproofing_bathroom",
    "category_waterproofing_kitchen",
    "category_waterproofing_exterior_wall",
    "category_waterproofing_window",
    "category_waterproofing_basement",
    "category_heating_floor",
    "category_electrical_socket",
    "category_plumbing_supply",
)


def migrate(cr, version):
    cr.execute(
        """
        UPDATE csw_defect_category category
           SET urgent = TRUE
          FROM ir_model_data data
         WHERE data.model = 'csw.defect.category'
           AND data.res_id = category.id
           AND data.module = 'customer_service_warranty'
           AND data.name IN %s
        """,
        [URGENT_CATEGORIES],
    )
