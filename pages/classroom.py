"""Classroom: a teacher asks a question on the graph and sees the class answer live; students
join with a code. "My workspaces" saves, reopens, downloads and uploads whole workspaces."""
import streamlit as st

from app import store
from app.ui.errors import guard
from app.ui.views.classroom.student import student_view
from app.ui.views.classroom.teacher import teacher_view
from app.ui.views.classroom.workspaces import workspaces_view

st.title("Classroom")
st.caption("A teacher asks a question on a causal graph; everyone answers from their own "
           "browser and the class sees the answers arrive. Below: your saved workspaces.")
with guard():
    store.get_store()
    tab_class, tab_ws = st.tabs(["Class", "My workspaces"])
    with tab_class:
        mode = st.segmented_control("I am", ["Student", "Teacher"], default="Student",
                                    key="cr_mode") or "Student"
        if mode == "Teacher":
            teacher_view()
        else:
            student_view()
    with tab_ws:
        workspaces_view()
