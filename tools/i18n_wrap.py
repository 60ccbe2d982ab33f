"""Mark the Chinese text of Django templates for translation (a helper; review its diff).

    python tools/i18n_wrap.py src/zhili/matters/templates [more files or folders] [--dry-run]

- a run of text between tags holding Chinese becomes ``{% translate "…" %}``, or
  ``{% blocktranslate with a=x.y|f %}… {{ a }} …{% endblocktranslate %}`` when it holds
  variables (``trimmed`` when it spans lines);
- Chinese in the attributes a user reads (placeholder, title, aria-label, alt, data-confirm,
  data-label-*, value of buttons) likewise;
- Chinese string literals inside ``{{ … }}`` and ``{% … %}`` become ``_("…")``, except in
  ``if``/``elif`` (a comparison with data) and ``url``; those are listed for a human;
- ``{% load i18n %}`` is added where needed.

Text already inside translate/blocktranslate, comments, ``<script>`` and ``<style>`` is left.
The lines it could not handle are printed: fix them by hand.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
TOKEN = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#}|<!--.*?-->|<[a-zA-Z/!][^>]*>)", re.S)
ATTR = re.compile(
    r"(?P<pre>\s)(?P<name>placeholder|title|aria-label|alt|data-confirm|data-label-[\w-]+"
    r"|data-placeholder|data-label|value|label)=\"(?P<value>[^\"]*)\""
)
LITERAL = re.compile(r"(?<![\w(])(\"[^\"]*\"|'[^']*')")
SKIP_OPEN = {"comment": "endcomment", "verbatim": "endverbatim", "blocktranslate": None}
VAR_NAME = re.compile(r"[A-Za-z_]\w*")


def _has_han(text: str) -> bool:
    return bool(HAN.search(text))


class Wrapper:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.todo: list[str] = []
        self.changed = False

    def note(self, what: str, text: str) -> None:
        self.todo.append(f"{self.path}: {what}: {text.strip()[:100]}")

    # {{ … }} and {% … %} ----------------------------------------------------------------

    def literals(self, token: str) -> str:
        """Chinese string literals of a tag or variable as _("…")."""
        inner = token[2:-2].strip()
        word = inner.split()[0] if inner else ""
        if token.startswith("{%") and word in ("if", "elif", "url", "translate", "trans"):
            if _has_han(token) and word in ("if", "elif", "url"):
                self.note(f"{word} with Chinese", token)
            return token

        def sub(m: re.Match[str]) -> str:
            lit = m.group(1)
            if not _has_han(lit):
                return lit
            if lit.startswith("'"):
                lit = '"' + lit[1:-1].replace('"', '\\"') + '"'
            self.changed = True
            return f"_({lit})"

        return LITERAL.sub(sub, token)

    # text runs --------------------------------------------------------------------------

    def run(self, parts: list[str]) -> str:
        """A run of text and {{ variables }} between tags."""
        text = "".join(parts)
        plain = "".join(p for p in parts if not p.startswith("{{"))
        if not _has_han(plain):
            return "".join(self.literals(p) if p.startswith("{{") else p for p in parts)
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        self.changed = True
        if len(parts) == 1:
            body = text.strip()
            if "\n" in body:
                body = re.sub(r"\s*\n\s*", " ", body)
            if '"' not in body:
                return f'{lead}{{% translate "{body}" %}}{trail}'
            return f"{lead}{{% blocktranslate %}}{body}{{% endblocktranslate %}}{trail}"
        names: dict[str, str] = {}
        out = []
        for p in parts:
            if p.startswith("{{"):
                expr = self.literals(p)[2:-2].strip()
                if VAR_NAME.fullmatch(expr):
                    name = expr
                else:
                    base = re.split(r"[|:]", expr)[0].split(".")[-1]
                    name = base if VAR_NAME.fullmatch(base) else "value"
                    while name in names and names[name] != expr:
                        name += "_"
                    names[name] = expr
                out.append(f"{{{{ {name} }}}}")
            else:
                out.append(p)  # blocktranslate escapes % itself
        body = "".join(out).strip()
        with_ = " ".join(f"{n}={e}" for n, e in names.items())
        opts = (" with " + with_ if with_ else "") + (" trimmed" if "\n" in body else "")
        return f"{lead}{{% blocktranslate{opts} %}}{body}{{% endblocktranslate %}}{trail}"

    # HTML tags --------------------------------------------------------------------------

    def tag(self, token: str) -> str:
        if not _has_han(token):
            return token
        is_button = re.match(r"<input\b", token) and re.search(
            r'type="(submit|button|reset)"', token
        )

        def attr(m: re.Match[str]) -> str:
            name, value = m.group("name"), m.group("value")
            if not _has_han(value) or (name == "value" and not is_button):
                return m.group(0)
            if "{%" in value:
                self.note("attribute with a tag", m.group(0))
                return m.group(0)
            self.changed = True
            if "{{" in value:
                parts = [p for p in re.split(r"({{.*?}})", value) if p]
                wrapped = self.run(parts)
                return f'{m.group("pre")}{name}="{wrapped}"'
            return f'{m.group("pre")}{name}="{{% translate "{value}" %}}"'

        # template tags inside the HTML tag first (their literals), then the attributes
        token = re.sub(r"{{.*?}}|{%.*?%}", lambda m: self.literals(m.group(0)), token)
        token = ATTR.sub(attr, token)
        rest = re.sub(r"{%\s*blocktranslate.*?endblocktranslate\s*%}|{{.*?}}|{%.*?%}", "", token)
        rest = ATTR.sub("", rest)
        if _has_han(rest):
            self.note("Chinese in another attribute", token)
        return token

    # the file ---------------------------------------------------------------------------

    def wrap(self, source: str) -> str:
        pieces = TOKEN.split(source)
        out: list[str] = []
        run: list[str] = []
        skip_until: str | None = None

        def flush() -> None:
            if run:
                out.append(self.run(run))
                run.clear()

        for i, piece in enumerate(pieces):
            if not piece:
                continue
            is_token = i % 2 == 1
            if skip_until:
                out.append(piece)
                if is_token and re.fullmatch(skip_until, piece, re.S):
                    skip_until = None
                continue
            if not is_token or piece.startswith("{{"):
                run.append(piece)
                continue
            flush()
            if piece.startswith("{%"):
                word = (piece[2:-2].split() or [""])[0]
                if word in ("comment", "verbatim"):
                    skip_until = r"{%\s*end" + word + r"\s*%}"
                elif word in ("blocktranslate", "blocktrans"):
                    skip_until = r"{%\s*endblocktrans(late)?\s*%}"
                out.append(self.literals(piece))
            elif piece.startswith("<"):
                lower = piece.lower()
                if lower.startswith(("<script", "<style")):
                    skip_until = (
                        r"</" + ("script" if lower.startswith("<script") else "style") + ">"
                    )
                out.append(self.tag(piece))
            else:
                out.append(piece)
        flush()
        result = "".join(out)
        if self.changed:
            result = self.load_i18n(result)
        for line in result.splitlines():
            stripped = re.sub(
                r"{%\s*blocktranslate.*?endblocktranslate\s*%}|{%.*?%}|{{.*?}}|{#.*?#}", "", line
            )
            if _has_han(stripped) and "<script" not in line:
                self.note("Chinese left", line)
        return result

    @staticmethod
    def load_i18n(text: str) -> str:
        loads = list(re.finditer(r"{%\s*load\s+([^%]*?)\s*%}", text))
        for m in loads:
            if "i18n" in m.group(1).split():
                return text
        if loads:
            m = loads[0]
            return text[: m.start()] + f"{{% load {m.group(1)} i18n %}}" + text[m.end() :]
        ext = re.match(r"\s*{%\s*extends[^%]*%}", text)
        if ext:
            return text[: ext.end()] + "{% load i18n %}" + text[ext.end() :]
        return "{% load i18n %}" + text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    files: list[Path] = []
    for p in args.paths:
        files += sorted(p.rglob("*.html")) if p.is_dir() else [p]
    todo = []
    for path in files:
        w = Wrapper(path)
        source = path.read_text()
        result = w.wrap(source)
        if result != source and not args.dry_run:
            path.write_text(result)
        todo += w.todo
    print("\n".join(todo))
    return 0


if __name__ == "__main__":
    sys.exit(main())
