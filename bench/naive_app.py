"""The naive baseline: the same QPV file read with geopandas and shown with `st_folium(gdf.explore())`.

    CARTE_DATA_DIR=bench/out/data-x1 streamlit run bench/naive_app.py

`?region=<code INSEE>` keeps that région's QPV only (the naive counterpart of our regional view). The file is
read once per process (`st.cache_resource`): the baseline is not slowed down by re-reading it on each rerun.
Everything else is geopandas' and streamlit-folium's defaults (all columns in the tooltip, full geometry, Leaflet
and its plugins from their CDNs).
"""

import os
from pathlib import Path

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

st.set_page_config(page_title="Naive explore()", layout="wide")


@st.cache_resource
def read(path: str) -> gpd.GeoDataFrame:
    return gpd.read_file(path)


gdf = read(str(Path(os.environ["CARTE_DATA_DIR"]) / "qpv.geojson"))
region = st.query_params.get("region")
if region:
    gdf = gdf[gdf["insee_reg"] == region]
st.title(f"explore() naïf : {len(gdf)} QPV")
st_folium(gdf.explore(), key="naive", height=640, use_container_width=True)
