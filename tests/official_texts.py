"""Official-format fixture texts the tests write: numbering and markup shaped like EUR-Lex
and Microsoft Learn pages, wording of our own (never the real texts).

``eur_lex_html`` is laid out as the Official Journal's HTML is (``oj-ti-art`` article titles,
``1.`` paragraphs, ``(a)`` points in two-cell tables, ``(i)`` sub-points); ``learn_html`` as a
saved Microsoft Learn page (site chrome, ``<main>``, ``h2`` sections, bullet lists).
"""

from __future__ import annotations

from pathlib import Path

#: Distinctive words of each fixture clause: a test checks the quote is the official text.
EU_WORDS = {
    "5-1-c": "grading people over time by how they behave socially",
    "5-1-d": "estimating whether a person will offend",
    "5-1-e": "harvesting face images without a target",
    "5-1-f": "reading the feelings of people at work or in schools",
    "5-1-g": "sorting people by their biometric records",
    "5-1-h": "identifying people remotely and live by their biometric features",
}
COC_WORDS = {
    "ID-1": "to identify or verify a person from the face",
    "LE-1": "by or for any police department in the United States",
    "LE-2": "real-time facial recognition technology on mobile cameras",
}

_POINTS_5_1 = [
    ("a", "manipulating people below their awareness so that they choose against their own "
          "interest;"),
    ("b", "preying on the frailty of people due to their age or situation so that they are "
          "harmed;"),
    ("c", "systems grading people over time by how they behave socially, where the grade "
          "leads to worse treatment elsewhere;"),
    ("d", "systems estimating whether a person will offend based only on a profile of that "
          "person;"),
    ("e", "systems harvesting face images without a target from the web or from CCTV to grow "
          "face databases;"),
    ("f", "systems reading the feelings of people at work or in schools, save for health or "
          "safety purposes;"),
    ("g", "systems sorting people by their biometric records to guess their faith, politics or "
          "orientation;"),
]
_POINT_H = ("systems identifying people remotely and live by their biometric features in places "
            "open to the public for policing, save where strictly required for one of these "
            "aims:")
_SUB_H = [
    ("i", "looking for named victims of abduction or people who are missing;"),
    ("ii", "heading off a concrete and imminent danger to life or a terror attack;"),
    ("iii", "finding a person suspected of a grave listed offence."),
]
_PARAGRAPHS_5 = [
    ("2", "A use under point (h) of paragraph 1 shall serve only to confirm who the targeted "
          "person is."),
    ("3", "Every use under point (h) of paragraph 1 shall need the prior leave of a court or an "
          "independent body."),
    ("4", "Every such use shall be reported to the market watchdog and the data protection "
          "body."),
    ("5", "A Member State may allow such uses only through its own national law."),
]
_DEFINITIONS = [
    ("35", "‘biometric identification’ means machine recognition of a person against stored "
           "records;"),
    ("36", "‘biometric verification’ means a one-to-one check of a claimed identity;"),
    ("39", "‘emotion recognition system’ means a system reading feelings from biometric data;"),
    ("40", "‘biometric categorisation system’ means a system sorting people into groups by "
           "biometric data;"),
    ("41", "‘remote biometric identification system’ means identifying people at a distance "
           "without their taking part;"),
    ("42", "‘real-time remote biometric identification system’ means one whose capture and "
           "matching happen without real delay;"),
    ("43", "‘post remote biometric identification system’ means one that is not real-time;"),
    ("44", "‘publicly accessible space’ means a place open to an undetermined number of "
           "people;"),
    ("46", "‘law enforcement’ means work to prevent, detect or prosecute crime;"),
]


def _point(token: str, text: str) -> str:
    return ('<table width="100%" border="0" cellspacing="0" cellpadding="0"><col width="4%"/>'
            '<col width="96%"/><tbody><tr><td valign="top"><p class="oj-normal">'
            f'({token})</p></td><td valign="top"><p class="oj-normal">{text}</p></td></tr>'
            '</tbody></table>')


def _article(number: str, title: str, body: str) -> str:
    return (f'<div class="eli-subdivision" id="art_{number}">'
            f'<p id="d1e{number}-1-1" class="oj-ti-art">Article {number}</p>'
            f'<div class="eli-title"><p class="oj-sti-art">{title}</p></div>{body}</div>\n')


