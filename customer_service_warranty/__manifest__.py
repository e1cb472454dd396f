{
    "name": "Customer Service & Warranty",
    "summary": "After-sales service and statutory warranty for property developers: "
    "estates, units, warranty categories, subcontracts and retention",
    "version": "18.0.1.0.0",
    "category": "Services",
    "website": "https://github.com/customer-service-warranty/customer_service_warranty",
    "author": "Customer Service Warranty Authors",
    "license": "LGPL-3",
    "application": True,
    "depends": ["mail", "portal", "account", "resource"],
    "data": [
        "security/security.xml",
        "security/ir.model.access.csv",
        "data/csw_defect_category_data.xml",
        "views/csw_project_views.xml",
        "views/csw_unit_views.xml",
        "views/csw_defect_category_views.xml",
        "views/csw_subcontract_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/res_company_demo.xml",
        "demo/csw_project_demo.xml",
        "demo/csw_subcontract_demo.xml",
    ],
}
