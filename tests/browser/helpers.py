"""What the browser tests do and measure more than once: log in, and the MIIT 2021
age-friendly (适老化) measurements of the elder mode taken from computed styles."""

from __future__ import annotations

from tests.factories import PASSWORD

# domain-rules §4: elder body ≥ 20 CSS px, largest text ≥ 30, line height ≥ 1.3,
# contrast ≥ 4.5:1, tap targets ≥ 60 × 60.
MIN_BODY_PX = 20
MIN_H1_PX = 30
MIN_LINE_HEIGHT = 1.3
MIN_CONTRAST = 4.5
MIN_TAP_PX = 60

# Elements a person taps: in <main>, plus the header's elder and language switches.
TAP_TARGETS = (
    "main button, main a.button, main input:not([type=hidden]), main select, "
    "main textarea, .switches button, .mainnav a, .mainnav button"
)

MEASURE_JS = """
(tapSelector) => {
  const visible = (el) => {
    const s = getComputedStyle(el);
    if (s.display === "none" || s.visibility === "hidden") return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const describe = (el) => {
    let d = el.tagName.toLowerCase();
    if (el.id) d += "#" + el.id;
    if (el.dataset.testid) d += `[data-testid=${el.dataset.testid}]`;
    if (typeof el.className === "string" && el.className.trim())
      d += "." + el.className.trim().split(/\\s+/).join(".");
    const text = (el.innerText || el.value || el.placeholder || "").trim().replace(/\\s+/g, " ");
    return text ? `${d} "${text.slice(0, 40)}"` : d;
  };
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  // The colour actually behind an element: the nearest ancestor with an opaque-ish background.
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255]; // the canvas
  };
  const px = (v) => parseFloat(v);
  const texts = [...document.querySelectorAll("p")]
    .filter((p) => visible(p) && p.innerText.trim())
    .map((p) => {
      const s = getComputedStyle(p);
      const size = px(s.fontSize);
      // Chromium resolves a unitless line-height to px; "normal" has no number to check.
      const lh = s.lineHeight === "normal" ? NaN
        : s.lineHeight.endsWith("px") ? px(s.lineHeight) : px(s.lineHeight) * size;
      const fg = rgb(s.color).slice(0, 3), bg = background(p);
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      return {
        el: describe(p), fontSize: size, lineHeight: lh, lineRatio: lh / size,
        color: s.color, background: `rgb(${bg.join(", ")})`,
        contrast: (hi + 0.05) / (lo + 0.05),
      };
    });
  const h1 = [...document.querySelectorAll("h1")].filter(visible)
    .map((h) => ({ el: describe(h), fontSize: px(getComputedStyle(h).fontSize) }));
  const targets = [...document.querySelectorAll(tapSelector)].filter(visible).map((el) => {
    const r = el.getBoundingClientRect();
    return { el: describe(el), width: r.width, height: r.height };
  });
  return { texts, h1, targets };
}
"""


def measure(page) -> dict:
    return page.evaluate(MEASURE_JS, TAP_TARGETS)


def small_targets(metrics: dict) -> list[str]:
    return [
        f"{t['el']}: {t['width']:.0f}×{t['height']:.0f}px"
        for t in metrics["targets"]
        if t["width"] < MIN_TAP_PX or t["height"] < MIN_TAP_PX
    ]


def assert_elder_targets(page, where: str) -> dict:
    metrics = measure(page)
    assert metrics["targets"], f"{where}: no tap targets found in <main> or the header"
    too_small = small_targets(metrics)
    assert not too_small, (
        f"APP CSS: elder mode tap targets under {MIN_TAP_PX}×{MIN_TAP_PX}px on {where}: "
        + "; ".join(too_small)
    )
    print(f"elder mode on {where}: {summary(metrics)}")  # shown with pytest -s
    return metrics


def summary(metrics: dict) -> str:
    """One line for the log (pytest -s): the smallest of each measure."""
    texts, targets = metrics["texts"], metrics["targets"]
    parts = []
    if texts:
        parts.append(f"body text ≥ {min(t['fontSize'] for t in texts)}px")
        parts.append(f"line height ≥ {min(t['lineRatio'] for t in texts):.2f}×")
        parts.append(f"contrast ≥ {min(t['contrast'] for t in texts):.2f}:1")
    if metrics["h1"]:
        parts.append(f"h1 {max(h['fontSize'] for h in metrics['h1'])}px")
    if targets:
        t = min(targets, key=lambda t: min(t["width"], t["height"]))
        parts.append(f"smallest target {t['el']} {t['width']:.0f}×{t['height']:.0f}px")
    return "; ".join(parts)


def login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the real form (the `username` field takes a user name or a phone)."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, f"log-in as {username!r} failed: still on {page.url}"
