"""Suivi de la convention: quarter by quarter since the signature, nationally and for the filtered territory (QPV
covered, partnerships started, active and ended, by theme and by région, declinations signed), the pace of the last
four quarters and each région against the national pace, every series exported; the annual report."""

from datetime import date

import streamlit as st

from dashboard.components import downloads, table
from dashboard.page import start_page
from dashboard.suivi import bilan_buttons, follow, follow_chart, reference
from geo import fr, timeline
from geo.filters import Filters
from ui import suivi
from ui.exports import territory_name
from ui.text import escape_markdown

ctx = start_page("Suivi")  # the title the navigation gives it
ref = reference()
if ref.notice:
    st.info(escape_markdown(ref.notice), icon=":material/info:")
first = timeline.first_start(ctx.atlas)
today = date.today()
start = ref.day
if start is None:
    start = st.date_input("Date de référence", value=first.date() if first is not None else today,
                          max_value=today, format="DD/MM/YYYY")
day = ctx.filters.date or today  # the date of the data (sidebar, `date=`)
where = territory_name(ctx.filters, ctx.atlas)
since = ref.label or f"le {fr.date_fr(start)}"
st.markdown(f"Trimestre par trimestre depuis {escape_markdown(since)} ({fr.date_fr(start)}) jusqu'au "
            f"{fr.date_fr(day)} : **{escape_markdown(where)}**.")

followed, paced = follow(ctx.filters, start, day)
national, _ = follow(Filters(), start, day)
if national.quarters.empty:
    st.info(f"Le {fr.date_fr(day)} précède {escape_markdown(since)} ({fr.date_fr(start)}) : aucun trimestre à "
            "suivre. Choisissez une date postérieure.", icon=":material/event_busy:")
else:
    st.markdown(escape_markdown(suivi.pace_sentence(timeline.pace(national.quarters), "France entière")))
    if ctx.filters.is_active:
        st.markdown(escape_markdown(suivi.pace_sentence(timeline.pace(followed.quarters), where)))

left, right = st.columns(2, gap="large")
with left:
    follow_chart(ctx, "qpv", start, day)
with right:
    follow_chart(ctx, "partenariats", start, day)
left, right = st.columns(2, gap="large")
with left:
    follow_chart(ctx, "themes", start, day)
with right:
    follow_chart(ctx, "declinaisons", start, day)
follow_chart(ctx, "regions", start, day)
follow_chart(ctx, "rythme", start, day)
st.caption(f"{timeline.STATE_RULE} {timeline.STATUS_RULE}")

st.subheader("Séries exportables")
for (name, frame), title in zip(suivi.series_tables(followed, paced).items(),
                                ("Par trimestre", "Par thème", "Par région", "Rythme des régions"), strict=True):
    with st.expander(title):
        downloads(frame, name, where, key=name, columns=st.columns([1, 1, 4])[:2])
        table(frame)

st.subheader("Bilan annuel")
st.markdown("Pour le comité de suivi : chiffres de fin d'année et leur évolution, régions, cartes du début et de la "
            "fin de l'année, projets marquants, modifications des données (journal), sources.")
years = list(range(first.year if first is not None else today.year, today.year + 1))
year = st.selectbox("Année du bilan", years, index=len(years) - 2 if len(years) > 1 else 0)
bilan_buttons(ctx, year)
