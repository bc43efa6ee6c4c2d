"""``{% qr url [label] %}``: an inline SVG QR code of ``url``, sized by CSS through its viewBox.

The one QR code of the project's pages (meeting sign-in, printed agenda, vote and survey
notices); PDF documents draw the same code through ``documents.qr_svg``.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from linli.core import documents

register = template.Library()


@register.simple_tag
def qr(url: str, label: str = "") -> SafeString:
    # segno writes only the code's modules and the escaped title: no markup from the caller.
    return mark_safe(documents.qr_svg(str(url), str(label)))  # noqa: S308
