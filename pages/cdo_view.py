import streamlit as st

import ui

ui.empty_state()
