"""Checks of the sidebar in a real browser: width, theme, overflow, contrast, accessible names, focus."""

from __future__ import annotations

SIDEBAR = "#jp-logbook-sidebar"

OVERFLOWS = """
() => {
  const panel = document.querySelector('#jp-logbook-sidebar');
  const right = panel.getBoundingClientRect().right;
  const name = n => n.tagName.toLowerCase() + (n.className && typeof n.className === 'string' ? '.' + n.className.trim().split(/\\s+/).join('.') : '');
  const found = [];
  for (const node of panel.querySelectorAll('*')) {
    if (!(node instanceof HTMLElement) || !node.getClientRects().length) continue;
    const style = getComputedStyle(node);
    if (style.visibility === 'hidden') continue;
    const clipsOnPurpose = style.textOverflow === 'ellipsis' && ['hidden', 'clip'].includes(style.overflowX);
    if (node.scrollWidth > node.clientWidth + 1 && style.display !== 'inline' && !clipsOnPurpose) {
      found.push(`${name(node)} scrollWidth ${node.scrollWidth} > clientWidth ${node.clientWidth}: ${node.textContent.slice(0, 60)}`);
    }
    const box = node.getBoundingClientRect();
    let clipped = false;
    for (let up = node.parentElement; up && up !== panel; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') { clipped = up.getBoundingClientRect().right < box.right; break; }
    }
    if (box.width && box.right > right + 1 && !clipped) {
      found.push(`${name(node)} sticks out of the sidebar by ${Math.round(box.right - right)} px`);
    }
  }
  return found;
}
"""

CONTRAST = """
(selector) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const rgba = css => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = (top, bottom) => top.slice(0, 3).map((c, i) => c * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const background = node => {
    const layers = [];
    for (let n = node; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
  };
  const lum = c => {
    const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const results = [];
  for (const node of document.querySelectorAll(selector)) {
    if (!node.getClientRects().length || !node.textContent.trim()) continue;
    const bg = background(node);
    const fg = over(rgba(getComputedStyle(node).color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    results.push({ text: node.textContent.trim().slice(0, 30), cls: node.className, ratio: (hi + 0.05) / (lo + 0.05) });
  }
  return results;
}
"""

CONTROLS = (
    "button, input, select, textarea, summary, iframe, [role=button], [tabindex='0'], "
    ".lm-AccordionPanel-title, [role=list]"
)


def set_sidebar_width(page, width: int) -> float:
    """Drag the splitter beside the left sidebar until the sidebar is ``width`` px wide."""
    for _ in range(3):  # a re-layout (a theme being applied) can undo a drag made meanwhile: drag again
        handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first.bounding_box()
        left = page.locator(SIDEBAR).bounding_box()
        page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + 300)
        page.mouse.down()
        page.mouse.move(left["x"] + width, handle["y"] + 300, steps=4)
        page.mouse.up()
        try:
            page.wait_for_function(
                f"Math.abs(document.querySelector('{SIDEBAR}').getBoundingClientRect().width - {width}) < 3",
                timeout=3000,
            )
            return page.locator(SIDEBAR).bounding_box()["width"]
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: try once more
            continue
    raise AssertionError(f"the sidebar is {page.locator(SIDEBAR).bounding_box()} after dragging to {width}")


