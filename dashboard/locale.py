"""The document in French: `<html lang="fr">` and Streamlit's own English words translated.

Streamlit cannot translate its widgets (streamlit/streamlit#1353): a script in the page (`st.html` runs it in
the document itself, not in a frame) sets the language and rewrites the texts, tooltips and accessible names of
the built-in controls that remain, as they appear. The grid's own "Download as CSV" is hidden: the pages offer
their French downloads (`dashboard.components.downloads`).
"""

from __future__ import annotations

import json

import streamlit as st

# Built-in English strings → French. tests/browser/test_french.py fails on any of these left on a page.
TRANSLATIONS = {
    "Select all": "Tout sélectionner",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Clear values": "Effacer",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Exit fullscreen": "Quitter le plein écran",
    "Skip to main content": "Aller au contenu principal",
    "Link to heading": "Lien vers ce titre",
    "Search": "Rechercher",
    "Download as CSV": "Télécharger en CSV",
    "Show data": "Afficher les données",
    "Download as PNG": "Télécharger en PNG",
    "Download as SVG": "Télécharger en SVG",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Open": "Ouvrir",
    "Close": "Fermer",
    "Copy Vega-Lite spec": "Copier la spécification Vega-Lite",
    "Collapse sidebar": "Replier le menu",
    "Expand sidebar": "Déplier le menu",
    "Close sidebar": "Fermer le menu",
    "Open sidebar": "Ouvrir le menu",
    "Main menu": "Menu principal",
    "No options to select": "Aucune option",
    "No results": "Aucun résultat",
    "Choose an option": "Choisir",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    "Rerun": "Relancer",
    "Settings": "Réglages",
    "Print": "Imprimer",
    "Record a screencast": "Enregistrer l'écran",
    "About": "À propos",
    "Clear cache": "Vider le cache",
    "Developer options": "Options de développement",
    "Upload": "Choisir un fichier",
    "Upload directories": "Choisir des dossiers",
    "Drag and drop a file here": "Déposez un fichier ici",
    "Drag and drop files here": "Déposez des fichiers ici",
    "Drag and drop directories here": "Déposez des dossiers ici",
    "Press Enter to apply": "Entrée pour appliquer",
    "Press Enter to submit form": "Entrée pour valider le formulaire",
    "Press Ctrl+Enter to apply": "Ctrl+Entrée pour appliquer",
    "Press Ctrl+Enter to submit form": "Ctrl+Entrée pour valider le formulaire",
    "Remove file": "Retirer le fichier",
    "file upload": "dépôt de fichier",
    "Selected values": "Valeurs choisies",
    "Choose date": "Choisir une date",
    "Clear date": "Effacer la date",
    "Clear entry": "Effacer",
    "App pages": "Pages",
    "Sidebar": "Menu",
    "Navigate to home page": "Aller à l'accueil",
    "Scroll tabs left": "Onglets précédents",
    "Scroll tabs right": "Onglets suivants",
}
# "Help for Régies" → "Aide : Régies"; a date field's parts are read out as "day, Date de début"…
PREFIXES = {"Help for ": "Aide : ", "day, ": "jour, ", "month, ": "mois, ", "year, ": "année, "}
# Sentences that carry a size, as the installed file uploader writes them (size like "100.0MB" or "50MB"): its
# refusal of a file over the limit and its limit line; `{size}` is the size in French units ("50 Mo").
SIZED = {
    r"^File must be (\d+(?:\.\d+)?)([KMG]?)B or smaller\.$": "Fichier trop volumineux : {size} au maximum.",
    r"^(\d+(?:\.\d+)?)([KMG]?)B per file$": "{size} par fichier",
}
# The date field's empty parts ("dd", "mm", "yyyy"), translated only inside date inputs.
DATE_PARTS = {"dd": "jj", "mm": "mm", "yyyy": "aaaa", "DD/MM/YYYY": "JJ/MM/AAAA"}

_SCRIPT = """<script>
(function () {
  var doc = window.document;
  doc.documentElement.lang = "fr";
  if (window.__carteFr) { return; }
  window.__carteFr = true;
  var words = %(words)s, prefixes = %(prefixes)s, attrs = ["aria-label", "title", "placeholder"];
  var sized = Object.keys(%(sized)s).map(function (k) { return [new RegExp(k), %(sized)s[k]]; });
  var dateParts = %(date_parts)s;
  function tr(text, node) {
    if (!text) { return null; }
    var trimmed = text.trim();
    if (Object.prototype.hasOwnProperty.call(words, trimmed)) { return text.replace(trimmed, words[trimmed]); }
    for (var p in prefixes) { if (trimmed.indexOf(p) === 0) { return prefixes[p] + trimmed.slice(p.length); } }
    for (var i = 0; i < sized.length; i++) {
      var found = sized[i][0].exec(trimmed);
      if (found) {
        var size = Number(found[1]).toLocaleString("fr-FR") + "\u00a0" + {"": "o", K: "ko", M: "Mo", G: "Go"}[found[2]];
        return text.replace(trimmed, sized[i][1].replace("{size}", size));
      }
    }
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    if (element && Object.prototype.hasOwnProperty.call(dateParts, trimmed) && trimmed !== dateParts[trimmed]
        && element.closest('[data-testid="stDateInput"]')) { return text.replace(trimmed, dateParts[trimmed]); }
    return null;
  }
  function fix(root) {
    var walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT), node, out;
    while ((node = walker.nextNode())) { out = tr(node.nodeValue, node); if (out !== null) { node.nodeValue = out; } }
    var elements = root.querySelectorAll ? root.querySelectorAll("[aria-label],[title],[placeholder]") : [];
    for (var i = 0; i < elements.length; i++) {
      for (var j = 0; j < attrs.length; j++) {
        var value = elements[i].getAttribute(attrs[j]);
        out = value === null ? null : tr(value, elements[i]);
        if (out !== null) { elements[i].setAttribute(attrs[j], out); }
      }
    }
    if (doc.documentElement.lang !== "fr") { doc.documentElement.lang = "fr"; }
  }
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fix(doc.body); });
  }).observe(doc.documentElement, {subtree: true, childList: true, characterData: true, attributes: true,
                                   attributeFilter: attrs.concat(["lang"])});
  fix(doc.body);
})();
</script>
<style>
[data-testid="stElementToolbarButton"]:has(button[aria-label="Download as CSV"]),
[data-testid="stElementToolbarButton"]:has(button[aria-label="Télécharger en CSV"]) { display: none; }
</style>"""


def french_script() -> str:
    """The script and style that make the document French."""
    return _SCRIPT % {"words": json.dumps(TRANSLATIONS, ensure_ascii=False),
                      "prefixes": json.dumps(PREFIXES, ensure_ascii=False),
                      "sized": json.dumps(SIZED, ensure_ascii=False),
                      "date_parts": json.dumps(DATE_PARTS, ensure_ascii=False)}


def french_document() -> None:
    """Once per run, before the page: the script installs itself once per browser tab."""
    st.html(french_script(), unsafe_allow_javascript=True)