def eur_lex_html(*, without_article: str | None = None) -> str:
    """Articles 3, 5, 99 and 113 shaped like the Official Journal's HTML (our wording)."""
    definitions = "".join(_point(n, text) for n, text in _DEFINITIONS)
    points = "".join(_point(t, text) for t, text in _POINTS_5_1)
    sub = "".join(_point(t, text) for t, text in _SUB_H)
    paragraph_1 = (
        '<div id="005.001"><p class="oj-normal">1.   The practices below shall be banned:</p>'
        f'{points}{_point("h", _POINT_H)}<div class="oj-subpoints">{sub}</div>'
        '<p class="oj-normal">Point (h) leaves other Union law untouched.</p></div>')
    paragraphs = "".join(f'<div id="005.00{n}"><p class="oj-normal">{n}.   {text}</p></div>'
                         for n, text in _PARAGRAPHS_5)
    articles = {
        "3": _article("3", "Definitions",
                      '<p class="oj-normal">In this Regulation the terms below mean:</p>'
                      + definitions),
        "5": _article("5", "Banned AI practices", paragraph_1 + paragraphs),
        "99": _article("99", "Penalties",
                       '<div id="099.001"><p class="oj-normal">1.   Member States shall set '
                       'penalties.</p></div><div id="099.003"><p class="oj-normal">2.   They '
                       'shall be dissuasive.</p></div><div><p class="oj-normal">3.   Breaching '
                       'Article 5 shall cost up to EUR 35 000 000 or 7 % of yearly turnover, '
                       'whichever is more.</p></div>'),
        "113": _article("113", "Entry into force and application",
                        '<p class="oj-normal">This Regulation takes effect on the twentieth day '
                        'after publication. Article 5 shall apply from 2 February 2025.</p>'),
    }
    body = "".join(text for number, text in articles.items() if number != without_article)
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Regulation (EU) '
            '2024/1689 - EN - EUR-Lex</title><script>var x = 1;</script></head><body>'
            '<nav class="eurlex-nav">Home &gt; EUR-Lex</nav><div id="docHtml">'
            '<div class="eli-container"><p class="oj-doc-ti">REGULATION (EU) 2024/1689 (fixture '
            f'wording)</p>{body}</div></div></body></html>')


EU_FRONT_MATTER = """\
id: eu-ai-act-official
title: "Regulation (EU) 2024/1689 (official text, as published)"
publisher: EUR-Lex
kind: law
policy: eu-ai-act
version: "2024/1689"
effective_date: 2024-08-01
source_url: https://eur-lex.europa.eu/eli/reg/2024/1689/oj
provenance: official
"""


def learn_html() -> str:
    """The Azure OpenAI code of conduct shaped like a saved Microsoft Learn page (our wording)."""
    return """---
id: azure-openai-coc-2024-05-official
title: Code of conduct for Azure OpenAI Service (official page)
publisher: Microsoft
kind: terms
policy: azure-openai-coc
version: "2024-05-01"
effective_date: 2024-05-01
source_url: https://learn.microsoft.com/en-us/legal/cognitive-services/openai/code-of-conduct
provenance: official
---
<!DOCTYPE html>
<html class="hasSidebar" lang="en-us"><head><title>Code of conduct for Azure OpenAI Service |
Microsoft Learn</title><script src="/_themes/docs.js"></script></head>
<body><header class="header-holder"><a href="/">Learn</a><button>Sign in</button></header>
<nav class="left-container">Azure AI services &gt; Responsible use</nav>
<main id="main" class="content"><h1 id="code-of-conduct">Code of conduct for Azure OpenAI
Service</h1>
<p>This page sets what customers agree to when they use the service (fixture wording).</p>
<h2 id="restricted-uses">Restricted uses</h2>
<p>Integrations built on the service shall not be used as set out below.</p>
<ul>
<li><strong>Identity:</strong> integrations must not be used to identify or verify a person from
the face or other bodily traits, or from media showing them.</li>
<li><strong>Police in the US:</strong> no use for facial recognition purposes by or for any
police department in the United States.</li>
<li><strong>Mobile cameras:</strong> no law enforcement anywhere may run real-time facial
recognition technology on mobile cameras to identify people in uncontrolled settings.</li>
</ul>
<h2 id="more">More information</h2><p>See the transparency note.</p>
</main><footer>Previous versions</footer></body></html>
"""


def add_official_texts(corpus: Path) -> None:
    """Drop the fixture official texts into a copy of the shipped corpus, as a legal team
    would: the EU regulation as HTML with its front matter beside it, the Learn page as HTML
    with front matter on top."""
    folder = corpus / "eu-ai-act" / "official"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reg-2024-1689.html").write_text(eur_lex_html(), encoding="utf-8")
    (folder / "reg-2024-1689.html.yaml").write_text(EU_FRONT_MATTER, encoding="utf-8")
    (corpus / "azure-openai-coc" / "code-of-conduct.html").write_text(learn_html(),
                                                                      encoding="utf-8")


def pdf_lines(pages: list[list[str]]) -> bytes:
    """A minimal, valid PDF with the given lines of Helvetica text on each page."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for lines in pages:
        shown = " 0 -16 Td ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj"
            for line in lines)
        stream = f"BT /F1 10 Tf 40 760 Td {shown} ET".encode("latin-1")
        page_no = len(objects) + 1
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       f"/Resources << /Font << /F1 {page_no + 2} 0 R >> >> "
                       f"/Contents {page_no + 1} 0 R >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode('latin-1')}\n"
                       "endstream")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        kids.append(f"{page_no} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)
