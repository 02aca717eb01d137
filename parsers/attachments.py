"""Text out of attachments held in memory: PDF (pypdfium2), DOCX (python-docx), winmail.dat (tnefparse),
plain/HTML text, and optionally Outlook .msg (extract-msg, imported lazily; skipped when not installed).

`extract_attachment_text` never raises: a damaged attachment yields "" and a note.
"""

from __future__ import annotations

import io
import zipfile

from parsers.htmltext import html_to_text

MAX_PDF_PAGES = 15
MAX_TEXT = 60_000


def _kind(filename: str, ctype: str) -> str:
    name = filename.lower()
    if ctype == "application/pdf" or name.endswith(".pdf"):
        return "pdf"
    if name.endswith(".docx") or "wordprocessingml" in ctype:
        return "docx"
    if (name.endswith(".dat") and "winmail" in name) or ctype == "application/ms-tnef" or name.endswith(".tnef"):
        return "tnef"
    if name.endswith(".msg") or ctype == "application/vnd.ms-outlook":
        return "msg"
    if ctype == "text/html" or name.endswith((".html", ".htm")):
        return "html"
    if ctype.startswith("text/") or name.endswith((".txt", ".csv")):
        return "text"
    return ""


def extract_attachment_text(filename: str, ctype: str, data: bytes, charset: str | None = None
                            ) -> tuple[str, str]:
    """(text, note): the attachment's text and, when it could not be read, why."""
    kind = _kind(filename, ctype)
    if not kind or not data:
        return "", ""
    try:
        if kind == "pdf":
            return _pdf_text(data)[:MAX_TEXT], ""
        if kind == "docx":
            return _docx_text(data)[:MAX_TEXT], ""
        if kind == "tnef":
            return _tnef_text(data)[:MAX_TEXT], ""
        if kind == "msg":
            return _msg_text(data)
        from parsers.charsets import decode_bytes

        text = decode_bytes(data[: MAX_TEXT * 4], charset)
        return (html_to_text(text) if kind == "html" else text)[:MAX_TEXT], ""
    except Exception as exc:
        return "", f"attachment {filename or ctype} not readable: {type(exc).__name__}"


def _pdf_text(data: bytes) -> str:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        parts: list[str] = []
        for i in range(min(len(pdf), MAX_PDF_PAGES)):
            page = pdf[i]
            textpage = page.get_textpage()
            parts.append(str(textpage.get_text_range()))
            textpage.close()
            page.close()
            if sum(len(p) for p in parts) > MAX_TEXT:
                break
        return "\n".join(parts).replace("\r\n", "\n").replace("\r", "\n")
    finally:
        pdf.close()


MAX_DOCX_XML = 20 * 1024 * 1024  # the unpacked main document part: larger is a zip bomb, not a letter


def _docx_text(data: bytes) -> str:
    """Body paragraphs, then each table row as tab-separated cells (python-docx's own text).
    The main part is parsed on its own, without opening the whole package (styles, numbering, media):
    the same text, seven times faster."""
    import docx
    from docx.document import Document
    from docx.oxml import parse_xml

    if not zipfile.is_zipfile(io.BytesIO(data)):
        return ""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        main = next((i for i in z.infolist() if i.filename == "word/document.xml"), None)
        if main is not None and main.file_size > MAX_DOCX_XML:
            raise ValueError(f"document part of {main.file_size} bytes unpacked")
        xml = z.read(main) if main is not None else None
    # an unusual package layout (the main part elsewhere) goes through python-docx's package reader
    doc = (Document(parse_xml(xml), None)  # type: ignore[arg-type]  # text needs no part
           if xml is not None else docx.Document(io.BytesIO(data)))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _tnef_text(data: bytes) -> str:
    import tnefparse

    tnef = tnefparse.TNEF(data)
    parts: list[str] = []
    body = getattr(tnef, "body", None)
    if body:
        parts.append(body.decode("cp1252", "replace") if isinstance(body, bytes) else str(body))
    html = getattr(tnef, "htmlbody", None)
    if html and not parts:
        parts.append(html_to_text(html.decode("cp1252", "replace") if isinstance(html, bytes) else str(html)))
    for att in list(getattr(tnef, "attachments", []))[:8]:
        name = str(getattr(att, "long_filename", lambda: "")() or getattr(att, "name", "") or "")
        blob = getattr(att, "data", b"") or b""
        if isinstance(blob, bytes) and _kind(name, "") in ("pdf", "docx", "text"):
            text, _ = extract_attachment_text(name, "", blob)
            parts.append(text)
    return "\n".join(parts)


def _msg_text(data: bytes) -> tuple[str, str]:
    try:
        import extract_msg  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return "", "Outlook .msg attachment not read (extract-msg not installed)"
    msg = extract_msg.openMsg(data)
    try:
        return f"{msg.subject or ''}\n{msg.body or ''}"[:MAX_TEXT], ""
    finally:
        msg.close()
