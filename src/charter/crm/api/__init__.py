"""CRM API: `facts` reads deals, activities and CSAT responses; `imports` uploads and follows
CRM imports (admins)."""
