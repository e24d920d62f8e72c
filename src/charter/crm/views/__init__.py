"""CRM pages: `browse` lists and exports the facts anyone may see; `imports` holds the admins'
import steps, the unmatched owners page and the exchange rates page."""
