"""A minimal Streamlit client speaking the browser's websocket protocol (no browser).

It does what the Streamlit frontend does for one tab: opens /_stcore/stream, asks for script
runs (BackMsg.rerun_script with the page and widget values), and reads the ForwardMsgs until the
run has finished. Elements arrive as protobuf deltas; a run's result keeps their text and widget
ids so a load test can find a widget by its key and check what the page showed.
Used by benchmarks/load_test.py (the leading underscore keeps `make bench` from running it); tens of these cost far less CPU than browsers.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

from app.markup import as_shown

DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
        ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
# what the app's cookie scripts run in the browser (app.ui.views.classroom.common.remember_cookie)
COOKIE_SCRIPT = re.compile(r"document\.cookie = '([A-Za-z0-9_]+)=([^;']*);[^']*max-age=(\d+)")


@dataclass
class Run:
    """What one script run sent: element texts, widget ids by key, exceptions, seconds taken."""

    seconds: float = 0.0
    texts: list[str] = field(default_factory=list)
    widgets: dict[str, str] = field(default_factory=dict)     # user key -> widget id
    kinds: dict[str, str] = field(default_factory=dict)       # widget id -> element type
    exceptions: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)       # url path -> page script hash
    values: dict[str, str] = field(default_factory=dict)      # text box label -> its text
    labels: dict[str, str] = field(default_factory=dict)      # widget label -> widget id
    cookies: dict[str, str] = field(default_factory=dict)     # set by a script (value "" = gone)

    def has(self, text: str) -> bool:
        """Whether `text` is on the page as a person reads it: names reach Markdown escaped
        (app.markup.md), so backslash escapes and word joiners are undone before comparing."""
        return any(text in as_shown(t) for t in self.texts)


def _element_text(kind: str, element) -> str:
    body = getattr(element, kind)
    for name in ("body", "label", "value", "text"):
        if hasattr(body, name) and isinstance(getattr(body, name), str):
            value = getattr(body, name)
            if kind == "metric":
                return f"{body.label}: {body.body}"
            return value
    return ""


class StreamlitClient:
    """One browser tab's session over the websocket protocol."""

    def __init__(self, base: str, cookies: dict[str, str] | None = None) -> None:
        self.url = base.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.origin = base.rstrip("/")
        self.cookies = dict(cookies or {})     # sent with the handshake, as a browser would
        self.set_cookies: dict[str, str] = {}  # what the server (or a balancer) set
        self.ws = None
        self.pages: dict[str, str] = {}
        self.page_hash = ""
        self.widgets: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.fragments: dict[float, str] = {}  # run_every interval (s) -> fragment id
        self.session_id = ""

    async def open(self) -> None:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} \
            if self.cookies else None
        self.ws = await connect(self.url, subprotocols=["streamlit"], max_size=None,
                                origin=self.origin, open_timeout=60, ping_interval=None,
                                additional_headers=headers)
        for raw in self.ws.response.headers.get_all("Set-Cookie"):
            name, _, rest = raw.partition("=")
            self.set_cookies[name.strip()] = rest.split(";", 1)[0]

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def run(self, page: str | None = None, widgets: list[WidgetState] = (),
                  timeout: float = 120.0, query: str = "", fragment: str = "") -> Run:
        """Ask for a run (of `page`, a url path like "graph", or the current page; `query` is
        the URL's query string, e.g. "g=..." for a share link; `fragment` a fragment id, as the
        browser's timer asks for a `run_every` fragment) and wait until the script has
        finished; returns what it drew and how long it took."""
        if page is not None:
            self.page_hash = self.pages.get(page, "")
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = self.page_hash
        msg.rerun_script.page_name = page or ""
        msg.rerun_script.widget_states.widgets.extend(widgets)
        if fragment:
            msg.rerun_script.fragment_id = fragment
            msg.rerun_script.is_auto_rerun = True
        result = Run()
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        deadline = start + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no finished run within {timeout:.0f} s")
            import asyncio

            raw = await asyncio.wait_for(self.ws.recv(), remaining)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                self.session_id = fm.new_session.initialize.session_id or self.session_id
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages}
                self.page_hash = fm.navigation.page_script_hash or self.page_hash
                result.pages = dict(self.pages)
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                self._element(fm.delta.new_element, result)
            elif kind == "auto_rerun":
                self.fragments[fm.auto_rerun.interval] = fm.auto_rerun.fragment_id
            elif kind == "script_finished" and fm.script_finished in DONE:
                result.seconds = time.perf_counter() - start
                self.widgets.update(result.widgets)
                self.labels.update(result.labels)
                # the browser runs the page's cookie scripts; later handshakes send the cookies
                for name, value in result.cookies.items():
                    if value:
                        self.cookies[name] = value
                    else:
                        self.cookies.pop(name, None)
                return result

    @staticmethod
    def _element(element, result: Run) -> None:
        kind = element.WhichOneof("type")
        if kind is None:
            return
        if kind == "exception":
            result.exceptions.append(f"{element.exception.type}: {element.exception.message}")
            return
        body = getattr(element, kind)
        wid = getattr(body, "id", "")
        if isinstance(wid, str) and wid.startswith("$$ID-"):
            result.widgets[wid.rsplit("-", 1)[-1]] = wid
            result.kinds[wid] = kind
            if isinstance(getattr(body, "label", None), str):
                result.labels[body.label] = wid
        if kind == "html":
            for name, value, max_age in COOKIE_SCRIPT.findall(body.body):
                result.cookies[name] = value if int(max_age) > 0 else ""
        text = _element_text(kind, element)
        if text:
            result.texts.append(text)
        if kind in ("text_area", "text_input"):
            result.values[body.label] = body.value if body.set_value else body.default


def upload(base: str, session_id: str, file_id: str, name: str, data: bytes) -> None:
    """PUT a file the way the browser's file uploader does (multipart, XSRF header + cookie)."""
    import urllib.request

    from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

    token = generate_xsrf_token_string()
    boundary = "----causalcanvasbench"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{file_id}\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(
        f"{base.rstrip('/')}/_stcore/upload_file/{session_id}/{file_id}", data=body,
        method="PUT", headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                               "X-Xsrftoken": token, "Cookie": f"_streamlit_xsrf={token}"})
    with urllib.request.urlopen(req, timeout=120) as r:
        if r.status not in (200, 204):
            raise OSError(f"upload answered {r.status}")


def uploaded(widget_id: str, base: str, session_id: str, file_id: str, name: str,
             size: int) -> WidgetState:
    """The uploader's widget value once `upload` has stored the file."""
    from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo

    url = f"/_stcore/upload_file/{session_id}/{file_id}"
    state = WidgetState(id=widget_id)
    state.file_uploader_state_value.uploaded_file_info.append(UploadedFileInfo(
        file_id=file_id, name=name, size=size,
        file_urls=FileURLs(file_id=file_id, upload_url=url, delete_url=url)))
    return state


def text_value(widget_id: str, value: str) -> WidgetState:
    return WidgetState(id=widget_id, string_value=value)


def choices(widget_id: str, values: list[str]) -> WidgetState:
    """A multiselect's or segmented control's chosen options (as their labels)."""
    state = WidgetState(id=widget_id)
    state.string_array_value.data.extend(values)
    return state


def click(widget_id: str) -> WidgetState:
    return WidgetState(id=widget_id, trigger_value=True)


def component_event(component_id: str, event: str, value) -> WidgetState:
    """A components-v2 trigger (what the component's setTriggerValue(event, value) sends)."""
    from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX

    return WidgetState(id=f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{component_id}__events",
                       json_trigger_value=json.dumps([{"event": event, "value": value}]))