def set_theme(page, theme: str) -> None:
    """Switch JupyterLab's theme from the Settings menu and wait until it is applied."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-item", has_text="Theme").first.hover()
    page.locator(".lm-Menu-item .lm-Menu-itemLabel").get_by_text(theme, exact=True).click()
    dark = "Dark" in theme
    page.wait_for_function(
        """(dark) => {
          const c = getComputedStyle(document.querySelector('#jp-logbook-sidebar')).backgroundColor;
          const [r, g, b] = c.match(/[\\d.]+/g).map(Number);
          return document.body.dataset.jpThemeLight === String(!dark) && ((r + g + b) / 3 < 100) === dark;
        }""",
        arg=dark,
    )
    # JupyterLab fades the page in as the theme's CSS arrives: wait until every finite animation is done.
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running'"
        " || a.effect?.getTiming().iterations === Infinity)"
    )


def overflows(page) -> list[str]:
    return page.evaluate(OVERFLOWS)


def low_contrast(page, minimum: float = 4.5, selector: str = "") -> list[dict]:
    """Text below ``minimum`` contrast: in ``selector``, or the pills, badges and buttons of the sidebar and status bar."""
    selector = selector or (
        f"{SIDEBAR} .jp-Logbook-pill, {SIDEBAR} .jp-Logbook-badge, {SIDEBAR} button, "
        ".jp-Logbook-statusItem button, .jp-Logbook-tally span"
    )
    return [r for r in page.evaluate(CONTRAST, selector) if r["ratio"] < minimum]


def unnamed_controls(page, scope: str = SIDEBAR) -> list[str]:
    """Visible controls under ``scope`` whose accessible name (as Chromium computes it) is empty.

    A section that redraws while its controls are looked up replaces them: the look-up starts again.
    """
    for _ in range(4):
        try:
            return _unnamed_controls_once(page, scope)
        except Exception as error:  # noqa: BLE001 - Playwright's Error, for a node a redraw removed
            if "Could not find node" not in str(error) and "No node" not in str(error):
                raise
    return _unnamed_controls_once(page, scope)


def _unnamed_controls_once(page, scope: str) -> list[str]:
    count = page.evaluate(
        """([scope, controls]) => {
          let n = 0;
          for (const node of document.querySelectorAll(scope)) {
            for (const c of node.querySelectorAll(controls)) {
              if (c.getClientRects().length) { c.dataset.lbCheck = String(n++); }
            }
          }
          return n;
        }""",
        [scope, CONTROLS],
    )
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    missing = []
    for index in range(count):
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": f'[data-lb-check="{index}"]'})[
            "nodeId"
        ]
        ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"]
        name = ax[0].get("name", {}).get("value", "") if ax else ""
        if not str(name).strip():
            html = cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"][:120]
            missing.append(html)
    cdp.detach()
    page.evaluate("() => document.querySelectorAll('[data-lb-check]').forEach(n => delete n.dataset.lbCheck)")
    return missing


PLACEHOLDERS = """
() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const cut = [];
  for (const n of document.querySelectorAll('#jp-logbook-sidebar input[placeholder]')) {
    if (!n.getClientRects().length || !n.placeholder) continue;
    const s = getComputedStyle(n);
    ctx.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const room = n.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    const needs = ctx.measureText(n.placeholder).width;
    if (needs > room + 1) cut.push(`${n.className}: "${n.placeholder}" needs ${Math.ceil(needs)} px, has ${room}`);
  }
  return cut;
}
"""


def cut_placeholders(page) -> list[str]:
    """Visible inputs of the sidebar whose placeholder does not fit."""
    return page.evaluate(PLACEHOLDERS)


FOCUSED = """
() => {
  const n = document.activeElement;
  const s = getComputedStyle(n);
  const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || s.boxShadow !== 'none';
  return {
    inSidebar: !!n.closest('#jp-logbook-sidebar'),
    cls: typeof n.className === 'string' ? n.className : '',
    tag: n.tagName.toLowerCase(),
    label: n.getAttribute('aria-label') || n.textContent.trim().slice(0, 40),
    visible,
  };
}
"""


MARK_FOCUSED = "() => { document.querySelectorAll('[data-lb-was]').forEach(n => delete n.dataset.lbWas); document.activeElement.dataset.lbWas = '1'; }"


def tab_through_sidebar(page, limit: int = 120, last: str = "jp-Logbook-experiment") -> list[dict]:
    """Press Tab from the sidebar's first title until the focus leaves the sidebar after its ``last``
    control; what got the focus. While JupyterLab settles after loading it may move the focus to the
    launcher once: then the step is taken again from where it was."""
    page.locator(f"{SIDEBAR} .{last}").first.wait_for()  # every section has drawn what the walk ends on
    page.locator(f"{SIDEBAR} .lm-AccordionPanel-title").first.focus()
    seen = [page.evaluate(FOCUSED)]
    retries = 0
    for _ in range(limit):
        page.evaluate(MARK_FOCUSED)
        page.keyboard.press("Tab")
        here = page.evaluate(FOCUSED)
        assert here["tag"] != "body", f"the focus was lost after {seen[-1]}"
        if not here["inSidebar"]:
            if last in seen[-1]["cls"]:
                break
            retries += 1
            assert retries <= 3, f"the focus left the sidebar after {seen[-1]}"
            page.locator("[data-lb-was]").focus()
            continue
        seen.append(here)
    return seen
