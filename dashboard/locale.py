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
}
PREFIXES = {"Help for ": "Aide : "}  # "Help for Régies" → "Aide : Régies"
# The file uploader's refusal of a file over `server.maxUploadSize`, as the installed frontend writes it
# (`File must be ${size} or smaller.`, size like "100.0MB"), and its French wording.
TOO_LARGE = r"^File must be (\d+(?:\.\d+)?)([KMG]?)B or smaller\.$"
TOO_LARGE_FR = "Fichier trop volumineux : {size} au maximum."

_SCRIPT = """<script>
(function () {
  var doc = window.document;
  doc.documentElement.lang = "fr";
  if (window.__carteFr) { return; }
  window.__carteFr = true;
  var words = %(words)s, prefixes = %(prefixes)s, attrs = ["aria-label", "title", "placeholder"];
  var tooLarge = new RegExp(%(too_large)s), tooLargeFr = %(too_large_fr)s;
  function tr(text) {
    if (!text) { return null; }
    var trimmed = text.trim();
    if (Object.prototype.hasOwnProperty.call(words, trimmed)) { return text.replace(trimmed, words[trimmed]); }
    for (var p in prefixes) { if (trimmed.indexOf(p) === 0) { return prefixes[p] + trimmed.slice(p.length); } }
    var large = tooLarge.exec(trimmed);
    if (large) {
      var size = Number(large[1]).toLocaleString("fr-FR") + "\u00a0" + {"": "o", K: "ko", M: "Mo", G: "Go"}[large[2]];
      return text.replace(trimmed, tooLargeFr.replace("{size}", size));
    }
    return null;
  }
  function fix(root) {
    var walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT), node, out;
    while ((node = walker.nextNode())) { out = tr(node.nodeValue); if (out !== null) { node.nodeValue = out; } }
    var elements = root.querySelectorAll ? root.querySelectorAll("[aria-label],[title],[placeholder]") : [];
    for (var i = 0; i < elements.length; i++) {
      for (var j = 0; j < attrs.length; j++) {
        var value = elements[i].getAttribute(attrs[j]);
        out = value === null ? null : tr(value);
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
                      "too_large": json.dumps(TOO_LARGE), "too_large_fr": json.dumps(TOO_LARGE_FR, ensure_ascii=False)}


def french_document() -> None:
    """Once per run, before the page: the script installs itself once per browser tab."""
    st.html(french_script(), unsafe_allow_javascript=True)
