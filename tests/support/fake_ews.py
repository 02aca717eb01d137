"""A local EWS stand-in: answers the SOAP operations our EWS source and transport use, as Microsoft
documents them (ConvertId for exchangelib's version probe, GetFolder, SyncFolderItems, GetItem with
MimeContent, UpdateItem, MoveItem, CreateItem), plus an OAuth2 client-credentials token endpoint.

Grown from shared/notes/stack.md Appendix A. Faults on demand: `busy_next` answers ErrorServerBusy with a
BackOffMilliseconds hint, `revoked` answers 401 (expired or revoked token), `token_refused` makes the
token endpoint refuse the client secret. Everything received is recorded for assertions.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

HDR = ('<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
       '<s:Header><h:ServerVersionInfo xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types" '
       'MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" MinorBuildNumber="6" Version="V2017_07_11"/>'
       '</s:Header><s:Body>')
FTR = "</s:Body></s:Envelope>"
NS = ('xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" '
      'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"')
FOLDERS = {"root": ("ROOTID", "Root", None), "msgfolderroot": ("MSGROOTID", "Top of Information Store", "ROOTID"),
           "inbox": ("INBOXID", "Inbox", "MSGROOTID"), "sentitems": ("SENTID", "Sent Items", "MSGROOTID"),
           "deleteditems": ("TRASHID", "Deleted Items", "MSGROOTID")}


def busy_fault(ms: int) -> str:
    return (f'{HDR}<s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">'
            'a:ErrorServerBusy</faultcode><faultstring>The server cannot service this request right now. Try again '
            'later.</faultstring><detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/'
            'errors">ErrorServerBusy</e:ResponseCode><e:Message xmlns:e="http://schemas.microsoft.com/exchange/'
            'services/2006/errors">busy</e:Message><t:MessageXml xmlns:t="http://schemas.microsoft.com/exchange/'
            f'services/2006/types"><t:Value Name="BackOffMilliseconds">{ms}</t:Value></t:MessageXml></detail>'
            f'</s:Fault>{FTR}')


def _folder_xml(dist: str) -> str:
    fid, name, parent = FOLDERS[dist]
    p = f'<t:ParentFolderId Id="{parent}" ChangeKey="CK"/>' if parent else ""
    return (f'<t:Folder><t:FolderId Id="{fid}" ChangeKey="CK"/>{p}<t:FolderClass>IPF.Note</t:FolderClass>'
            f'<t:DisplayName>{name}</t:DisplayName><t:TotalCount>0</t:TotalCount>'
            '<t:ChildFolderCount>0</t:ChildFolderCount><t:UnreadCount>0</t:UnreadCount></t:Folder>')


def _ok(op: str, inner: str) -> str:
    return f"{HDR}<m:{op}Response {NS}><m:ResponseMessages>{inner}</m:ResponseMessages></m:{op}Response>{FTR}"


def _rm(op: str, inner: str, code: str = "NoError") -> str:
    cls = "Success" if code == "NoError" else "Error"
    text = "" if code == "NoError" else f"<m:MessageText>{code}</m:MessageText>"
    return (f'<m:{op}ResponseMessage ResponseClass="{cls}">{text}<m:ResponseCode>{code}</m:ResponseCode>{inner}'
            f"</m:{op}ResponseMessage>")


@dataclass
class FakeMailbox:
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)  # the change journal SyncFolderItems pages through
    calls: list[str] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # CreateItem: disposition, folder, mime
    auth_headers: list[str] = field(default_factory=list)
    busy_next: int = 0
    busy_ms: int = 200
    busy_on: str = "SyncFolderItems"  # the operation that answers ErrorServerBusy while busy_next > 0
    revoked: bool = False
    token_refused: bool = False
    tokens_issued: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def deliver(self, mime: bytes) -> str:
        with self.lock:
            iid = f"ITEM{next(self._ids)}"
            self.items[iid] = {"id": iid, "ck": "CK1", "mime": mime, "categories": [], "folder": "INBOXID",
                               "is_read": False}
            self.log.append(("create", iid))
            return iid

    def read_by_person(self, iid: str) -> None:
        with self.lock:
            self.items[iid]["is_read"] = True
            self.log.append(("read", iid))


def _item_xml(it: dict[str, Any], full: bool) -> str:
    extra = ""
    if full:
        cats = "".join(f"<t:String>{escape(c)}</t:String>" for c in it["categories"])
        extra = (f'<t:MimeContent CharacterSet="UTF-8">{base64.b64encode(it["mime"]).decode()}</t:MimeContent>'
                 + (f"<t:Categories>{cats}</t:Categories>" if cats else ""))
    return (f'<t:Message>{extra if full else ""}<t:ItemId Id="{it["id"]}" ChangeKey="{it["ck"]}"/>'
            f'<t:ParentFolderId Id="{it["folder"]}" ChangeKey="CK"/></t:Message>')


def _handler(mb: FakeMailbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            if self.path.endswith("/token"):
                return self._token()
            mb.auth_headers.append(self.headers.get("Authorization", ""))
            op = re.search(r"<m:(\w+)[ >]", body.split("<s:Body>", 1)[1]).group(1)  # type: ignore[union-attr]
            mb.calls.append(op)
            if mb.revoked:
                return self._reply(401, "", "text/plain")
            if mb.busy_next > 0 and op == mb.busy_on:
                mb.busy_next -= 1
                return self._reply(500, busy_fault(mb.busy_ms))
            return self._reply(200, self._answer(op, body))

        def _token(self) -> None:
            if mb.token_refused:
                out = {"error": "invalid_client", "error_description": "AADSTS7000222: client secret expired"}
                return self._reply(401, json.dumps(out), "application/json")
            mb.tokens_issued += 1
            out = {"access_token": f"tok{mb.tokens_issued}", "token_type": "Bearer", "expires_in": 3599}
            return self._reply(200, json.dumps(out), "application/json")

        def _answer(self, op: str, body: str) -> str:
            ids = re.findall(r'<t:ItemId Id="(\w+)"', body)
            if op == "ConvertId":  # exchangelib's version probe: any response with the version header
                return _ok(op, _rm(op, "", "ErrorInvalidIdMalformed"))
            if op == "GetFolder":
                byid = {v[0]: k for k, v in FOLDERS.items()}
                ds = re.findall(r'DistinguishedFolderId Id="(\w+)"', body) + [
                    byid[i] for i in re.findall(r'<t:FolderId Id="(\w+)"', body)]
                return _ok(op, "".join(_rm(op, f"<m:Folders>{_folder_xml(d)}</m:Folders>") for d in ds))
            if op == "SyncFolderItems":
                return self._sync(body)
            if op == "GetItem":
                return _ok(op, "".join(_rm(op, f"<m:Items>{_item_xml(mb.items[i], True)}</m:Items>")
                                       if i in mb.items else _rm(op, "", "ErrorItemNotFound") for i in ids))
            if op == "UpdateItem":
                return self._update(body, ids)
            if op == "MoveItem":
                with mb.lock:
                    target = re.search(r'<m:ToFolderId>.*?Id="(\w+)"', body, re.S).group(1)  # type: ignore[union-attr]
                    for i in ids:
                        mb.items[i]["folder"] = target
                        mb.log.append(("delete", i))  # gone from the synced folder
                return _ok(op, "".join(_rm(op, f'<m:Items><t:Message><t:ItemId Id="{i}" ChangeKey="CK3"/>'
                                               "</t:Message></m:Items>") for i in ids))
            if op == "CreateItem":
                mime = re.search(r"<t:MimeContent[^>]*>([^<]+)</t:MimeContent>", body)
                disposition = re.search(r'MessageDisposition="(\w+)"', body)
                folder = re.search(r'<m:SavedItemFolderId>.*?Id="(\w+)"', body, re.S)  # Distinguished or FolderId
                mb.sent.append({"disposition": disposition.group(1) if disposition else None,
                                "folder": folder.group(1) if folder else None,
                                "mime": base64.b64decode(mime.group(1)) if mime else b""})
                return _ok(op, _rm(op, "<m:Items/>"))
            raise ValueError(f"unsupported op {op}")

        def _sync(self, body: str) -> str:
            op = "SyncFolderItems"
            st = re.search(r"<m:SyncState>(\d+)</m:SyncState>", body)
            start = int(st.group(1)) if st else 0
            mx = int(re.search(r"<m:MaxChangesReturned>(\d+)<", body).group(1))  # type: ignore[union-attr]
            with mb.lock:
                evs = mb.log[start:start + mx]
                end = start + len(evs)
                last = end >= len(mb.log)
                ch = "".join(
                    f"<t:Create>{_item_xml(mb.items[i], False)}</t:Create>" if k == "create" else
                    f"<t:Update>{_item_xml(mb.items[i], False)}</t:Update>" if k == "update" else
                    f'<t:ReadFlagChange><t:ItemId Id="{i}" ChangeKey="CK"/><t:IsRead>true</t:IsRead>'
                    "</t:ReadFlagChange>" if k == "read" else
                    f'<t:Delete><t:ItemId Id="{i}" ChangeKey="CK"/></t:Delete>' for k, i in evs)
            return _ok(op, _rm(op, f"<m:SyncState>{end}</m:SyncState><m:IncludesLastItemInRange>"
                                   f"{str(last).lower()}</m:IncludesLastItemInRange><m:Changes>{ch}</m:Changes>"))

        def _update(self, body: str, ids: list[str]) -> str:
            op = "UpdateItem"
            cats = re.search(r"<t:Categories>(.*?)</t:Categories>", body, re.S)
            with mb.lock:
                for i in ids:
                    if cats:
                        mb.items[i]["categories"] = re.findall(r"<t:String>(.*?)</t:String>", cats.group(1))
                    mb.items[i]["ck"] = f"CK{int(mb.items[i]['ck'][2:]) + 1}"
                    mb.log.append(("update", i))
            return _ok(op, "".join(_rm(op, f'<m:Items><t:Message><t:ItemId Id="{i}" ChangeKey="{mb.items[i]["ck"]}"/>'
                                           "</t:Message></m:Items><m:ConflictResults><t:Count>0</t:Count>"
                                           "</m:ConflictResults>") for i in ids))

        def _reply(self, code: int, text: str, ctype: str = "text/xml; charset=utf-8") -> None:
            b = text.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(b)))
            self.end_headers()
            self.wfile.write(b)

    return Handler


class FakeEws:
    def __init__(self) -> None:
        self.mailbox = FakeMailbox()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.mailbox))
        self.url = f"http://127.0.0.1:{self.server.server_port}/EWS/Exchange.asmx"
        self.token_url = f"http://127.0.0.1:{self.server.server_port}/tenant/oauth2/v2.0/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
