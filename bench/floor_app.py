"""The floor: the smallest streamlit-folium page (one polygon). Its time to painted is what any Streamlit +
streamlit-folium page costs on this machine before a single QPV is drawn (Streamlit's frontend, the websocket,
the component iframe, Leaflet).

    streamlit run bench/floor_app.py
"""

import folium
import streamlit as st
from streamlit_folium import st_folium

st.set_page_config(page_title="Plancher", layout="wide")
m = folium.Map(location=(46.6, 2.4), zoom_start=6, tiles=None)
folium.GeoJson({"type": "Polygon", "coordinates": [[[2.0, 46.0], [3.0, 46.0], [3.0, 47.0], [2.0, 46.0]]]}).add_to(m)
st_folium(m, key="floor", height=640, use_container_width=True, returned_objects=[])
