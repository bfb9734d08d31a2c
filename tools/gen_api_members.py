#!/usr/bin/env python3
"""Generate ``src/factoryverse/engine/data/api_members.json`` from typed-factorio's runtime declarations.

Mods may only use API members present in both Factorio 2.0 and 2.1, and the engine implements only real members,
so both read one list derived from typed-factorio (3.36.0 = Factorio 2.0.75, 4.0.1 = Factorio 2.1.7).

    python tools/gen_api_members.py --out src/factoryverse/engine/data/api_members.json [TARBALL ...]

Without tarballs the script runs ``npm pack`` for the default packages into a temporary directory. The Factorio
version of each tarball is read from its documentation links, so any typed-factorio tarball can be given.

The ``.d.ts`` files are prettier-formatted output of typed-factorio's generator; the parser below reads that
declaration subset (interfaces, type aliases, namespaces, enums, consts), not TypeScript in general.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

__all__ = [
    "DEFAULT_PACKAGES", "GenerationError", "Decl", "Member", "parse_declarations", "resolve_members",
    "parse_tarball", "build", "dump_json", "main",
]

DEFAULT_PACKAGES = ("typed-factorio@3.36.0", "typed-factorio@4.0.1")
_GENERATED = "package/runtime/generated/"
_REQUIRED = tuple(_GENERATED + f"{key}.d.ts" for key in (
    "classes", "concepts", "defines", "events", "global-objects", "global-functions"))
_OPERATOR_SUFFIX = "_operator"
_DOC_MAX = 160
_CLASS_LINK = re.compile(r"lua-api\.factorio\.com/([0-9.]+|latest)/classes/(\w+)\.html(?:#(\w+))?")
_ANY_LINK = re.compile(r"lua-api\.factorio\.com/[0-9.]+/[\w/-]+\.html#([\w.]+)")
_VERSION_LINK = re.compile(r"lua-api\.factorio\.com/(\d+\.\d+\.\d+)/")
_HEAD = re.compile(r"^(?:export\s+)?(?:declare\s+)?(interface|namespace|module|global|enum|const|type|function)\b\s*")
_BLOCK_HEAD = re.compile(r'^(?:export\s+)?(?:declare\s+)?(?:interface|namespace|module|enum)\s+[\w"]')
_NON_SPACE = re.compile(r"\S")
# ``=>`` is matched whole so its ``>`` never closes a generic; unterminated quotes (apostrophes) stay plain text
_TOKEN = re.compile(r'''"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`[^`]*`|/\*.*?\*/|//[^\n]*|=>|[(){}\[\]<>;,\n]''', re.S)
_REPLACED_BY = re.compile(r'Deprecated, replaced by `"(\w+)"`')
_MEMBER = re.compile(r'^(?:(readonly)\s+)?(?:(get|set)\s+(?=[\w"]+\s*\())?(\w+|"[^"]+")(\?)?\s*([:(<])')


class GenerationError(Exception):
    """The tarballs could not be fetched or do not look like typed-factorio runtime declarations."""


@dataclass
class Member:
    name: str
    kind: str  # "method" or "property"
    readonly: bool = False
    writeonly: bool = False
    optional: bool = False  # ``name?:``: the value may be nil (for event data: the field may be absent)
    doc: str | None = None
    # A method's parameter lists as declared, one per overload (``teleport`` has two): the engine checks calls
    # against them (arity and types), so they are kept as typed-factorio writes them, whitespace collapsed.
    signatures: list[str] = field(default_factory=list)


@dataclass
class Decl:
    """One top-level interface or type alias of a declaration file."""

    name: str
    kind: str  # "interface" or "type"
    doc: str | None = None
    bases: list[str] = field(default_factory=list)  # interface ``extends`` or the names an alias combines
    members: dict[str, Member] = field(default_factory=dict)
    operators: set[str] = field(default_factory=set)


# --- lexical helpers -------------------------------------------------------------------------------------------

def _tokens(text: str, pos: int = 0) -> Iterator[re.Match[str]]:
    """Brackets, separators, strings and comments from ``pos``; plain text between them is never visited."""
    return _TOKEN.finditer(text, pos)


def _split(body: str, commas: bool = True) -> list[tuple[str | None, str]]:
    """Split a block body into (jsdoc, statement) pairs at depth-0 newlines, ``;`` and ``,``.

    A newline does not end a statement that visibly continues (prettier breaks unions after ``:``/``=`` and starts
    continuation lines with ``|``, conditional types with ``?``/``:``), so multi-line types stay in one piece.
    Comments inside brackets are kept, since nested blocks are split again later and need their docs.
    """
    out: list[tuple[str | None, str]] = []
    doc: str | None = None
    parts: list[str] = []
    seg, depth = 0, 0

    def pending(upto: int) -> str:
        return ("".join(parts) + body[seg:upto]).strip()

    def flush(upto: int, resume: int) -> None:
        nonlocal doc, seg
        text = pending(upto)
        if text:
            out.append((doc, text))
            doc = None
        parts.clear()
        seg = resume

    for m in _tokens(body):
        tok, at = m.group(), m.start()
        if tok.startswith(("/*", "//")):
            if depth > 0:
                continue
            if not pending(at):
                if tok.startswith("/**"):
                    doc = tok
                seg = m.end()
            else:
                parts.append(body[seg:at] + " ")
                seg = m.end()
        elif tok in "({[<":
            depth += 1
        elif tok in ")}]>":
            depth -= 1
        elif depth == 0 and (tok == ";" or (tok == "," and commas)):
            flush(at, m.end())
        elif depth == 0 and tok == "\n":
            so_far = pending(at)
            nxt = _NON_SPACE.search(body, m.end())
            continues = (so_far.endswith((":", "|", "&", "=", ",")) or (nxt is not None and nxt.group() in "|&?:")
                         or (_BLOCK_HEAD.match(so_far) and "{" not in so_far))
            if so_far and not continues:
                flush(at, m.end())
    flush(len(body), len(body))
    return out


def _skip_balanced(text: str, pos: int, open_: str, close: str) -> int:
    """Index just after the bracket that closes the ``open_`` at ``pos``."""
    depth = 0
    for m in _tokens(text, pos):
        tok = m.group()
        if tok == open_:
            depth += 1
        elif tok == close:
            depth -= 1
            if depth == 0:
                return m.end()
    raise GenerationError(f"unbalanced {open_!r} in declaration: {text[pos:pos + 80]!r}")


def _top_level_names(expr: str) -> list[str]:
    """Identifiers of a type expression outside any brackets: ``A & B<C> | D`` -> [A, B, D]."""
    outside, depth, seg = [], 0, 0
    for m in _tokens(expr):
        tok = m.group()
        if depth == 0:
            outside.append(expr[seg:m.start()])
        seg = m.end()
        if tok in "({[<":
            depth += 1
        elif tok in ")}]>":
            depth -= 1
    if depth == 0:
        outside.append(expr[seg:])
    names = re.findall(r"[A-Za-z_][\w.]*", " ".join(outside))
    return [n for n in names if n not in ("typeof", "keyof", "readonly", "extends", "infer", "in")]


def _doc_line(doc: str | None) -> str | None:
    if not doc:
        return None
    for raw in doc.strip("/*").splitlines():
        line = raw.strip().lstrip("*").strip()
        if line.startswith("@"):
            return None
        if line:
            line = re.sub(r"\{@link(?:plain)? (?:[^\s}]+ )?([^}]*)\}", r"\1", line)
            sentence = re.match(r"(.+?[.!?])(?:\s|$)", line)
            line = sentence.group(1) if sentence else line
            return line if len(line) <= _DOC_MAX else line[: _DOC_MAX - 1].rstrip() + "\u2026"
    return None


def _anchor(doc: str | None) -> str | None:
    m = _ANY_LINK.search(doc or "")
    return m.group(1) if m else None


# --- declarations --------------------------------------------------------------------------------------------

def _block(rest: str) -> tuple[str, str]:
    """``Name<G> extends X {body}`` -> (header before the body, body)."""
    depth = 0
    for m in _tokens(rest):
        tok = m.group()
        if tok == "<":
            depth += 1
        elif tok == ">":
            depth -= 1
        elif tok == "{" and depth == 0:
            end = _skip_balanced(rest, m.start(), "{", "}")
            return rest[: m.start()].strip(), rest[m.end(): end - 1]
    raise GenerationError(f"expected a {{...}} block in declaration: {rest[:80]!r}")


def _interface_members(decl: Decl, body: str) -> None:
    for doc, stmt in _split(body, commas=False):
        anchor = _anchor(doc)
        if anchor and anchor.endswith(_OPERATOR_SUFFIX):
            decl.operators.add(anchor[: -len(_OPERATOR_SUFFIX)])
            continue
        if stmt.startswith("("):
            decl.operators.add("call")
            continue
        if stmt.startswith(("[", "readonly [")):
            decl.operators.add("index")
            continue
        m = _MEMBER.match(stmt)
        if not m:
            raise GenerationError(f"unrecognised member in interface {decl.name}: {stmt[:80]!r}")
        readonly, accessor, name, optional, punct = m.groups()
        name = name.strip('"')
        kind = "method" if punct in "(<" and not accessor else "property"
        old = decl.members.get(name)
        new = Member(name, kind, readonly=bool(readonly) or accessor == "get", writeonly=accessor == "set",
                     optional=bool(optional), doc=_doc_line(doc))
        if kind == "method":
            new.signatures.append(_parameters(stmt, m.end() - 1))
        if old is not None:  # overloads, or the get/set halves of one accessor
            if accessor:
                getter = accessor == "get" or not old.writeonly
                setter = accessor == "set" or not old.readonly
                new.readonly, new.writeonly = getter and not setter, setter and not getter
            new.doc = old.doc or new.doc
            if kind == "method" and old.kind == "method":
                new.signatures = old.signatures + new.signatures
        decl.members[name] = new


def _parameters(stmt: str, at: int) -> str:
    """The parameter list of the method declared in ``stmt`` whose name ends before ``at`` (its ``(`` or
    generic ``<``), comments dropped and whitespace collapsed: ``position: MapPosition, surface?: ...``."""
    if stmt[at] == "<":
        at = _skip_balanced(stmt, at, "<", ">")
        at = stmt.index("(", at)
    end = _skip_balanced(stmt, at, "(", ")")
    text = re.sub(r"/\*.*?\*/|//[^\n]*", " ", stmt[at + 1:end - 1], flags=re.S)
    # prettier ends the fields of an inline ``{ ... }`` type with newlines only: keep them apart with ``;``
    text = re.sub(r"(?<=[^\s,;{(|&:])[ \t]*\n\s*(?=(?:readonly\s+)?\w+\??\s*:)", "; ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s*,$", "", text).replace("( ", "(").replace(" )", ")")


def parse_declarations(text: str) -> dict[str, object]:
    """Parse a ``.d.ts`` text into ``{"decls": {name: Decl}, "defines": tree, "consts": {...}, "functions": {...}}``.

    Module and ``declare global`` blocks are transparent; ``namespace defines`` becomes the defines tree.
    """
    result: dict[str, object] = {"decls": {}, "defines": None, "consts": {}, "functions": {}}
    _parse_block(text, result)
    return result


def _parse_block(text: str, result: dict) -> None:
    for doc, stmt in _split(text):
        if stmt.startswith("import"):
            continue
        m = _HEAD.match(stmt)
        if not m:
            raise GenerationError(f"unrecognised declaration: {stmt[:80]!r}")
        what, rest = m.group(1), stmt[m.end():]
        if what in ("module", "global"):
            _parse_block(_block(rest)[1], result)
        elif what == "namespace":
            header, body = _block(rest)
            if header == "defines":
                result["defines"] = _parse_defines(body)
            else:
                _parse_block(body, result)
        elif what == "interface":
            header, body = _block(rest)
            name = re.match(r"\w+", header).group(0)
            after = header[len(name):].lstrip()
            if after.startswith("<"):
                after = after[_skip_balanced(after, 0, "<", ">"):].lstrip()
            bases = _top_level_names(after[len("extends"):]) if after.startswith("extends") else []
            decl = Decl(name, "interface", doc=doc, bases=bases)
            _interface_members(decl, body)
            result["decls"][name] = decl
        elif what == "type":
            name = re.match(r"\w+", rest).group(0)
            after = rest[len(name):].lstrip()
            if after.startswith("<"):
                after = after[_skip_balanced(after, 0, "<", ">"):].lstrip()
            result["decls"][name] = Decl(name, "type", doc=doc, bases=_top_level_names(after.lstrip("=")))
        elif what == "const":
            cm = re.match(r"(\w+)\s*:\s*(.+)$", rest, re.S)
            result["consts"][cm.group(1)] = re.sub(r'import\("[^"]*"\)\.', "", cm.group(2)).strip()
        elif what == "function":
            result["functions"][re.match(r"\w+", rest).group(0)] = _doc_line(doc)
        # enums outside ``defines`` do not occur in the runtime declarations


def _parse_defines(body: str) -> dict:
    """``namespace``/``enum``/``const``/object-literal tree -> nested ``{"kind", "members"}`` nodes and leaves."""
    members: dict[str, dict] = {}
    interfaces = set()
    for doc, stmt in _split(body):
        m = _HEAD.match(stmt)
        what, rest = (m.group(1), stmt[m.end():]) if m else (None, stmt)
        if what == "namespace":
            header, inner = _block(rest)
            members[header] = _parse_defines(inner)
        elif what == "enum":
            header, inner = _block(rest)
            leaves = {}
            for order, (d, item) in enumerate(_split(inner)):
                name, _, value = (p.strip() for p in item.partition("="))
                leaf: dict = {"value": int(value)} if value else {"order": order}
                # A deprecated name is the game's alias of its replacement: both give the same value.
                replaced = _REPLACED_BY.search(d or "")
                if replaced:
                    leaf["replaced_by"] = replaced.group(1)
                leaves[name.strip('"')] = leaf
            members[header] = {"kind": "enum", "members": leaves}
        elif what == "interface":
            header, inner = _block(rest)
            members[header] = _object_literal(inner)
            interfaces.add(header)
        elif what == "const":
            cm = re.match(r"(\w+)\s*:\s*(.+)$", rest, re.S)
            name, type_ = cm.group(1), cm.group(2).strip()
            if type_ in interfaces:
                continue  # ``const prototypes: prototypes`` is the value of the interface recorded above
            leaf: dict = {"order": len(members)}
            ev = re.match(r"EventId<\s*(\w+)", type_)
            if ev:
                leaf["event_type"] = ev.group(1)
            members[name] = leaf
        elif what == "type":
            continue  # ``type events = (typeof events)[...]`` only restates the namespace
        else:
            raise GenerationError(f"unrecognised statement in namespace defines: {stmt[:80]!r}")
    # const leaves are numbered among themselves, not among sibling namespaces
    consts = [k for k, v in members.items() if "order" in v and "kind" not in v]
    for order, name in enumerate(consts):
        members[name]["order"] = order
    return {"kind": "namespace", "members": members}


def _object_literal(body: str) -> dict:
    members = {}
    for _doc, stmt in _split(body, commas=False):
        m = re.match(r'(\w+|"[^"]+")\s*:\s*(.+)$', stmt, re.S)
        name, type_ = m.group(1).strip('"'), m.group(2).strip()
        if type_.startswith("{"):
            members[name] = _object_literal(type_[1:-1])
        else:
            members[name] = {"value": int(type_)}
    is_enum = all("kind" not in v for v in members.values())
    return {"kind": "enum" if is_enum else "namespace", "members": members}


def resolve_members(decls: dict[str, Decl], name: str, classes: set[str] = frozenset(),
                    _seen: frozenset = frozenset()) -> tuple[dict[str, Member], dict[str, str | None]]:
    """Members of ``name`` including everything inherited; also which class (if another) declares each one.

    An interface's own members override its bases'. An alias combines the members of every name in it: an
    intersection has all of them, and for a union like LuaGuiElement the runtime object carries every variant's
    attributes, so a member writable in any variant counts as writable.
    """
    decl = decls.get(name)
    if decl is None or name in _seen:
        return {}, {}
    seen = _seen | {name}
    members: dict[str, Member] = {}
    origin: dict[str, str | None] = {}
    for base in decl.bases:
        base_members, base_origin = resolve_members(decls, base, classes, seen)
        for key, member in base_members.items():
            old = members.get(key)
            if old is not None and decl.kind == "type":
                member = Member(key, member.kind, readonly=old.readonly and member.readonly,
                                writeonly=old.writeonly and member.writeonly,
                                optional=old.optional or member.optional, doc=old.doc or member.doc)
            members[key] = member
            origin[key] = base_origin[key] or (base if base in classes else None)
    for key, member in decl.members.items():
        members[key] = member
        origin[key] = None
    return members, origin


def _operators(decls: dict[str, Decl], name: str, _seen: frozenset = frozenset()) -> set[str]:
    decl = decls.get(name)
    if decl is None or name in _seen:
        return set()
    ops = set(decl.operators)
    for base in decl.bases:
        ops |= _operators(decls, base, _seen | {name})
    return ops


# --- one tarball ---------------------------------------------------------------------------------------------

def _read_tarball(path: Path) -> dict[str, str]:
    try:
        with tarfile.open(path) as tar:
            texts = {}
            for member in tar.getmembers():
                if member.name.endswith(".d.ts") or member.name == "package/package.json":
                    texts[member.name] = tar.extractfile(member).read().decode("utf-8")
    except (OSError, tarfile.TarError) as exc:
        raise GenerationError(f"cannot read tarball {path}: {exc}; pass a typed-factorio .tgz from `npm pack`") from exc
    missing = [name for name in (*_REQUIRED, "package/package.json") if name not in texts]
    if missing:
        raise GenerationError(f"{path} has no {', '.join(missing)}; is it a typed-factorio tarball (>= 3.0)?")
    return texts


def parse_tarball(path: Path) -> dict:
    """One typed-factorio tarball -> its factorio version, classes, defines, events and global objects."""
    texts = _read_tarball(path)
    versions = collections.Counter(_VERSION_LINK.findall(texts[_GENERATED + "classes.d.ts"]))
    if not versions:
        raise GenerationError(f"{path}: no lua-api.factorio.com links, cannot tell the Factorio version")
    parsed = {}
    for name in (*_REQUIRED, "package/package.json"):
        try:
            if name.endswith(".json"):
                package = json.loads(texts[name])
                package = f"{package['name']}@{package['version']}"
            else:
                parsed[name[len(_GENERATED):-len(".d.ts")]] = parse_declarations(texts[name])
        except (AttributeError, ValueError, KeyError, TypeError) as exc:
            # a shape the parser does not know: say where, so the parser can be taught it
            raise GenerationError(f"{path}: cannot parse {name}: {exc!r}") from exc
    decls: dict[str, Decl] = {}
    for key in ("concepts", "events", "classes"):
        decls.update(parsed[key]["decls"])

    class_names = set()
    for decl in parsed["classes"]["decls"].values():
        link = _CLASS_LINK.search(decl.doc or "")
        if link and link.group(2) == decl.name and not link.group(3):
            class_names.add(decl.name)
    classes = {}
    for name in sorted(class_names):
        members, origin = resolve_members(decls, name, class_names)
        classes[name] = {"members": members, "origin": origin, "operators": _operators(decls, name)}

    events = {}
    for decl in parsed["events"]["decls"].values():
        event = _anchor(decl.doc)
        if event:
            members, _ = resolve_members(decls, decl.name)
            events[event] = {"data_type": decl.name, "fields": {k: v.optional for k, v in members.items()}}

    globals_: dict[str, str] = dict(parsed["global-objects"]["consts"])
    extra = {}
    for name in ("package/common/helpers-global.d.ts", "package/common/settings-global.d.ts",
                 "package/runtime/index.d.ts"):
        if name in texts:
            part = parse_declarations(texts[name])
            globals_.update(part["consts"])
            extra.update(part["decls"])
    global_objects = {}
    for gname, type_ in globals_.items():
        # ``debugadapter`` exists only while a debugger is attached, so typed-factorio adds ``| undefined``
        entry: dict = {"type": re.sub(r"\s*\|\s*undefined$", "", type_)}
        if entry["type"] != type_:
            entry["optional"] = True
        # ``settings`` is typed as a stage-neutral interface that, at runtime, extends the class LuaSettings
        ext = extra.get(entry["type"])
        if entry["type"] not in class_names and ext and len(ext.bases) == 1 and ext.bases[0] in class_names:
            entry["type"] = ext.bases[0]
        global_objects[gname] = entry
    return {
        "package": package,
        "factorio": versions.most_common(1)[0][0],
        "classes": classes,
        "defines": parsed["defines"]["defines"],
        "events": events,
        "global_objects": global_objects,
        "global_functions": parsed["global-functions"]["functions"],
    }


# --- all versions --------------------------------------------------------------------------------------------

def _vkey(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _merge_member(per_version: dict[str, tuple[Member, str | None]]) -> dict:
    newest = per_version[max(per_version, key=_vkey)]
    member, origin = newest
    out: dict = {"in": sorted(per_version, key=_vkey), "kind": member.kind}
    # the API common to both versions is the stricter one, so a difference counts against the member;
    # a method cannot be assigned to, so it is read-only too
    out["readonly"] = any(m.readonly or m.kind == "method" for m, _ in per_version.values())
    if any(m.writeonly for m, _ in per_version.values()):
        out["writeonly"] = True
    access = {v: ("method" if m.kind == "method" else "w" if m.writeonly else "r" if m.readonly else "rw")
              for v, (m, _) in per_version.items()}
    if len(set(access.values())) > 1:
        out["access_by_version"] = access
    if origin:
        out["from"] = origin
        return out
    if member.doc:
        out["doc"] = member.doc
    if member.kind == "method":
        # what the newest version declares; an older version's differing lists are kept beside it
        out["params"] = member.signatures
        older = {v: m.signatures for v, (m, o) in per_version.items()
                 if m.kind == "method" and o is None and m.signatures != member.signatures}
        if older:
            out["params_by_version"] = older
    return out


def _merge_defines(per_version: dict[str, dict]) -> dict:
    versions = sorted(per_version, key=_vkey)
    newest = per_version[versions[-1]]
    out: dict = {"in": versions}
    if "kind" in newest:
        out["kind"] = newest["kind"]
        names = {n for node in per_version.values() for n in node["members"]}
        out["members"] = {n: _merge_defines({v: node["members"][n] for v, node in per_version.items()
                                             if n in node["members"]}) for n in sorted(names)}
        return out
    out.update(newest)
    values = {v: leaf["value"] for v, leaf in per_version.items() if "value" in leaf}
    if len(set(values.values())) > 1:
        out["value_by_version"] = values
    # Each version's own position in its enum: a game numbers its defines as its version lists them.
    orders = {v: leaf["order"] for v, leaf in per_version.items() if "order" in leaf}
    if len(set(orders.values())) > 1:
        out["order_by_version"] = orders
    return out


def _merge_events(per_version: dict[str, dict]) -> dict:
    versions = sorted(per_version, key=_vkey)
    common = set.intersection(*(set(e["fields"]) for e in per_version.values()))
    out = {"in": versions, "data_type": per_version[versions[-1]]["data_type"], "fields": sorted(common),
           "optional_fields": sorted(f for f in common if any(e["fields"][f] for e in per_version.values()))}
    only = {v: sorted(set(e["fields"]) - common) for v, e in per_version.items() if set(e["fields"]) - common}
    if only:
        out["fields_only_in"] = only
    return out


def build(parsed: list[dict]) -> dict:
    """Merge per-version parses into the api_members.json document; every entry says which versions have it."""
    parsed = sorted(parsed, key=lambda p: _vkey(p["factorio"]))
    if len({p["factorio"] for p in parsed}) != len(parsed):
        raise GenerationError("two tarballs describe the same Factorio version; give one per version")
    by_version = {p["factorio"]: p for p in parsed}

    classes = {}
    for cls in sorted({c for p in parsed for c in p["classes"]}):
        present = {v: p["classes"][cls] for v, p in by_version.items() if cls in p["classes"]}
        names = sorted({m for c in present.values() for m in c["members"]})
        members = {m: _merge_member({v: (c["members"][m], c["origin"][m]) for v, c in present.items()
                                     if m in c["members"]}) for m in names}
        ops = sorted({o for c in present.values() for o in c["operators"]})
        classes[cls] = {"in": sorted(present, key=_vkey), "members": members,
                        "operators": {o: [v for v, c in present.items() if o in c["operators"]] for o in ops}}

    events = {}
    for name in sorted({e for p in parsed for e in p["events"]}):
        events[name] = _merge_events({v: p["events"][name] for v, p in by_version.items() if name in p["events"]})

    def simple(key: str, value_key: str) -> dict:
        out = {}
        for name in sorted({g for p in parsed for g in p[key]}):
            present = {v: p[key][name] for v, p in by_version.items() if name in p[key]}
            entry = {"in": sorted(present, key=_vkey)}
            newest = present[entry["in"][-1]]
            if isinstance(newest, dict):
                entry.update(newest)
            elif newest is not None:
                entry[value_key] = newest
            out[name] = entry
        return out

    return {
        "generator": "tools/gen_api_members.py",
        "versions": {v: p["package"] for v, p in by_version.items()},
        "classes": classes,
        "defines": _merge_defines({v: p["defines"] for v, p in by_version.items()})["members"],
        "events": events,
        "global_objects": simple("global_objects", "type"),
        "global_functions": simple("global_functions", "doc"),
    }


def _is_flat(value: object) -> bool:
    if isinstance(value, dict):
        return all(_is_flat_leaf(v) for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, (dict, list)) for v in value)
    return True


def _is_flat_leaf(value: object) -> bool:
    if isinstance(value, dict):
        return all(not isinstance(v, (dict, list)) or (isinstance(v, list) and _is_flat(v)) for v in value.values()) \
            and len(value) <= 8
    return _is_flat(value)


def dump_json(doc: object, indent: int = 0) -> str:
    """JSON with sorted keys, one line per leaf record, so a regenerated file diffs line by line."""
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(doc, dict) and doc and not (_is_flat(doc) and len(json.dumps(doc)) <= 200):
        items = [f"{inner}{json.dumps(k)}: {dump_json(doc[k], indent + 1)}" for k in sorted(doc)]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(doc, list) and doc and not (_is_flat(doc) and len(json.dumps(doc)) <= 200):
        return "[\n" + ",\n".join(inner + dump_json(v, indent + 1) for v in doc) + "\n" + pad + "]"
    return json.dumps(doc, sort_keys=True, ensure_ascii=False)


def _summary(doc: dict, parsed: list[dict]) -> str:
    lines = []
    versions = sorted((p["factorio"] for p in parsed), key=_vkey)
    for p in sorted(parsed, key=lambda p: _vkey(p["factorio"])):
        flat = sum(len(c["members"]) for c in p["classes"].values())
        own = sum(1 for c in p["classes"].values() for o in c["origin"].values() if o is None)
        lines.append(f"Factorio {p['factorio']} ({p['package']}): {len(p['classes'])} classes, "
                     f"{flat} members with inherited ones, {own} declared by the class itself")
    both = [c for c in doc["classes"].values() if len(c["in"]) == len(versions)]
    flat = sum(1 for c in both for m in c["members"].values() if len(m["in"]) == len(versions))
    own = sum(1 for c in both for m in c["members"].values() if len(m["in"]) == len(versions) and "from" not in m)
    lines.append(f"in all of {', '.join(versions)}: {len(both)} classes, {flat} class.member pairs with inherited "
                 f"ones, {own} declared by the class itself")
    lines.append(f"defines: {len(doc['defines'])} top-level groups; events: {len(doc['events'])}; "
                 f"global objects: {', '.join(doc['global_objects'])}")
    return "\n".join(lines)


def _npm_pack(packages: tuple[str, ...], dest: Path) -> list[Path]:
    paths = []
    for package in packages:
        try:
            proc = subprocess.run(["npm", "pack", package, "--pack-destination", str(dest), "--silent"],
                                  capture_output=True, text=True, check=True, timeout=300)
        except FileNotFoundError as exc:
            raise GenerationError("npm is not installed; install Node.js/npm or pass tarball paths") from exc
        except subprocess.CalledProcessError as exc:
            raise GenerationError(f"`npm pack {package}` failed: {exc.stderr.strip()}; "
                                  "check network access or pass tarball paths") from exc
        except subprocess.TimeoutExpired as exc:
            raise GenerationError(f"`npm pack {package}` timed out; pass tarball paths instead") from exc
        paths.append(dest / proc.stdout.strip().splitlines()[-1])
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tarballs", nargs="*", type=Path,
                        help=f"typed-factorio .tgz files (default: npm pack {' '.join(DEFAULT_PACKAGES)})")
    parser.add_argument("--out", type=Path, required=True, help="where to write api_members.json")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tarballs = args.tarballs or _npm_pack(DEFAULT_PACKAGES, Path(tmp))
            parsed = [parse_tarball(t) for t in tarballs]
        doc = build(parsed)
    except GenerationError as exc:
        print(f"gen_api_members: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dump_json(doc) + "\n", encoding="utf-8")
    print(_summary(doc, parsed))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
