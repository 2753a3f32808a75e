"""The parts of an annual report made in parts (`reporting.pdf_chunks`) joined into one
PDF: the pages in order, the footer "Page X of Y" on every page, the bookmarks and the
structure tree (the PDF/UA tags).

Run in a report worker process (`reporting.pdf_worker`), not in the job's process: pypdf
holds every part's objects while it joins, and the job's process keeps the report's
figures as well.

The footers come from one document of empty pages laid out without tags. Each of its
pages becomes a form XObject, drawn on the matching page by a few bytes of content added
around the page's own content, inside `/Artifact` marked content: the page's content
streams are neither parsed nor rewritten, and the footer stays outside the structure
tree, as a running footer should (PDF/UA).
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
)

# The footer's name in a page's /XObject resources; WeasyPrint names its own
# XObjects x0, x1 … and images im0 …, so this one cannot clash.
FOOTER_NAME = NameObject("/KvalitetsplanFooter")
# Around the page's own content: its graphics state (a transformation, a clip, a colour
# left set) is saved before and restored after, so the footer is drawn in the state the
# page started in.
OPEN = b"q\n"
CLOSE = b"\nQ\n/Artifact BMC\nq\n" + FOOTER_NAME.encode() + b" Do\nQ\nEMC\n"


class JoinFailed(RuntimeError):
    """The parts do not fit together (a programming error, not the user's)."""


def join_parts(*, parts: list[Path], footer: Path, output: Path) -> int:
    """Write the parts as one PDF to `output`, with the footers, bookmarks and structure
    tree; returns its page count."""
    writer = PdfWriter()
    readers = [PdfReader(path) for path in parts]
    offsets = []
    for reader in readers:
        offsets.append(len(writer.pages))
        writer.append(reader, import_outline=False)
    _add_footers(writer, PdfReader(footer))
    _join_outlines(writer, readers, offsets)
    _join_structure(writer, readers)
    _copy_catalog(writer, readers[0])
    with open(output, "wb") as file:
        writer.write(file)
    return len(writer.pages)


def _add_footers(writer: PdfWriter, footers: PdfReader) -> None:
    if len(footers.pages) != len(writer.pages):
        raise JoinFailed(f"{len(footers.pages)} footers for {len(writer.pages)} pages")
    # Two small streams shared by every page: they name the footer, and each page's
    # resources say which footer that name is.
    opening = _stream(writer, OPEN)
    closing = _stream(writer, CLOSE)
    for page, footer in zip(writer.pages, footers.pages, strict=True):
        _own_resources(page)
        resources = page["/Resources"]
        xobjects = resources.get("/XObject")
        xobjects = DictionaryObject() if xobjects is None else xobjects.get_object()
        xobjects[FOOTER_NAME] = _footer_form(writer, footer)
        resources[NameObject("/XObject")] = xobjects
        contents = page["/Contents"]
        own = list(contents.get_object()) if _is_array(contents) else [contents]
        page[NameObject("/Contents")] = ArrayObject([opening, *own, closing])


def _footer_form(writer: PdfWriter, footer) -> IndirectObject:
    """A footer page as a form XObject of the same size."""
    contents = footer["/Contents"]
    streams = list(contents.get_object()) if _is_array(contents) else [contents]
    form = DecodedStreamObject()
    form.set_data(b"\n".join(stream.get_object().get_data() for stream in streams))
    form = form.flate_encode()
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(footer.mediabox)
    # The fonts are one set for every footer page: cloning keeps them once in the file.
    form[NameObject("/Resources")] = footer["/Resources"].clone(writer)
    return writer._add_object(form)


def _stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _is_array(value) -> bool:
    return isinstance(value.get_object(), ArrayObject)


def _own_resources(page) -> None:
    """Give the page resource dictionaries of its own: WeasyPrint shares them between a
    part's pages, and each page names a footer of its own in them."""
    resources = page["/Resources"].get_object()
    own = DictionaryObject()
    for key, value in resources.items():
        value = value.get_object()
        own[NameObject(key)] = (
            DictionaryObject(value.items()) if isinstance(value, DictionaryObject) else value
        )
    page[NameObject("/Resources")] = own


# --- Bookmarks -------------------------------------------------------------------------


def _join_outlines(writer: PdfWriter, readers: list[PdfReader], offsets: list[int]) -> None:
    """Every part's bookmarks at their pages; a later chunk's top-level items (the unit
    reports) go under the appendix's bookmark, which the first chunk (part 2) holds."""
    appendix = None
    for number, (reader, offset) in enumerate(zip(readers, offsets, strict=True)):
        parent = appendix if number > 2 else None
        last = _add_outline(writer, reader, reader.outline, offset, parent)
        if number == 2:
            appendix = last


def _add_outline(writer, reader, items, offset, parent):
    last = None
    for item in items:
        if isinstance(item, list):
            _add_outline(writer, reader, item, offset, last)
            continue
        page = reader.get_destination_page_number(item)
        last = writer.add_outline_item(title=item.title, page_number=offset + page, parent=parent)
    return last


# --- The structure tree ----------------------------------------------------------------


def _join_structure(writer: PdfWriter, readers: list[PdfReader]) -> None:
    """The parts' structure trees under one Document element.

    Each part's marked content is numbered per page (MCIDs), so it stays valid; what
    changes are the parent-tree keys (a page's /StructParents, an annotation's
    /StructParent), which are shifted past the previous parts' keys."""
    kids = ArrayObject()
    nums = ArrayObject()
    shift = 0
    first_page = 0
    for reader in readers:
        source = reader.trailer["/Root"].get("/StructTreeRoot")
        count = len(reader.pages)
        pages = writer.pages[first_page : first_page + count]
        first_page += count
        if source is None:
            continue
        source = source.get_object()
        for kid in _as_list(source.get("/K")):
            kid = kid.get_object()
            # WeasyPrint wraps everything in one Document element: take its children.
            if kid.get("/S") == "/Document":
                for child in _as_list(kid.get("/K")):
                    kids.append(child.clone(writer))
            else:
                kids.append(kid.clone(writer) if hasattr(kid, "clone") else kid)
        most = -1
        tree = source.get("/ParentTree")
        for key, value in _number_tree(tree.get_object() if tree else None):
            nums.append(NumberObject(key + shift))
            nums.append(value.clone(writer))
            most = max(most, key)
        _shift_keys(reader, pages, shift)
        shift += most + 1
    if kids:
        _add_structure_root(writer, kids, nums, shift)


def _shift_keys(reader: PdfReader, pages, shift: int) -> None:
    """pypdf drops the parent-tree keys when it copies a page: set them again from the
    part, shifted."""
    for original, page in zip(reader.pages, pages, strict=True):
        if "/StructParents" in original:
            page[NameObject("/StructParents")] = NumberObject(original["/StructParents"] + shift)
        annotations = [a.get_object() for a in original.get("/Annots", []) or []]
        copies = [a.get_object() for a in page.get("/Annots", []) or []]
        if len(copies) != len(annotations):
            raise JoinFailed("The links of a page were not copied one for one")
        for annotation, copy in zip(annotations, copies, strict=True):
            if "/StructParent" in annotation:
                copy[NameObject("/StructParent")] = NumberObject(
                    annotation["/StructParent"] + shift
                )


def _add_structure_root(writer: PdfWriter, kids: ArrayObject, nums: ArrayObject, next_key):
    root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    root_ref = writer._add_object(root)
    document = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): root_ref,
            NameObject("/K"): kids,
        }
    )
    document_ref = writer._add_object(document)
    for kid in kids:
        kid.get_object()[NameObject("/P")] = document_ref
    root[NameObject("/K")] = ArrayObject([document_ref])
    root[NameObject("/ParentTree")] = writer._add_object(
        DictionaryObject({NameObject("/Nums"): nums})
    )
    root[NameObject("/ParentTreeNextKey")] = NumberObject(next_key)
    writer._root_object[NameObject("/StructTreeRoot")] = root_ref


def _as_list(value) -> list:
    if value is None:
        return []
    value = value.get_object() if hasattr(value, "get_object") else value
    return list(value) if isinstance(value, list) else [value]


def _number_tree(node):
    """(key, value) of a number tree, in order."""
    if node is None:
        return
    nums = node.get("/Nums")
    if nums is not None:
        nums = nums.get_object()
        for n in range(0, len(nums), 2):
            yield int(nums[n]), nums[n + 1]
    for kid in node.get("/Kids", []) or []:
        yield from _number_tree(kid.get_object())


def _copy_catalog(writer: PdfWriter, reader: PdfReader) -> None:
    """The language, the tagged-PDF marks, the title display and the XMP metadata (which
    names the PDF/UA part) of the first part, and its document information."""
    catalog = reader.trailer["/Root"]
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata"):
        if key in catalog:
            writer._root_object[NameObject(key)] = catalog[key].clone(writer)
    if reader.metadata:
        writer.add_metadata({key: str(value) for key, value in reader.metadata.items()})
