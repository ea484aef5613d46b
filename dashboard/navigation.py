"""The app's pages, in menu order: app.py builds the navigation from them, the sidebar links to them."""

PAGES = {  # key -> (script relative to app.py, title, url path, icon)
    "overview": ("app_pages/overview.py", "Vue d'ensemble", "", ":material/dashboard:"),
    "map": ("app_pages/carte.py", "Carte", "carte", ":material/map:"),
    "partnerships": ("app_pages/partenariats.py", "Partenariats", "partenariats", ":material/handshake:"),
    "territory": ("app_pages/territoires.py", "Territoires", "territoires", ":material/location_city:"),
    "follow_up": ("app_pages/suivi.py", "Suivi", "suivi", ":material/timeline:"),
    "opportunities": ("app_pages/opportunites.py", "Opportunités", "opportunites", ":material/explore:"),
    "data": ("app_pages/donnees.py", "Données et sources", "donnees", ":material/database:"),
    "edit": ("app_pages/saisie.py", "Saisie", "saisie", ":material/edit_note:"),
    "import": ("app_pages/import.py", "Import", "import", ":material/upload_file:"),
    "history": ("app_pages/historique.py", "Historique", "historique", ":material/history:"),
    "login": ("app_pages/connexion.py", "Connexion", "connexion", ":material/login:"),
}
NO_DATA = ("connexion",)  # url paths of the pages that show no data: neither they nor the sidebar load it
